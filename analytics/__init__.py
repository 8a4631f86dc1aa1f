"""Analytics: what happened on every turn (never the message text), the definitions of the figures,
and the monthly report for ROR-IKT's board."""
