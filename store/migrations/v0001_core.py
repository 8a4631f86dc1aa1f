"""Users, conversation references, dialogs and conversation history."""

from store.migrations import Migration

MIGRATION = Migration(
    1,
    "users, conversation references, dialogs, conversation history",
    (
        """CREATE TABLE users (
            id TEXT PRIMARY KEY,
            channel_user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            municipality TEXT,
            resolved_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE UNIQUE INDEX users_by_channel_id ON users (channel_user_id)",
        """CREATE TABLE conversation_references (
            user_id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            service_url TEXT NOT NULL,
            reference TEXT NOT NULL,
            installed INTEGER NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE dialogs (
            conversation_id TEXT PRIMARY KEY,
            skill TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE conversation_turns (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX conversation_turns_by_conversation ON conversation_turns (conversation_id, created_at)",
    ),
)
