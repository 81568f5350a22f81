"""The WebSocket API's events ($connect, messages, $disconnect) as Chalice hands them to app.py's handlers.

Each answers API Gateway with a status: for ``$connect`` anything but 200 refuses the connection (401 for a
missing, used, expired or forged ticket, 403 for an inactive user or company); the others always answer 200
(a failure is logged). The ticket is read from the query string and never logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.core import errors, observability
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import new_id
from chalicelib.live import service


@contextmanager
def _logged(event: Any) -> Iterator[dict[str, Any]]:
    """Log keys set afresh for the event (a warm Lambda keeps them otherwise), cleared after it."""
    raw = event.to_dict()
    context = raw.get("requestContext") or {}
    observability.start_request(request_id=context.get("requestId") or new_id(),
                                route=str(context.get("routeKey") or ""), method="WEBSOCKET")
    try:
        yield raw
    finally:
        observability.end_request()


def on_connect(event: Any) -> dict[str, Any]:
    """``$connect``: consume the ticket and bind the connection to its tenant and user, or refuse it."""
    with _logged(event) as raw:
        ticket = (raw.get("queryStringParameters") or {}).get("ticket")
        try:
            ctx = service.connect(connection_id=event.connection_id, ticket=ticket,
                                  request_id=(raw.get("requestContext") or {}).get("requestId"))
        except Exception as exc:  # noqa: BLE001 - every refusal answers a status, never a stack trace
            return {"statusCode": _refusal(exc)}
        observability.bind_tenant(ctx.tenant_id, actor_id=ctx.actor_id)
        logger.info("live connection opened")
        return {"statusCode": 200}


def _refusal(exc: Exception) -> int:
    if isinstance(exc, errors.CRMError):
        logger.info("live connection refused", extra={"reason": exc.code})
        return exc.status
    from chalicelib.core import faults

    passing = faults.as_service_error(exc)
    if passing is not None:
        logger.warning("live connection refused: a dependency is unavailable", exc_info=True)
        return passing.status
    logger.exception("live connection failed")
    return 500


def on_message(event: Any) -> dict[str, Any]:
    """A message from the client: a ping is answered with a pong, anything else is ignored."""
    with _logged(event):
        try:
            service.answer(event.connection_id, event.to_dict().get("body"))
        except Exception:  # noqa: BLE001 - the client only misses a pong
            logger.exception("live message failed")
        return {"statusCode": 200}


def on_disconnect(event: Any) -> dict[str, Any]:
    """``$disconnect``: forget the connection (its items expire anyway if this fails)."""
    with _logged(event):
        try:
            service.disconnect(event.connection_id)
        except Exception:  # noqa: BLE001 - API Gateway does not retry a disconnect; TTL is the backstop
            logger.exception("live disconnect failed")
        return {"statusCode": 200}
