"""IP telephony: provider call events folded into calls on the customer's card; click-to-call; recordings."""
