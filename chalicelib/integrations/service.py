"""Integrations: create, read, change, disable, delete; webhook keys and signing secrets; hook routing.

The webhook key (256 bits, URL-safe) and the signing secret are sealed with the tenant's data key
(entity ``integration``, fields ``key`` and ``secret``); the secret is shown in clear only when it
is made. The public hook finds its tenant through a global lookup keyed by an HMAC of the key
(``core.secrets.hook_key``), so neither the table nor its backups hold a usable key in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as token_source
import threading
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from chalicelib.core import audit, crypto, db, errors, permissions
from chalicelib.core.config import settings as app_settings
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.core.warm import WarmCache
from chalicelib.identity import plans
from chalicelib.integrations import schemas as s
from chalicelib.integrations.models import HookLookup, Integration, RoundRobinTurn

ENTITY = "integrations"
AUDIT_ENTITY = "integration"
SECRET_PREFIX = "whsec_"
HOOK_SK = "HOOK"
TURN_SK_PREFIX = "TURN#"
# The plan feature an integration type needs (billing.catalog); a website form needs none.
PLAN_FEATURES = {"zadarma": "telephony", "mango": "telephony", "twilio": "telephony", "pbx": "telephony",
                 "whatsapp": "messengers", "telegram": "messengers", "email": "messengers"}
# What an integration may do when it acts for the tenant (a lead: contact, deal, task, timeline).
WEBHOOK_PERMISSIONS = frozenset(
    permissions.grant(["contacts", "deals", "tasks", "calls", "conversations"], ["read", "create", "update"], "all")
    | permissions.grant(["companies"], ["read", "create"], "all")  # a form lead's firm: found, else made
    | permissions.grant(["users", "teams", "pipelines", "customfields"], ["read"], "all")
)


def integrations_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's integrations (and their round-robin counters)."""
    return tenant_key(ctx, "INTEGRATION")


def key_digest(key: str) -> str:
    """The HMAC naming a webhook key's global lookup."""
    from chalicelib.core import secrets

    return hmac.new(secrets.hook_key(), key.encode(), hashlib.sha256).hexdigest()


def lookup_key(digest: str) -> str:
    """Global key of a webhook key's lookup item."""
    return global_key("hook", digest)


def hook_context(tenant_id: str, integration_id: str, *, request_id: str | None = None,
                 source_ip: str | None = None) -> TenantContext:
    """The context an integration acts in: its own actor, source "webhook", lead-making permissions."""
    return TenantContext(tenant_id=tenant_id, actor_id=integration_id, actor_kind="webhook", role="integration",
                         source="webhook", request_id=request_id, source_ip=source_ip,
                         permissions=WEBHOOK_PERMISSIONS)


# -- reading --------------------------------------------------------------------------------


def get(ctx: TenantContext, integration_id: str) -> Integration | None:
    """A live (not deleted) integration of ctx's tenant, or None; no permission check."""
    if not is_valid_id(integration_id):
        return None
    found = db.get(ctx, Integration, integrations_pk(ctx), integration_id)
    return found if found is not None and found.status != "deleted" else None


def get_or_raise(ctx: TenantContext, integration_id: str, *, action: str = "read") -> Integration:
    """An integration the caller may act on; 404 like a missing one otherwise."""
    permissions.require(ctx, ENTITY, action)
    found = get(ctx, integration_id)
    if found is None:
        raise errors.NotFoundError("No such integration.")
    return found


def list_integrations(ctx: TenantContext, *, limit: int, cursor: str | None) -> db.Page[Integration]:
    """The tenant's integrations, newest first (one Query per page)."""
    permissions.require(ctx, ENTITY, "read")
    return db.query_page(ctx, Integration, integrations_pk(ctx), scope="integrations", limit=limit, cursor=cursor,
                         range_key_condition=Integration.sk < TURN_SK_PREFIX,
                         filter_condition=Integration.status != "deleted")


