"""Tickets: drafts shown on cards, attachments seen in conversations, the outbox, and the local desk."""

from store.migrations import Migration

MIGRATION = Migration(
    3,
    "ticket drafts, attachment references, ticket outbox, local ticket desk",
    (
        # One confirmation card = one request; its id makes the ticket's idempotency key.
        """CREATE TABLE ticket_requests (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            user_email TEXT NOT NULL,
            language TEXT NOT NULL,
            subject TEXT NOT NULL,
            description TEXT NOT NULL,
            category TEXT NOT NULL,
            priority TEXT NOT NULL,
            phone TEXT NOT NULL,
            notices TEXT NOT NULL,
            files TEXT NOT NULL,
            state TEXT NOT NULL,
            lease_until DOUBLE PRECISION NOT NULL,
            idempotency_key TEXT NOT NULL,
            error TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX ticket_requests_by_state ON ticket_requests (state, lease_until)",
        "CREATE INDEX ticket_requests_by_conversation ON ticket_requests (conversation_id, created_at)",
        # Files users sent in a conversation (references only), for the next ticket.
        """CREATE TABLE ticket_attachment_refs (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            url TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX ticket_attachment_refs_by_conversation ON ticket_attachment_refs (conversation_id, created_at)",
        # Every ticket any skill files, until the desk has it (and the user has been told).
        """CREATE TABLE ticket_outbox (
            idempotency_key TEXT PRIMARY KEY,
            draft TEXT NOT NULL,
            subject TEXT NOT NULL,
            requester_email TEXT NOT NULL,
            notify_user_id TEXT NOT NULL,
            language TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at DOUBLE PRECISION NOT NULL,
            lease_owner TEXT NOT NULL,
            lease_until DOUBLE PRECISION NOT NULL,
            last_error TEXT NOT NULL,
            ticket TEXT NOT NULL,
            notify_state TEXT NOT NULL,
            notify_attempts INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX ticket_outbox_due ON ticket_outbox (state, next_attempt_at)",
        "CREATE INDEX ticket_outbox_notify ON ticket_outbox (notify_state, next_attempt_at)",
        "CREATE INDEX ticket_outbox_by_user ON ticket_outbox (notify_user_id, state)",
        # The local ticket desk (when no Pureservice is configured).
        """CREATE TABLE ticket_local (
            id TEXT PRIMARY KEY,
            number INTEGER NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL UNIQUE,
            subject TEXT NOT NULL,
            description TEXT NOT NULL,
            category TEXT NOT NULL,
            priority TEXT NOT NULL,
            requester_email TEXT NOT NULL,
            requester_key TEXT NOT NULL,
            requester_name TEXT NOT NULL,
            phone TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            announced_at DOUBLE PRECISION,
            announce_lease_until DOUBLE PRECISION NOT NULL,
            announce_thread TEXT NOT NULL
        )""",
        "CREATE INDEX ticket_local_by_requester ON ticket_local (requester_key, updated_at)",
        "CREATE INDEX ticket_local_unannounced ON ticket_local (announced_at, announce_lease_until)",
        """CREATE TABLE ticket_local_files (
            ticket_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (ticket_id, position)
        )""",
        """CREATE TABLE ticket_local_notes (
            id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX ticket_local_notes_by_ticket ON ticket_local_notes (ticket_id, created_at)",
        "CREATE TABLE ticket_local_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO ticket_local_counter (name, value) VALUES ('ticket', 1000)",
    ),
)
