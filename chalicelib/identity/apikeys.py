"""API keys for server-to-server integrations (ERP, 1C, accounting).

A key reads ``crm_<key id>_<secret>``. Its global lookup item holds the SHA-256 of the secret
(the secret has 256 bits of entropy, so a slow hash adds nothing), the key's permissions and its
creator. Revoking deletes the lookup: refused at once. A key acts with at most its creator's current
rights: the permissions it was given that its creator still holds, and none once the creator is
deactivated (the creator is read with the tenant and the key, in the one BatchGetItem of every request).
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from chalicelib.core import audit, auth, db, errors, http, permissions
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.identity import access, plans
from chalicelib.identity.models import ApiKey, ApiKeyLookup, Tenant, User

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
    plans.require(ctx, feature="api_keys")
    if ctx.actor_kind != "user":  # a key answers to a person, whose rights bound it: not to another key
        raise errors.ForbiddenError("Only a signed-in user can create an API key.", code="not_a_user")
    # The creator's field rules come with the key (its requests would keep them anyway: permissions.within).
    granted = [*granted, *(p for p in ctx.permissions if permissions.field_rule(p) is not None and p not in granted)]
    access.check_grantable(ctx, granted)
    key_id = new_id()
    secret = f"{PREFIX}{key_id}_{auth.new_opaque_token()}"
    key = ApiKey(keys_pk(ctx), key_id, key_id=key_id, name=name, prefix=secret[: len(PREFIX) + 8],
                 permissions=sorted(set(granted)), created_by=ctx.actor_id)
    lookup = ApiKeyLookup(lookup_key(key_id), "KEY", tenant_id=ctx.tenant_id, key_id=key_id,
                          secret_digest=auth.token_digest(secret), permissions=sorted(set(granted)),
                          created_by=ctx.actor_id)
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
    """The principal of an API key, or 401: with the key's permissions its creator still holds."""
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
    ctx = auth.Principal(tenant_id=lookup.tenant_id, actor_id=key_id, actor_kind="api_key", role="api_key").context()
    with bind(ctx):
        tenant, key, creator = _tenant_key_and_creator(ctx, lookup)
        # A suspended company, or one waiting for deletion, is closed to its integrations too.
        if tenant is None or tenant.status != "active":
            raise errors.ForbiddenError("This company's account is suspended.", code="tenant_suspended")
        if creator is None or creator.status != "active":
            raise errors.UnauthenticatedError("The person who created this API key is no longer active; ask an "
                                              "administrator for a new key.", code="api_key_creator_inactive")
        held = access.role_permissions(ctx, creator.role) or frozenset()
        http.request_memo()[("tenant", ctx.tenant_id)] = tenant  # service.tenant_settings needs no second read
        _touch(key)
    granted = permissions.within(held, (str(p) for p in lookup.permissions or ()))
    return auth.Principal(tenant_id=lookup.tenant_id, actor_id=key_id, actor_kind="api_key", role="api_key",
                          permissions=granted)


def _tenant_key_and_creator(ctx: TenantContext, lookup: ApiKeyLookup) -> tuple[Tenant | None, ApiKey | None,
                                                                                User | None]:
    """The tenant, the key and its creator in one BatchGetItem (a key made before lookups named their creator
    reads the creator after the key, once: the lookup is then told)."""
    keys = [(tenant_key(ctx, "TENANT"), "TENANT"), (keys_pk(ctx), lookup.key_id)]
    if lookup.created_by:
        keys.append((tenant_key(ctx, "USER"), lookup.created_by))
    found = db.get_many(ctx, keys)  # one BatchGetItem
    tenant, key = found.get(keys[0]), found.get(keys[1])
    key = key if isinstance(key, ApiKey) else None
    creator = found.get(keys[2]) if lookup.created_by else None
    if not lookup.created_by and key is not None:
        creator = db.get(ctx, User, tenant_key(ctx, "USER"), key.created_by)
        with contextlib.suppress(Exception):  # bookkeeping must never fail the request
            lookup.update(actions=[ApiKeyLookup.created_by.set(key.created_by)])
    return (tenant if isinstance(tenant, Tenant) else None), key, (creator if isinstance(creator, User) else None)


def _touch(key: ApiKey | None) -> None:
    # Last-used time at a 5-minute resolution: a write per request would double the key's cost.
    now = db.utcnow()
    if key is None or (key.last_used_at and now - key.last_used_at < LAST_USED_RESOLUTION):
        return
    try:
        key.update(actions=[ApiKey.last_used_at.set(now)])
    except Exception:  # noqa: BLE001 - bookkeeping must never fail the request
        return