def active_of_types(ctx: TenantContext, integration_types: set[str]) -> list[Integration]:
    """The tenant's active integrations of these types (no permission check: for what acts through them,
    such as a user's own telephone line). One paginated Query of the integrations partition."""
    with db.translate_errors():
        found = Integration.query(integrations_pk(ctx), Integration.sk < TURN_SK_PREFIX,
                                  filter_condition=(Integration.status == "active"))
        return [item for item in found if isinstance(item, Integration) and db.owned(ctx, item) is not None
                and item.integration_type in integration_types]


def webhook_key(ctx: TenantContext, integration: Integration) -> str:
    """The integration's webhook key in clear (part of its URL)."""
    return crypto.decrypt_field(ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id, field="key",
                                token=integration.key_token)


def signing_secret(ctx: TenantContext, integration: Integration) -> str:
    """The integration's signing secret in clear (to verify a signature)."""
    return crypto.decrypt_field(ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id, field="secret",
                                token=integration.secret)


def webhook_url(ctx: TenantContext, integration: Integration) -> str:
    """Where the provider or the website posts (``/hooks/forms/<key>``, ``/hooks/<provider>/<key>``)."""
    segment = "forms" if integration.integration_type == "form" else integration.integration_type
    return f"{app_settings.public_url}/hooks/{segment}/{webhook_key(ctx, integration)}"


def provider_secrets(ctx: TenantContext, integration: Integration) -> dict[str, str]:
    """A provider integration's secrets in clear (to verify a provider's signature or call its API)."""
    if not integration.credentials:
        return {}
    text = crypto.decrypt_field(ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id,
                                field="credentials", token=integration.credentials)
    loaded = json.loads(text)
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def adapter_credentials(ctx: TenantContext, integration: Integration) -> Any:
    """What a provider's adapter signs and calls with: settings, provider secrets, signing secret, hook URL."""
    from chalicelib.channels.adapters import Credentials

    return Credentials(settings=dict(integration.settings or {}), secrets=provider_secrets(ctx, integration),
                       signing_secret=signing_secret(ctx, integration), webhook_url=webhook_url(ctx, integration))


def served_url(ctx: TenantContext, integration: Integration) -> str | None:
    """The webhook URL a route serves, or None for a type nothing posts to (an e-mail line: SES stores its mail,
    which is forwarded to its settings' inbound_address)."""
    from chalicelib.channels import adapters

    adapter = adapters.find(integration.integration_type)
    return None if adapter is not None and not adapter.methods else webhook_url(ctx, integration)


def integration_read(ctx: TenantContext, integration: Integration) -> dict[str, Any]:
    """The API view of an integration (never its secret)."""
    return {"id": integration.integration_id, "type": integration.integration_type, "name": integration.name,
            "status": integration.status, "webhook_url": served_url(ctx, integration),
            "secret_hint": integration.secret_hint, "settings": dict(integration.settings or {}),
            "credential_hints": dict(integration.credential_hints or {}),
            "created_at": integration.created_at, "updated_at": integration.updated_at,
            "version": int(integration.version or 0), "stats": {}}


def form_settings(integration: Integration) -> s.FormSettings:
    """The settings of a form integration, with defaults for anything left out."""
    return s.FormSettings.model_validate(integration.settings or {})


# -- writing --------------------------------------------------------------------------------


def audit_view(integration: Integration | None) -> dict[str, Any] | None:
    """The fields the audit trail records (never the key or the secret)."""
    if integration is None:
        return None
    return {"name": integration.name, "type": integration.integration_type, "status": integration.status,
            "settings": dict(integration.settings or {}), "secret_hint": integration.secret_hint,
            "credential_hints": dict(integration.credential_hints or {}), "key_digest": integration.key_digest[:8]}


def _settings_model(integration_type: str) -> tuple[type[Any], tuple[str, ...]]:
    """The settings schema of a type and the settings among them that are provider secrets."""
    from chalicelib.channels import adapters

    adapter = adapters.find(integration_type)
    if adapter is not None:
        return adapter.settings_model, adapter.secret_settings
    return s.SETTINGS_MODELS[integration_type], ()


