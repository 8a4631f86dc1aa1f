"""PC replacement across campaigns: an order holds its PCs (one live order per serial number, whatever
campaign the card came from), one reminder schedule per person, failed sends the service retries,
and the register-correction ticket of a "not my PC" answer kept until it is filed."""

from store.migrations import Migration

MIGRATION = Migration(
    10,
    "pc orders per device, reminders per person, send retries, register correction tickets",
    (
        """CREATE TABLE pc_order_devices (
            serial TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            user_key TEXT NOT NULL
        )""",
        "CREATE INDEX pc_order_devices_by_order ON pc_order_devices (order_id)",
        """CREATE TABLE pc_people (
            user_key TEXT PRIMARY KEY,
            reminders INTEGER NOT NULL DEFAULT 0,
            last_contact_at DOUBLE PRECISION,
            remind_at DOUBLE PRECISION
        )""",
        # people who already got a card keep their schedule (the latest contact of any campaign)
        """INSERT INTO pc_people (user_key, reminders, last_contact_at, remind_at)
            SELECT user_key, MAX(reminders), MAX(COALESCE(last_reminded_at, sent_at)), MAX(remind_at)
            FROM pc_targets WHERE delivery = 'sent' GROUP BY user_key""",
        "ALTER TABLE pc_targets ADD COLUMN retry_at DOUBLE PRECISION",
        "ALTER TABLE pc_targets ADD COLUMN ticket_state TEXT NOT NULL DEFAULT 'none'",
        "ALTER TABLE pc_targets ADD COLUMN ticket_claimed_at DOUBLE PRECISION",
        "UPDATE pc_targets SET ticket_state = 'created' WHERE ticket_number <> ''",
        "UPDATE pc_targets SET ticket_state = 'pending' WHERE response = 'not_mine' AND ticket_number = ''",
    ),
)
