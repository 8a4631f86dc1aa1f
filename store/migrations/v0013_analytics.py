"""Analytics events (no names, no text) and, apart from them, masked questions for content gaps."""

from store.migrations import Migration

MIGRATION = Migration(
    13,
    "analytics events and masked content-gap questions",
    (
        # Append-only; purged by age. No primary key: nothing ever updates or looks up one event.
        """CREATE TABLE analytics_events (
            at DOUBLE PRECISION NOT NULL,
            user_key TEXT NOT NULL,
            municipality TEXT NOT NULL,
            language TEXT NOT NULL,
            kind TEXT NOT NULL,
            intent TEXT NOT NULL,
            skill TEXT NOT NULL,
            outcome TEXT NOT NULL,
            category TEXT NOT NULL,
            seconds DOUBLE PRECISION,
            sources TEXT NOT NULL
        )""",
        "CREATE INDEX analytics_events_by_time ON analytics_events (at)",
        """CREATE TABLE analytics_texts (
            at DOUBLE PRECISION NOT NULL,
            user_key TEXT NOT NULL,
            municipality TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL
        )""",
        "CREATE INDEX analytics_texts_by_time ON analytics_texts (at)",
    ),
)
