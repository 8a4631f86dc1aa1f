"""Handoffs to Kundeservice: the request and its state, and every relayed message in order."""

from store.migrations import Migration

MIGRATION = Migration(
    4,
    "handoffs to Kundeservice and their relayed messages",
    (
        """CREATE TABLE handoffs (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            user_id TEXT NOT NULL,
            user_conversation_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            user_email TEXT NOT NULL,
            municipality TEXT NOT NULL,
            language TEXT NOT NULL,
            summary TEXT NOT NULL,
            category TEXT NOT NULL,
            context TEXT NOT NULL,
            requested_at DOUBLE PRECISION NOT NULL,
            thread_id TEXT,
            card_activity_id TEXT,
            agent_id TEXT,
            agent_name TEXT,
            agent_email TEXT,
            claimed_at DOUBLE PRECISION,
            timeout_notified_at DOUBLE PRECISION,
            ended_by TEXT,
            ended_at DOUBLE PRECISION,
            resolved INTEGER,
            ticket_state TEXT,
            ticket_number TEXT,
            next_seq INTEGER NOT NULL DEFAULT 0,
            to_user_lease DOUBLE PRECISION NOT NULL DEFAULT 0,
            to_thread_lease DOUBLE PRECISION NOT NULL DEFAULT 0
        )""",
        # One waiting or running handoff per user conversation (a double click opens one).
        "CREATE UNIQUE INDEX handoffs_one_active ON handoffs (user_conversation_id) "
        "WHERE state IN ('waiting', 'claimed')",
        "CREATE INDEX handoffs_by_thread ON handoffs (thread_id)",
        "CREATE INDEX handoffs_by_state ON handoffs (state, requested_at)",
        """CREATE TABLE handoff_messages (
            id TEXT PRIMARY KEY,
            handoff_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            sender TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            text TEXT NOT NULL,
            masked TEXT NOT NULL,
            attachments TEXT NOT NULL,
            source_activity_id TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            delivered_at DOUBLE PRECISION,
            attempts INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            UNIQUE (handoff_id, seq),
            UNIQUE (handoff_id, source_activity_id)
        )""",
        "CREATE INDEX handoff_messages_undelivered ON handoff_messages (handoff_id, sender, delivered_at, seq)",
    ),
)
