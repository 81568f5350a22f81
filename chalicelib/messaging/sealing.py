"""Customers' words at rest: message texts, previews and the names channels give, sealed under the tenant's key.

One pair of functions, so that the record engine's generic sealing (issue #21) can take over in one place:
a message's text is sealed as entity ``message`` (the message id, field ``text``), a conversation's preview and
customer name as entity ``conversation`` (the conversation id, fields ``last_preview`` and ``customer_name``,
as the attributes are named: the tenant export opens them by attribute).
"""

from __future__ import annotations

from chalicelib.core import crypto
from chalicelib.core.tenancy import TenantContext


def seal(ctx: TenantContext, *, entity: str, record_id: str, field: str, text: str | None) -> str | None:
    """A customer's free text sealed for one field of one record (None stays None)."""
    if text is None:
        return None
    return crypto.encrypt_field(ctx, entity=entity, record_id=record_id, field=field, plaintext=text)


def unseal(ctx: TenantContext, *, entity: str, record_id: str, field: str, token: str | None) -> str | None:
    """The text a token sealed for that field of that record (None stays None)."""
    if not token:
        return None
    return crypto.decrypt_field(ctx, entity=entity, record_id=record_id, field=field, token=token)