def _clean_settings(ctx: TenantContext, integration: Integration, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate settings and keep them; a provider's secrets are sealed apart (one left out keeps its
    stored value), so neither the answer, the audit trail nor an export ever holds one."""
    from chalicelib.records import matching

    model, secret_names = _settings_model(integration.integration_type)
    stored = provider_secrets(ctx, integration) if secret_names else {}
    merged = {**{k: v for k, v in stored.items() if k in secret_names}, **raw}
    try:
        # The company's country reads the phone numbers its settings hold as typed ("(718) 555-0100").
        cleaned = model.model_validate(merged, context={"region": matching.tenant_region(ctx)})
    except PydanticValidationError as exc:
        details = [{"loc": ["settings", *item["loc"]], "msg": item["msg"], "type": item["type"]}
                   for item in exc.errors(include_url=False, include_input=False, include_context=False)]
        raise errors.ValidationError(details=details) from exc
    _check_targets(ctx, cleaned)
    dumped: dict[str, Any] = cleaned.model_dump(mode="json")
    secrets_now = {name: str(dumped.pop(name)) for name in secret_names if dumped.get(name)}
    if secret_names and secrets_now != stored:
        integration.credentials = crypto.encrypt_field(
            ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id, field="credentials",
            plaintext=json.dumps(secrets_now))
        integration.credential_hints = {name: "…" + value[-4:] for name, value in secrets_now.items()}
    return dumped


def _check_targets(ctx: TenantContext, cleaned: Any) -> None:
    """The pipeline, stage and users a form or a telephony integration names exist (422 otherwise)."""
    from chalicelib.deals import pipelines as pipelines_service
    from chalicelib.identity import service as identity_service

    def invalid(loc: list[str | int], msg: str) -> errors.ValidationError:
        return errors.ValidationError(details=[{"loc": ["settings", *loc], "msg": msg, "type": "unknown_reference"}])

    def active_user(loc: list[str | int], user_id: str) -> None:
        user = identity_service.get_user(ctx, user_id)
        if user is None or user.status == "deactivated":
            raise invalid(loc, "No such active user")

    pipeline_id, stage_id = getattr(cleaned, "pipeline_id", None), getattr(cleaned, "stage_id", None)
    if stage_id and not pipeline_id:
        raise invalid(["pipeline_id"], "A stage needs its pipeline")
    if pipeline_id:
        pipeline = pipelines_service.get(ctx, pipeline_id)
        if pipeline is None:
            raise invalid(["pipeline_id"], "No such pipeline")
        if stage_id and pipelines_service.stage_of(pipeline, stage_id) is None:
            raise invalid(["stage_id"], "No such stage in this pipeline")
    responsible = getattr(cleaned, "responsible", None)
    for position, user_id in enumerate(responsible.user_ids if responsible is not None else []):
        active_user(["responsible", "user_ids", position], user_id)
    for extension, user_id in (getattr(cleaned, "extensions", None) or {}).items():
        active_user(["extensions", extension], user_id)


def _new_key(ctx: TenantContext, integration: Integration) -> HookLookup:
    key = token_source.token_urlsafe(32)  # 256 bits: unguessable, and URL-safe as a path segment
    integration.key_token = crypto.encrypt_field(ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id,
                                                 field="key", plaintext=key)
    integration.key_digest = key_digest(key)
    return HookLookup(lookup_key(integration.key_digest), HOOK_SK, tenant_id=ctx.tenant_id,
                      integration_id=integration.integration_id,
                      integration_type=integration.integration_type)


def _new_secret(ctx: TenantContext, integration: Integration) -> str:
    secret = SECRET_PREFIX + token_source.token_urlsafe(32)
    integration.secret = crypto.encrypt_field(ctx, entity=AUDIT_ENTITY, record_id=integration.integration_id,
                                              field="secret", plaintext=secret)
    integration.secret_hint = secret[-4:]
    return secret


def _own_lookup(ctx: TenantContext, integration: Integration) -> HookLookup | None:
    """The global lookup of the integration's key when it leads to this integration: an imported copy
    carries the source tenant's key, whose lookup stays with the source."""
    with db.translate_errors():
        try:
            lookup = HookLookup.get(lookup_key(integration.key_digest), HOOK_SK, consistent_read=True)
        except HookLookup.DoesNotExist:
            return None
    mine = lookup.tenant_id == ctx.tenant_id and lookup.integration_id == integration.integration_id
    return lookup if mine else None


