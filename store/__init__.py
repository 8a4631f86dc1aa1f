"""Async persistent state on SQLite (default) or PostgreSQL, with versioned migrations."""
