"""Analytics: per-month rollups of closed months, so a report over 13 months reads a few tables of
per-user figures instead of a year of events (analytics/rollup.py writes them; analytics/parts.py says
what each row means). Distinct users cannot be summed across months, so the rollups keep the user key
(pseudonymous, as in the events) and the report counts distinct keys over the months it covers."""

from store.migrations import Migration

MIGRATION = Migration(
    40,
    "analytics: monthly rollups (conversation figures, codes, handoff waits, counts) of closed months",
    (
        """CREATE TABLE analytics_rollup_months (
            month INTEGER PRIMARY KEY,
            events INTEGER NOT NULL,
            rolled_at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE analytics_rollup_users (
            month INTEGER NOT NULL,
            municipality TEXT NOT NULL,
            user_key TEXT NOT NULL,
            conversations INTEGER NOT NULL,
            knowledge INTEGER NOT NULL,
            self_solved INTEGER NOT NULL,
            escalated INTEGER NOT NULL,
            abandoned INTEGER NOT NULL,
            PRIMARY KEY (month, municipality, user_key)
        )""",
        """CREATE TABLE analytics_rollup_codes (
            month INTEGER NOT NULL,
            dimension TEXT NOT NULL,
            code TEXT NOT NULL,
            user_key TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (month, dimension, code, user_key)
        )""",
        """CREATE TABLE analytics_rollup_waits (
            month INTEGER NOT NULL,
            kind TEXT NOT NULL,
            seconds DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX analytics_rollup_waits_by_month ON analytics_rollup_waits (month)",
        """CREATE TABLE analytics_rollup_counts (
            month INTEGER NOT NULL,
            name TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (month, name)
        )""",
    ),
)