def _release_key(ctx: TenantContext, change: db.Change, integration: Integration) -> None:
    """Delete the key's global lookup, but only when it is this integration's."""
    lookup = _own_lookup(ctx, integration)
    if lookup is not None:
        change.delete(lookup)


def _commit(ctx: TenantContext, change: db.Change, integration: Integration, *, action: str,
            before: dict[str, Any] | None) -> None:
    change.save(integration)
    audit.attach(ctx, change, integration, entity=AUDIT_ENTITY, entity_id=integration.integration_id,
                 action=action, before=before, after=audit_view(integration))
    db.commit(ctx, change)


def create(ctx: TenantContext, *, data: s.IntegrationCreate) -> tuple[Integration, str]:
    """Create an integration with a new webhook key and signing secret; the secret is returned once."""
    permissions.require(ctx, ENTITY, "create")
    plans.require(ctx, feature=PLAN_FEATURES.get(data.type))  # a phone line needs a plan with telephony
    integration_id = new_id()
    integration = Integration(integrations_pk(ctx), integration_id, integration_id=integration_id,
                              integration_type=data.type, name=data.name, status="active", settings={},
                              created_by=ctx.actor_id, key_token="", key_digest="", secret="", secret_hint="")
    integration.settings = _clean_settings(ctx, integration, data.settings)
    lookup = _new_key(ctx, integration)
    secret = _new_secret(ctx, integration)
    _connect(ctx, integration)
    _commit(ctx, db.Change().create(lookup), integration, action="create", before=None)
    return integration, secret


def _connect(ctx: TenantContext, integration: Integration) -> None:
    """Tell the provider where to post and with which secret (Telegram's setWebhook), before the integration is
    written: a provider that refuses answers 502 and nothing changes."""
    from chalicelib.channels import adapters

    adapter = adapters.find(integration.integration_type)
    if adapter is not None and integration.status == "active":
        learned = adapter.connect(adapter_credentials(ctx, integration))
        if learned:
            integration.settings = {**dict(integration.settings or {}), **learned}


def _writable(ctx: TenantContext, integration_id: str, version: int, action: str) -> Integration:
    integration = get_or_raise(ctx, integration_id, action=action)
    if int(integration.version or 0) != version:
        raise errors.VersionConflictError()
    return integration


def update(ctx: TenantContext, integration_id: str, *, data: s.IntegrationUpdate) -> Integration:
    """Rename, enable or disable an integration, or replace its settings."""
    integration = _writable(ctx, integration_id, data.version, "update")
    before = audit_view(integration)
    # The answer shows the webhook URL, which needs the tenant's key: open it before committing, so a KMS
    # outage answers 503 with nothing written rather than after the change is made.
    webhook_key(ctx, integration)
    if data.name is not None:
        integration.name = data.name
    change = db.Change()
    if data.status == "active" and integration.status != "active" and _own_lookup(ctx, integration) is None:
        change.create(_new_key(ctx, integration))  # an imported copy gets a URL of its own when enabled
    if data.status is not None:
        integration.status = data.status
    if data.settings is not None:
        integration.settings = _clean_settings(ctx, integration, data.settings)
    if data.settings is not None or (data.status == "active" and before and before["status"] != "active"):
        _connect(ctx, integration)
    integration.updated_at = db.utcnow()
    _commit(ctx, change, integration, action="update", before=before)
    return integration


