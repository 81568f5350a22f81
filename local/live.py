"""The live-updates socket as API Gateway's WebSocket API serves it, for ``python -m local`` and the browser tests.

``chalice local`` serves no WebSocket, so the runner does, on the app's own port and origin:

- ``GET /live?ticket=...`` with ``Upgrade: websocket`` is the socket. ``$connect`` runs before the handshake
  completes: any status but 200 from the app's handler refuses it with that status, as API Gateway does.
  Each text the client sends reaches the ``$default`` handler, and the close reaches ``$disconnect``.
- ``/live/@connections/<connection id>`` is the API Gateway Management API, where the app's boto3 client
  points locally (``CRM_LIVE_ENDPOINT_URL``): POST sends its body to the socket, DELETE closes it, GET
  describes it; each answers 410 ``GoneException`` when the connection is not open. A connection stays
  known (GET answers 200) until its ``$disconnect`` handler has returned.

Events are shaped as API Gateway shapes them (``requestContext.connectionId``, ``routeKey``, ``eventType``,
``queryStringParameters`` ...) and go through the functions app.py defines, as Lambda would call them.
Unlike API Gateway, the runner does not close idle (10 minutes) or old (2 hours) connections.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("local.live")

PATH = "/live"  # chalicelib.core.config.LOCAL_LIVE_PATH: the app derives its local URLs from the same path
MANAGEMENT = PATH + "/@connections/"
API_ID = "local"
STAGE = "api"
MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's limit on a message, either way
RECEIVE_POLL_SECONDS = 0.5  # how soon a socket the server closed stops waiting for the client
CLOSE_WAIT_SECONDS = 5.0
GOING_AWAY = 1001

Handler = Callable[[dict[str, Any], Any], Any]


def _now_ms() -> int:
    return int(time.time() * 1000)


def new_connection_id() -> str:
    """An id shaped like API Gateway's (16 characters of base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


class LocalConnection:
    """One client socket: pending until ``$connect`` accepts it (messages posted meanwhile wait), then open."""

    def __init__(self, connection_id: str, *, source_ip: str, user_agent: str) -> None:
        self.connection_id = connection_id
        self.source_ip = source_ip
        self.user_agent = user_agent
        self.connected_at = _now_ms()
        self.last_active_at = self.connected_at
        self.closed = False
        self._socket: Any = None
        self._pending: list[str | bytes] = []
        self._closing: int | None = None
        self._lock = threading.Lock()

    def open(self, socket: Any) -> None:
        """The handshake is done: send what was posted while ``$connect`` ran (or the close asked for meanwhile)."""
        with self._lock:
            self._socket = socket
            pending, self._pending = self._pending, []
            closing = self._closing
        if closing is not None:
            _close_socket(socket, closing)
            return
        for data in pending:
            self.send(data)

    def send(self, data: str | bytes) -> bool:
        """Send a message (text when it is UTF-8, as API Gateway does); False when the socket is closed."""
        from simple_websocket import ConnectionClosed

        with self._lock:
            if self.closed:
                return False
            if self._socket is None:
                self._pending.append(data)
                return True
            try:
                self._socket.send(data)
            except (ConnectionClosed, OSError):
                self.closed = True
                return False
        self.last_active_at = _now_ms()
        return True

    def close(self, reason: int = 1000) -> None:
        """Close from the server's side (the Management API's DELETE, the runner stopping)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            socket = self._socket
            if socket is None:  # still in $connect or its handshake: closed as soon as it opens
                self._closing = reason
        if socket is not None:
            _close_socket(socket, reason)

    def describe(self) -> dict[str, Any]:
        """What the Management API's GetConnection answers."""
        def iso(ms: int) -> str:
            return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")

        return {"connectedAt": iso(self.connected_at), "lastActiveAt": iso(self.last_active_at),
                "identity": {"sourceIp": self.source_ip, "userAgent": self.user_agent}}


def _close_socket(socket: Any, reason: int) -> None:
    from simple_websocket import ConnectionClosed

    with contextlib.suppress(ConnectionClosed, OSError):
        socket.close(reason=reason)


