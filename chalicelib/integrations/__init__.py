"""Integrations: a tenant's connections to websites, telephony and messengers, their keys and secrets."""
