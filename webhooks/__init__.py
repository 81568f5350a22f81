"""The integrator kit: website-form snippet, provider sample payloads, ``python -m webhooks simulate``."""