def event(route_key: str, connection: LocalConnection, *, body: str | None = None, is_base64: bool = False,
          headers: dict[str, str] | None = None, query: str = "", domain: str = "127.0.0.1") -> dict[str, Any]:
    """A WebSocket API event as API Gateway hands it to a Lambda (proxy integration)."""
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    now = _now_ms()
    context: dict[str, Any] = {
        "routeKey": route_key, "eventType": event_type, "messageDirection": "IN", "stage": STAGE, "apiId": API_ID,
        "domainName": domain, "connectionId": connection.connection_id, "connectedAt": connection.connected_at,
        "requestId": str(uuid.uuid4()), "extendedRequestId": str(uuid.uuid4()), "requestTimeEpoch": now,
        "requestTime": datetime.fromtimestamp(now / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
    }
    answer: dict[str, Any] = {"requestContext": context, "isBase64Encoded": is_base64}
    if event_type == "MESSAGE":
        context["messageId"] = str(uuid.uuid4())
        answer["body"] = body
    if event_type == "CONNECT":
        many = parse_qs(query, keep_blank_values=True)
        answer["headers"] = dict(headers or {})
        answer["multiValueHeaders"] = {name: [value] for name, value in (headers or {}).items()}
        answer["queryStringParameters"] = {name: values[-1] for name, values in many.items()} or None
        answer["multiValueQueryStringParameters"] = many or None
    return answer


class LiveGateway:
    """The WebSocket API and its Management API in front of the app's ``@app.on_ws_*`` handlers."""

    def __init__(self, app: Any, config: Any = None) -> None:
        self._handlers: dict[str, Handler] = {route: app.handler_map[handler.name]
                                              for route, handler in app.websocket_handlers.items()}
        # The function names chalice deploys them as (and reads their settings under in .chalice/config.json).
        self._names = {"$connect": "websocket_connect", "$disconnect": "websocket_disconnect"}
        self._app_name = str(getattr(app, "app_name", "app"))
        self._config = config
        self._connections: dict[str, LocalConnection] = {}
        self._changed = threading.Condition()

    @staticmethod
    def serves(path: str) -> bool:
        """True for the paths this gateway answers (the socket and the Management API)."""
        return urlsplit(path).path == PATH or path.startswith(MANAGEMENT)

    def open_connections(self) -> list[str]:
        """The ids of the connections known now."""
        with self._changed:
            return list(self._connections)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one request the HTTP server received on a path this gateway serves."""
        split = urlsplit(request.path)
        if split.path == PATH:
            self._socket(request, split.query)
        else:
            self._manage(request, unquote(split.path[len(MANAGEMENT):]))

    def wait_until_gone(self, connection_id: str, timeout: float) -> bool:
        """Wait (bounded) until a connection is forgotten, its ``$disconnect`` handler done; False on timeout."""
        return self._wait(lambda: connection_id not in self._connections, timeout)

    def close_all(self, timeout: float = CLOSE_WAIT_SECONDS) -> bool:
        """Close every socket and wait (bounded) for their ``$disconnect`` handlers: the runner is stopping."""
        with self._changed:
            open_now = list(self._connections.values())
        for connection in open_now:
            connection.close(GOING_AWAY)
        return self._wait(lambda: not self._connections, timeout)

    def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    # -- the app's handlers -------------------------------------------------------------------------

    def _call(self, route_key: str, payload: dict[str, Any]) -> int:
        """Run the route's handler as Lambda would; its status (a missing ``$connect`` handler accepts)."""
        handler = self._handlers.get(route_key)
        if handler is None:
            return 200
        from local.jobs import lambda_context

        name = f"{self._app_name}-local-{self._names.get(route_key, 'websocket_message')}"
        try:
            answer = handler(payload, lambda_context(name, self._config))
        except Exception:  # a Lambda that raises: API Gateway answers 500 (and refuses a $connect)
            log.exception("the %s handler failed", route_key)
            return 500
        status = answer.get("statusCode", 200) if isinstance(answer, dict) else 200
        return int(status) if str(status).isdigit() else 500

    # -- the socket ---------------------------------------------------------------------------------

    def _socket(self, request: BaseHTTPRequestHandler, query: str) -> None:
        request.requestline = f"{request.command} {PATH} {request.request_version}"  # logged: never the ticket
        headers = dict(request.headers.items())
        lowered = {name.lower(): value for name, value in headers.items()}
        upgrade = lowered.get("upgrade", "").lower() == "websocket" and lowered.get("sec-websocket-version") == "13"
        if request.command != "GET" or not upgrade or not lowered.get("sec-websocket-key"):
            _answer(request, 426, {"message": "Upgrade Required"}, extra={"Upgrade": "websocket"})
            return
        connection = LocalConnection(new_connection_id(), source_ip=request.client_address[0],
                                     user_agent=lowered.get("user-agent", ""))
        self._register(connection)
        payload = event("$connect", connection, headers=headers, query=query,
                        domain=lowered.get("host", "127.0.0.1").split(":")[0])
        status = self._call("$connect", payload)
        if not 200 <= status < 300:
            self._unregister(connection)
            _answer(request, status, {"message": "Forbidden" if status == 403 else "Refused"})
            return
        socket = self._handshake(request, headers)
        if socket is None:
            self._disconnect(connection)
            return
        connection.open(socket)
        try:
            self._receive(connection, socket)
        finally:
            request.close_connection = True
            self._disconnect(connection)

    def _handshake(self, request: BaseHTTPRequestHandler, headers: dict[str, str]) -> Any:
        from simple_websocket import Server

        environ = {"werkzeug.socket": request.connection,
                   **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}}
        try:
            return Server(environ, max_message_size=MAX_MESSAGE_BYTES)
        except Exception:  # a handshake the client broke off
            log.warning("a live socket handshake failed", exc_info=True)
            request.close_connection = True
            return None

    def _receive(self, connection: LocalConnection, socket: Any) -> None:
        from simple_websocket import ConnectionClosed

        while not connection.closed:
            try:
                data = socket.receive(timeout=RECEIVE_POLL_SECONDS)
            except ConnectionClosed:
                return
            if data is None:
                continue
            connection.last_active_at = _now_ms()
            if isinstance(data, bytes):  # binary frames reach the Lambda as base64 text
                payload = event("$default", connection, body=base64.b64encode(data).decode(), is_base64=True)
            else:
                payload = event("$default", connection, body=data)
            self._call("$default", payload)

    def _disconnect(self, connection: LocalConnection) -> None:
        connection.close()
        try:
            self._call("$disconnect", event("$disconnect", connection))
        finally:
            self._unregister(connection)

    def _register(self, connection: LocalConnection) -> None:
        with self._changed:
            self._connections[connection.connection_id] = connection

    def _unregister(self, connection: LocalConnection) -> None:
        with self._changed:
            self._connections.pop(connection.connection_id, None)
            self._changed.notify_all()

    # -- the Management API -------------------------------------------------------------------------

    def _manage(self, request: BaseHTTPRequestHandler, connection_id: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length > 0 else b""
        with self._changed:
            connection = self._connections.get(connection_id)
        if connection is None or (connection.closed and request.command != "GET"):
            _answer(request, 410, {"message": None}, extra={"x-amzn-ErrorType": "GoneException"})
            return
        if request.command == "GET":
            _answer(request, 200, connection.describe())
        elif request.command == "DELETE":
            connection.close()
            _answer(request, 204, None)
        elif request.command != "POST":
            _answer(request, 405, {"message": "Method Not Allowed"})
        elif length > MAX_MESSAGE_BYTES:
            _answer(request, 413, {"message": "Message too long"},
                    extra={"x-amzn-ErrorType": "PayloadTooLargeException"})
        elif connection.send(_as_text(data)):
            _answer(request, 200, None)
        else:
            _answer(request, 410, {"message": None}, extra={"x-amzn-ErrorType": "GoneException"})


def _as_text(data: bytes) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _answer(request: BaseHTTPRequestHandler, status: int, payload: Any, *,
            extra: dict[str, str] | None = None) -> None:
    body = b"" if payload is None else json.dumps(payload).encode()
    request.send_response(status)
    for name, value in {"Content-Type": "application/json", **(extra or {})}.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(body)))
    if status >= 400 or request.close_connection:
        request.send_header("Connection", "close")
        request.close_connection = True
    request.end_headers()
    if body and request.command != "HEAD":
        request.wfile.write(body)
