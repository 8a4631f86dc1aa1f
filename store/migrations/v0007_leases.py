"""One lease table for every "which process works on this now" (store/leases.py), replacing the
lease columns of the ticket outbox, the ticket drafts and the local desk's announcements."""

from store.migrations import Migration

MIGRATION = Migration(
    7,
    "shared leases with heartbeats",
    (
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            taken_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX leases_by_owner ON leases (owner)",
        "ALTER TABLE ticket_outbox DROP COLUMN lease_owner",
        "ALTER TABLE ticket_outbox DROP COLUMN lease_until",
        # A refused ticket's next attempt (next_attempt_at) is hours away; telling its user is not.
        "ALTER TABLE ticket_outbox ADD COLUMN notify_not_before DOUBLE PRECISION NOT NULL DEFAULT 0",
        "DROP INDEX ticket_requests_by_state",
        "ALTER TABLE ticket_requests DROP COLUMN lease_until",
        "CREATE INDEX ticket_requests_by_state ON ticket_requests (state, updated_at)",
        # What was a lease is now only the time a failed channel post is tried again.
        "ALTER TABLE ticket_local RENAME COLUMN announce_lease_until TO announce_not_before",
    ),
)
