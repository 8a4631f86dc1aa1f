"""Feedback on answers and on Rakel."""

from store.migrations import Migration

MIGRATION = Migration(
    2,
    "feedback on answers and on Rakel",
    (
        """CREATE TABLE feedback (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            rating INTEGER,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            sources TEXT NOT NULL,
            comment TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX feedback_by_created ON feedback (created_at)",
    ),
)
