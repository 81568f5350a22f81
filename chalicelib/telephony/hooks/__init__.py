"""The public hooks telephony providers call."""
