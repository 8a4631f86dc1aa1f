"""Tickets: how long a create that got no answer may still land at the desk (the outbox searches until
then instead of creating again), and Rakel's own record of tickets it filed for a user under the
fallback requester (so they show under "mine saker")."""

from store.migrations import Migration

MIGRATION = Migration(
    8,
    "ticket outbox doubt window, tickets filed on behalf of users",
    (
        "ALTER TABLE ticket_outbox ADD COLUMN in_doubt_until DOUBLE PRECISION NOT NULL DEFAULT 0",
        """CREATE TABLE ticket_filed_for (
            requester_key TEXT NOT NULL,
            ticket_id TEXT NOT NULL,
            number TEXT NOT NULL,
            filed_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (requester_key, ticket_id)
        )""",
        "CREATE INDEX ticket_filed_for_by_time ON ticket_filed_for (filed_at)",
    ),
)
