"""The relay's leases are rows of the shared ``leases`` table now (store/leases.py, with heartbeats):
the two lease columns of ``handoffs`` go."""

from store.migrations import Migration

MIGRATION = Migration(
    15,
    "handoff relay leases in the shared leases table",
    (
        "ALTER TABLE handoffs DROP COLUMN to_user_lease",
        "ALTER TABLE handoffs DROP COLUMN to_thread_lease",
    ),
)