def delete(ctx: TenantContext, integration_id: str) -> None:
    """Delete an integration: its URL answers 404 at once; its events stay until they expire."""
    integration = get_or_raise(ctx, integration_id, action="delete")
    before = audit_view(integration)
    integration.status = "deleted"  # kept as a tombstone so its events keep their integration
    integration.updated_at = db.utcnow()
    change = db.Change()
    _release_key(ctx, change, integration)
    _commit(ctx, change, integration, action="delete", before=before)


def rotate(ctx: TenantContext, integration_id: str, *, data: s.RotateIn) -> tuple[Integration, str | None]:
    """A new signing secret (returned once) or a new webhook key (the old URL answers 404 at once)."""
    integration = _writable(ctx, integration_id, data.version, "update")
    before = audit_view(integration)
    change = db.Change()
    secret: str | None = None
    if data.what == "secret":
        secret = _new_secret(ctx, integration)
    else:
        _release_key(ctx, change, integration)
        change.create(_new_key(ctx, integration))
    _connect(ctx, integration)
    integration.updated_at = db.utcnow()
    _commit(ctx, change, integration, action=f"rotate_{data.what}", before=before)
    return integration, secret


# -- the public hook ------------------------------------------------------------------------


# A webhook key always names the same tenant and integration (rotation makes a new key), so a warm
# Lambda remembers where its keys lead and reads only the integration itself on the next post;
# hook_integration then checks the key is still the integration's current one.
_ROUTES: dict[str, tuple[str, str, str]] = {}
_ROUTES_LOCK = threading.Lock()
ROUTES_KEPT = 1024


def resolve_hook(key: str, integration_type: str, *, source_ip: str | None = None) -> tuple[str, str, str] | None:
    """(tenant id, integration id, key digest) of a webhook key of this type, or None when unknown; a sender
    posting to unknown keys again and again is refused (429, ``guard``)."""
    from chalicelib.integrations import guard

    guard.refuse_if_blocked(source_ip)
    if not key or len(key) > 100:
        guard.count_miss(source_ip)
        return None
    digest = key_digest(key)
    with _ROUTES_LOCK:
        route = _ROUTES.get(digest)
    if route is None:
        with db.translate_errors():
            try:
                lookup = HookLookup.get(lookup_key(digest), HOOK_SK, consistent_read=True)
            except HookLookup.DoesNotExist:
                lookup = None
        if lookup is None:
            guard.count_miss(source_ip)
            return None
        route = (str(lookup.tenant_id), str(lookup.integration_id), str(lookup.integration_type))
        with _ROUTES_LOCK:
            _ROUTES[digest] = route
            if len(_ROUTES) > ROUTES_KEPT:
                del _ROUTES[next(iter(_ROUTES))]
    tenant_id, integration_id, found_type = route
    return (tenant_id, integration_id, digest) if found_type == integration_type else None


# The integration a hook posts to and its company, remembered HOOK_SECONDS per warm Lambda, like the principal
# (#22: a provider's delivery otherwise starts with a BatchGetItem of both). A change to either committed by this
# process forgets the tenant's entries at once; one made by another Lambda (disabled, key rotated, company
# suspended) takes effect here within HOOK_SECONDS.
HOOK_SECONDS = 5.0
_hooks = WarmCache(HOOK_SECONDS)


def _forget_hooks(ctx: TenantContext, items: list[Any]) -> None:
    from chalicelib.identity.models import Tenant

    if any(isinstance(item, (Integration, Tenant)) for item in items):
        _hooks.forget_tenant(ctx.tenant_id)


db.on_commit(_forget_hooks)


