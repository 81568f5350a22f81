"""A person's data: what the company holds on one contact, its export (GDPR Art. 15/20) and its erasure (Art. 17)."""
