"""Operator tooling run outside Lambda: ``python -m tenants ...``."""
