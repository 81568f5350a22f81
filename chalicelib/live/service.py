"""Live updates: tickets that open a socket, the connections of each user, and pushing a message to them.

The browser cannot set headers on a WebSocket, and a URL ends up in logs, so the access token never
travels with the socket: a signed-in user asks for a ticket (256 bits, single use, 60 s), and
``$connect`` consumes it with one conditional delete, which binds the connection to the ticket's
tenant and user. A push reads the connections of the users it targets under the caller's tenant
(one Query each) and posts to each through API Gateway's Management API; a connection that is gone
is forgotten. A push never raises: a ringing call must not fail because a tab went away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from chalicelib.core import auth, aws, db, errors
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, tenant_key
from chalicelib.live.models import LiveConnection, LiveConnectionLookup, LiveTicket

TICKET_PREFIX = "lt_"
TICKET_SECONDS = 60
# API Gateway closes a WebSocket connection after two hours whatever happens (and after ten idle minutes).
CONNECTION_LIFETIME = timedelta(hours=2)
MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's limit on one WebSocket frame
MAX_PUSH_THREADS = 8
PING = "ping"
PONG = "pong"
RESERVED_TYPES = frozenset({PING, PONG})  # the socket's own messages, never an app's
_CONNECTION_ID = re.compile(r"^[A-Za-z0-9_+/=-]{1,128}$")  # API Gateway's ids: base64 text such as "L0SM9cOFvHcCIhw="
_TICKET = re.compile(r"^lt_[A-Za-z0-9_-]{40,64}$")
TICKET_SK = "TICKET"
LOOKUP_SK = "CONNECTION"


def _refused() -> errors.CRMError:
    return errors.UnauthenticatedError("The ticket is missing, used, expired or unknown; ask for a new one.",
                                       code="invalid_ticket")


# -- keys ------------------------------------------------------------------------------------


def connections_pk(ctx: TenantContext, user_id: str) -> str:
    """Partition of one user's open connections."""
    return tenant_key(ctx, "LIVE", user_id)


def lookup_key(connection_id: str) -> str:
    """Global key naming the tenant and user of a connection (``$disconnect`` knows only its id)."""
    return global_key("live", connection_id)


def ticket_key(ticket: str) -> str:
    """Global key of a ticket: the SHA-256 of the ticket, which is never stored."""
    return global_key("live-ticket", auth.token_digest(ticket))


def is_connection_id(value: Any) -> bool:
    """True when value has the shape of an API Gateway connection id."""
    return isinstance(value, str) and bool(_CONNECTION_ID.match(value))


# -- tickets and connections -----------------------------------------------------------------


def issue_ticket(ctx: TenantContext) -> str:
    """A single-use ticket that opens one socket for the calling user within 60 seconds."""
    if ctx.actor_kind != "user":
        raise errors.ForbiddenError("Live updates are for signed-in users, not API keys.", code="user_required")
    ticket = auth.new_opaque_token(TICKET_PREFIX)
    item = LiveTicket(ticket_key(ticket), TICKET_SK, tenant_id=ctx.tenant_id, user_id=ctx.actor_id,
                      expires_at=db.utcnow() + timedelta(seconds=TICKET_SECONDS))
    with db.translate_errors():
        item.save(condition=LiveTicket.pk.does_not_exist())
    return ticket


def _redeem(ticket: str | None) -> LiveTicket:
    """Consume a ticket: one DeleteItem that succeeds once, returning what the ticket named."""
    if not ticket or not _TICKET.match(ticket):
        raise _refused()
    with db.translate_errors(_refused):
        answer = LiveTicket._get_connection().delete_item(
            ticket_key(ticket), TICKET_SK, condition=LiveTicket.pk.exists(), return_values="ALL_OLD")
    redeemed = LiveTicket.from_raw_data(answer.get("Attributes") or {})
    expired = redeemed.expires_at is None or redeemed.expires_at <= db.utcnow()  # moto never expires items
    if expired or not is_valid_id(redeemed.tenant_id) or not is_valid_id(redeemed.user_id):
        raise _refused()
    return redeemed


def connect(*, connection_id: str, ticket: str | None, request_id: str | None = None) -> TenantContext:
    """Open a connection for the ticket's user: 401 without a valid ticket, 403 for an inactive user or tenant."""
    if not is_connection_id(connection_id):
        raise errors.BadRequestError("Not a connection id.")
    redeemed = _redeem(ticket)
    from chalicelib.identity import service as identity_service

    ctx = identity_service.system_context(redeemed.tenant_id, actor_id=redeemed.user_id, source="live",
                                          request_id=request_id)
    with bind(ctx):
        if not _active_users(ctx, [redeemed.user_id]):
            raise errors.ForbiddenError("The user or the company is not active.", code="inactive")
        now = db.utcnow()
        expires = now + CONNECTION_LIFETIME
        connection = LiveConnection(connections_pk(ctx, redeemed.user_id), connection_id, connection_id=connection_id,
                                    user_id=redeemed.user_id, connected_at=now, expires_at=expires)
        lookup = LiveConnectionLookup(lookup_key(connection_id), LOOKUP_SK, tenant_id=ctx.tenant_id,
                                      user_id=redeemed.user_id, expires_at=expires)
        db.commit(ctx, db.Change().save(connection).save(lookup))
    return ctx


