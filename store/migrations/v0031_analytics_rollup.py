"""Analytics: each event's local month and whether it starts a conversation, decided when it is written,
and a per-user monthly rollup, so the 13-month trend reads thousands of rows instead of a million."""

from store.migrations import Migration

MIGRATION = Migration(
    31,
    "analytics: local month, conversation starts, monthly rollup per user",
    (
        "ALTER TABLE analytics_events ADD COLUMN month INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE analytics_events ADD COLUMN starts INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE analytics_user_months (
            month INTEGER NOT NULL,
            municipality TEXT NOT NULL,
            user_key TEXT NOT NULL,
            turns INTEGER NOT NULL,
            conversations INTEGER NOT NULL,
            PRIMARY KEY (month, municipality, user_key)
        )""",
        """CREATE TABLE analytics_last_turns (
            user_key TEXT PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL
        )""",
    ),
)
