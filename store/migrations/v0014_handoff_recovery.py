"""Handoffs: the transcript ticket's id (a chat filed as open before the agent chose is updated later),
and the relay's in-flight mark (so a restart does not send a message twice where the channel tells)."""

from store.migrations import Migration

MIGRATION = Migration(
    14,
    "handoff ticket updates and the relay's in-flight mark",
    (
        "ALTER TABLE handoffs ADD COLUMN ticket_id TEXT",
        "ALTER TABLE handoffs ADD COLUMN ticket_update TEXT",  # 'resolve': the ticket is to be marked resolved
        "ALTER TABLE handoff_messages ADD COLUMN in_flight_since DOUBLE PRECISION",
        "ALTER TABLE handoff_messages ADD COLUMN sent_activity_id TEXT",
    ),
)