def hook_items(ctx: TenantContext, integration_id: str) -> tuple[Integration | None, Any]:
    """(the integration, its company's Tenant item) a hook posts to: one BatchGetItem, or none while remembered.
    The items are shared by the requests of this Lambda: read them, never change them."""
    from chalicelib.core import http
    from chalicelib.identity import service as identity_service

    def load() -> tuple[Integration | None, Any]:
        keys = [(integrations_pk(ctx), integration_id), (identity_service.tenant_pk(ctx), "TENANT")]
        with bind(ctx):
            found = db.get_many(ctx, keys)
        integration, tenant = (found.get(key) for key in keys)
        return integration if isinstance(integration, Integration) else None, tenant

    remembered: tuple[Integration | None, Any] = _hooks.remember((ctx.tenant_id, integration_id), load)
    if remembered[1] is not None:
        http.request_memo()[("tenant", ctx.tenant_id)] = remembered[1]  # the processor reads its settings
    return remembered


def active_integration(ctx: TenantContext, integration_id: str, *, digest: str | None = None) -> Integration | None:
    """The integration a hook posts to (``hook_items``), when it is active, still answers to the key with this
    digest, and its company is open for business."""
    from chalicelib.identity.models import Tenant

    if not is_valid_id(integration_id):
        return None
    integration, tenant = hook_items(ctx, integration_id)
    if integration is None or integration.status != "active":
        return None
    if digest is not None and integration.key_digest != digest:  # rotated: the old key leads nowhere
        return None
    return integration if isinstance(tenant, Tenant) and tenant.status == "active" else None


def take_turn(ctx: TenantContext, integration_id: str) -> int:
    """The next round-robin turn of an integration (an atomic counter: no two leads share a turn)."""
    turn = RoundRobinTurn(integrations_pk(ctx), TURN_SK_PREFIX + integration_id, integration_id=integration_id)
    with db.translate_errors():
        turn.update(actions=[RoundRobinTurn.turns.add(1), RoundRobinTurn.kind.set(RoundRobinTurn),
                             RoundRobinTurn.integration_id.set(integration_id)])
    return int(turn.turns) - 1


def responsible_user(ctx: TenantContext, integration: Integration, responsible: s.Responsible,
                     reads: tuple[str, ...] = ()) -> str:
    """Who handles what an integration brings: the fixed user, the next active one in the round whose role reads
    every entity in ``reads`` (a chat or a lead handed to an accountant's role without them is never opened), or
    the integration's creator; the company's owner when none of them is."""
    from chalicelib.identity import access as identity_access
    from chalicelib.identity import service as identity_service

    user_ids = list(responsible.user_ids) or [integration.created_by]
    start = 0
    if responsible.mode == "round_robin" and len(user_ids) > 1:
        start = take_turn(ctx, integration.integration_id) % len(user_ids)
    for offset in range(len(user_ids)):
        user = identity_service.get_user(ctx, user_ids[(start + offset) % len(user_ids)])
        if user is not None and user.status != "deactivated" and (
                not reads or set(reads) <= set(identity_access.handed_reads(ctx, {user.role})[user.role])):
            return str(user.user_id)
    return str(identity_service.tenant_settings_or_raise(ctx).owner_id)  # nobody left: the owner sees it


# -- revert ---------------------------------------------------------------------------------

REVERTABLE = frozenset({"name", "status", "settings"})
NOT_REVERTABLE = ("Only changes of an integration's name, status or settings can be reverted; "
                  "keys and secrets are rotated again instead.")


def integration_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> str | None:
    """Why a change of an integration can never be reverted (its creation, key, secret, deletion), or None."""
    return NOT_REVERTABLE if not before or not set(before) <= REVERTABLE else None


def revert_integration(ctx: TenantContext, integration_id: str, before: dict[str, Any] | None,
                       expected: int | None) -> None:
    """Put an integration's name, status or settings back (a key, a secret or a deletion cannot be)."""
    refused = integration_refusal(before)
    if refused is not None or not before:
        raise errors.ConflictError(refused or NOT_REVERTABLE, code="not_revertable")
    integration = get_or_raise(ctx, integration_id, action="update")
    version = int(integration.version or 0)
    if expected is not None and expected != version:
        raise errors.VersionConflictError()
    update(ctx, integration_id, data=s.IntegrationUpdate.model_validate({"version": version, **before}))


audit.register_reverter(AUDIT_ENTITY, revert_integration, refuses=integration_refusal)
