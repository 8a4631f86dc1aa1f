"""Handoff to Kundeservice: a person takes over the chat in Teams, with a ticket as the fallback."""
