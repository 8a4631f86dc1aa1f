"""Microsoft Graph: app tokens from msal and a small generic client (paging, throttling, retries)."""
