"""API keys for server-to-server integrations (ERP, 1C, accounting).

A key reads ``crm_<key id>_<secret>``. Its global lookup item holds the SHA-256 of the secret
(the secret has 256 bits of entropy, so a slow hash adds nothing) and the key's permissions, so a
request is authenticated with one GetItem. Revoking deletes the lookup: refused at once.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.core import audit, auth, db, errors, http, permissions
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.identity import access
from chalicelib.identity.models import ApiKey, ApiKeyLookup, Tenant

PREFIX = "crm_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


def keys_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's API keys."""
    return tenant_key(ctx, "APIKEY")


def lookup_key(key_id: str) -> str:
    """Global key of an API key's lookup item."""
    return global_key("apikey", key_id)


def key_view(key: ApiKey) -> dict[str, object]:
    """The fields the audit trail records (never the secret)."""
    return {"name": key.name, "prefix": key.prefix, "permissions": sorted(key.permissions or []),
            "revoked_at": key.revoked_at}


def create(ctx: TenantContext, *, name: str, granted: list[str]) -> tuple[ApiKey, str]:
    """Create a key with some of the caller's permissions; the secret is returned once."""
    permissions.require(ctx, "api_keys", "create")
    access.check_grantable(ctx, granted)
    key_id = new_id()
    secret = f"{PREFIX}{key_id}_{auth.new_opaque_token()}"
    key = ApiKey(keys_pk(ctx), key_id, key_id=key_id, name=name, prefix=secret[: len(PREFIX) + 8],
                 permissions=sorted(set(granted)), created_by=ctx.actor_id)
    lookup = ApiKeyLookup(lookup_key(key_id), "KEY", tenant_id=ctx.tenant_id, key_id=key_id,
                          secret_digest=auth.token_digest(secret), permissions=sorted(set(granted)))
    change = db.Change().save(key).create(lookup)
    audit.attach(ctx, change, key, entity="api_key", entity_id=key_id, action="create", before=None,
                 after=key_view(key))
    db.commit(ctx, change)
    return key, secret


def list_keys(ctx: TenantContext) -> list[ApiKey]:
    """The tenant's keys, revoked ones included (their history matters)."""
    permissions.require(ctx, "api_keys", "read")
    return list(ApiKey.query(keys_pk(ctx)))


def revoke(ctx: TenantContext, key_id: str) -> ApiKey:
    """Revoke a key: its next request is refused."""
    permissions.require(ctx, "api_keys", "delete")
    key = db.get(ctx, ApiKey, keys_pk(ctx), key_id) if is_valid_id(key_id) else None
    if key is None:
        raise errors.NotFoundError("No such API key.")
    if key.revoked_at is not None:
        return key
    before = key_view(key)
    key.revoked_at = db.utcnow()
    change = db.Change().save(key).delete(ApiKeyLookup(lookup_key(key_id), "KEY"))
    audit.attach(ctx, change, key, entity="api_key", entity_id=key_id, action="revoke", before=before,
                 after=key_view(key))
    db.commit(ctx, change)
    return key


def _invalid() -> errors.CRMError:
    return errors.UnauthenticatedError("The API key is not valid.", code="invalid_api_key")


def authenticate(token: str) -> auth.Principal:
    """The principal of an API key, or 401."""
    key_id = token[len(PREFIX):].split("_", 1)[0]
    if not is_valid_id(key_id):
        raise _invalid()
    try:
        with db.translate_errors():
            lookup = ApiKeyLookup.get(lookup_key(key_id), "KEY")
    except ApiKeyLookup.DoesNotExist:
        raise _invalid() from None
    if not auth.digests_equal(lookup.secret_digest, auth.token_digest(token)):
        raise _invalid()
    principal = auth.Principal(tenant_id=lookup.tenant_id, actor_id=key_id, actor_kind="api_key", role="api_key",
                               permissions=frozenset(str(p) for p in lookup.permissions or ()))
    ctx = principal.context()
    with bind(ctx):
        tenant, key = _tenant_and_key(ctx, key_id)
        # A suspended company, or one waiting for deletion, is closed to its integrations too.
        if tenant is None or tenant.status != "active":
            raise errors.ForbiddenError("This company's account is suspended.", code="tenant_suspended")
        http.request_memo()[("tenant", ctx.tenant_id)] = tenant  # service.tenant_settings needs no second read
        _touch(key)
    return principal


def _tenant_and_key(ctx: TenantContext, key_id: str) -> tuple[Tenant | None, ApiKey | None]:
    keys = [(tenant_key(ctx, "TENANT"), "TENANT"), (keys_pk(ctx), key_id)]
    found = db.get_many(ctx, keys)  # one BatchGetItem
    tenant, key = (found.get(k) for k in keys)
    return (tenant if isinstance(tenant, Tenant) else None), (key if isinstance(key, ApiKey) else None)


def _touch(key: ApiKey | None) -> None:
    # Last-used time at a 5-minute resolution: a write per request would double the key's cost.
    now = db.utcnow()
    if key is None or (key.last_used_at and now - key.last_used_at < LAST_USED_RESOLUTION):
        return
    try:
        key.update(actions=[ApiKey.last_used_at.set(now)])
    except Exception:  # noqa: BLE001 - bookkeeping must never fail the request
        return
