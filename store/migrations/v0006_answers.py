"""Answers Rakel gave, so a thumbs up/down on a message can be stored with its question and sources."""

from store.migrations import Migration

MIGRATION = Migration(
    6,
    "answers given, by activity id",
    (
        """CREATE TABLE answers (
            activity_id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            sources TEXT NOT NULL,
            confident INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX answers_by_conversation ON answers (conversation_id, created_at)",
    ),
)
