"""Tickets for Kundeservice: create one from the conversation (skill.py), file it through the outbox
with nothing lost or doubled (outbox.py), and show the user's own tickets (status.py)."""
