"""QuickBooks webhooks: signature check, parsing of both payload formats, the receiving view."""
