"""Conversations: a customer's thread on one channel (WhatsApp, Telegram, ...) as a record type of the engine."""
