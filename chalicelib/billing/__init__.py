"""Plans and what they allow: the catalog, a tenant's standing, the one limit and feature check, usage
counters kept as writes happen, per-tenant rate limits, and the Stripe gateway.

The platform under identity and the record engine: it imports only ``core``, so sign-up, invitations,
API keys, roles, the record engine's create and integrations all check a plan through it. The tenant's
Stripe subscription, its webhook and the billing routes are ``chalicelib.subscriptions``.
"""
