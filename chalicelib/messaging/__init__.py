"""Messengers: WhatsApp Cloud API and Telegram Bot API deliveries become conversations; replies go out."""
