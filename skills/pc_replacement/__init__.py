"""PC replacement (PC-rullering): the campaign, the order card, leader approval, reminders and the report."""
