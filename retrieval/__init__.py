"""Knowledge retrieval: sources, ingestion, the search index (local or Azure AI Search)."""