def disconnect(connection_id: str) -> None:
    """Forget a closed connection (a no-op for one never opened or already forgotten)."""
    if not is_connection_id(connection_id):
        return
    try:
        lookup = LiveConnectionLookup.get(lookup_key(connection_id), LOOKUP_SK, consistent_read=True)
    except LiveConnectionLookup.DoesNotExist:
        return
    if not is_valid_id(lookup.tenant_id) or not is_valid_id(lookup.user_id):
        return
    ctx = TenantContext(tenant_id=lookup.tenant_id, actor_id=lookup.user_id, actor_kind="user", source="live")
    with bind(ctx):
        _forget(ctx, lookup.user_id, connection_id)


def _forget(ctx: TenantContext, user_id: str, connection_id: str) -> None:
    change = db.Change().delete(LiveConnection(connections_pk(ctx, user_id), connection_id))
    db.commit(ctx, change.delete(LiveConnectionLookup(lookup_key(connection_id), LOOKUP_SK)))


def connections(ctx: TenantContext, user_id: str) -> list[LiveConnection]:
    """The user's connections that may still be open (expired ones are skipped: moto never expires items)."""
    if not is_valid_id(user_id):
        return []
    now = db.utcnow()
    with db.translate_errors():
        found = list(LiveConnection.query(connections_pk(ctx, user_id)))
    return [c for c in found if db.owned(ctx, c) is not None and c.expires_at is not None and c.expires_at > now]


def _active_users(ctx: TenantContext, user_ids: list[str]) -> set[str]:
    """Those of user_ids that are active users of ctx's tenant, none when the tenant is not active (one read)."""
    from chalicelib.identity import service as identity_service
    from chalicelib.identity.models import Tenant, User

    tenant_key_ = (identity_service.tenant_pk(ctx), "TENANT")
    found = db.get_many(ctx, [tenant_key_, *((identity_service.users_pk(ctx), uid) for uid in user_ids)])
    tenant = found.get(tenant_key_)
    if not isinstance(tenant, Tenant) or tenant.status != "active":
        return set()
    return {item.user_id for item in found.values() if isinstance(item, User) and item.status == "active"}


# -- pushing ---------------------------------------------------------------------------------


def management_client() -> Any:
    """The API Gateway Management API client of the stage's WebSocket API (the local runner's, locally)."""
    return aws.client("apigatewaymanagementapi", endpoint_url=settings.live_endpoint_url)


def _encode(message: dict[str, Any]) -> bytes:
    kind = message.get("type") if isinstance(message, dict) else None
    if not isinstance(kind, str) or not kind or kind in RESERVED_TYPES:
        raise ValueError("a live message needs a type of its own")
    data = json.dumps(message, separators=(",", ":"), default=str).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"a live message is {len(data)} bytes, over API Gateway's {MAX_MESSAGE_BYTES}")
    return data


def _post(client: Any, connection_id: str, data: bytes) -> str:
    """Post to one connection: "sent", "gone" (closed: forget it) or the error code of a failure."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return "gone" if code == "GoneException" or status == 410 else code or f"http_{status}"
    except BotoCoreError as exc:  # the endpoint cannot be reached, a timeout ...
        return type(exc).__name__
    return "sent"


def _deliver(ctx: TenantContext, targets: list[LiveConnection], data: bytes) -> int:
    client = management_client()
    if len(targets) == 1:
        outcomes = [_post(client, targets[0].connection_id, data)]
    else:  # posts are independent HTTPS calls: a ring reaches every tab at about the same time
        with ThreadPoolExecutor(max_workers=min(len(targets), MAX_PUSH_THREADS)) as pool:
            outcomes = list(pool.map(lambda c: _post(client, c.connection_id, data), targets))
    for connection, outcome in zip(targets, outcomes, strict=True):
        if outcome == "gone":
            _forget_quietly(ctx, connection)
        elif outcome != "sent":
            logger.warning("live push to a connection failed", extra={"error": outcome})
    return outcomes.count("sent")


def _forget_quietly(ctx: TenantContext, connection: LiveConnection) -> None:
    try:
        _forget(ctx, connection.user_id, connection.connection_id)
    except Exception:  # noqa: BLE001 - the items expire anyway; a push never breaks its caller
        logger.warning("a gone live connection could not be forgotten", exc_info=True)


def push(ctx: TenantContext, user_ids: Iterable[str], message: dict[str, Any]) -> int:
    """Send message (JSON, ``{"type": ...}``) to every open connection of those users of ctx's tenant, if they
    and the tenant are active; the number of connections it reached. Never raises: failures are logged."""
    try:
        data = _encode(message)
        with bind(ctx):
            targets = [c for uid in dict.fromkeys(user_ids) for c in connections(ctx, uid)]
            if not targets:
                return 0
            active = _active_users(ctx, sorted({c.user_id for c in targets}))
            targets = [c for c in targets if c.user_id in active]
            sent = _deliver(ctx, targets, data) if targets else 0
    except Exception:  # noqa: BLE001 - a push is a courtesy to open tabs: it never breaks the caller's work
        logger.warning("live push failed", exc_info=True)
        return 0
    logger.info("live push", extra={"message_type": message["type"], "connections": len(targets), "sent": sent})
    return sent


def answer(connection_id: str, body: str | None) -> None:
    """Answer what a client sent: a ping gets a pong (the client's proof the socket still works); the rest
    is ignored."""
    if not body or len(body) > 1024 or not is_connection_id(connection_id):
        return
    try:
        message = json.loads(body)
    except ValueError:
        return
    if isinstance(message, dict) and message.get("type") == PING:
        outcome = _post(management_client(), connection_id, json.dumps({"type": PONG}).encode())
        if outcome not in ("sent", "gone"):
            logger.warning("live pong failed", extra={"error": outcome})
