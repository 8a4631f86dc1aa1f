"""The knowledge skill: answer IT questions from the indexed pages and resolved tickets, with sources."""
