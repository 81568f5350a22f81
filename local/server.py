"""``python -m local``: the embedded AWS and its resources, the app as ``chalice local`` serves it, its jobs.

Start-up order matters: the environment (stage variables from ``.chalice/config.json``, dummy
credentials, the embedded endpoint) must be complete before ``chalicelib`` is imported, because its
settings are read once at import; the snapshot is restored before moto serves anything, and before
provisioning, so provisioning only adds what a restored state lacks.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from local import aws, paths
from local.jobs import QueuePoller, Scheduler, unsupported_sources
from local.live import PATH as LIVE_PATH
from local.live import LiveGateway
from local.outbox import Outbox
from local.snapshot import FINAL_TIMEOUT_SECONDS, Snapshotter, StateGuard
from local.streams import StreamPoller
from local.stripe_sandbox import PREFIX as STRIPE_PATH
from local.stripe_sandbox import StripeSandbox

log = logging.getLogger("local")
# What the app's last request on this thread was (its route template, never a path with ids or keys), from its
# "request" log line, for the HTTP handler's one console line (``console_line``).
_last_request = threading.local()
QUIET_ROUTES = ("/", "/static/")  # the web app's files: no line when they are served

STAGE = "local"
DEFAULT_HTTP_PORT = 8000
EXIT_USAGE = 2
FORCE_AFTER_SECONDS = 2.0


class StartupError(Exception):
    """A reason not to start that the developer can act on; printed without a traceback."""


# -- the app, as `chalice local` loads it -----------------------------------------------------------


def chalice_config(project_dir: Path, stage: str = STAGE) -> Config:
    """The Chalice Config of a stage, built from ``.chalice/config.json`` as ``chalice local`` builds it."""
    config_file = project_dir / ".chalice" / "config.json"
    try:
        config_from_disk = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StartupError(f"cannot read {config_file}: {exc}") from exc
    if stage not in config_from_disk.get("stages", {}):
        raise StartupError(f"{config_file} has no stage {stage!r}")
    return Config(
        chalice_stage=stage,
        config_from_disk=config_from_disk,
        user_provided_params={"project_dir": str(project_dir)},
        default_params={"project_dir": str(project_dir), "api_gateway_stage": "api", "autogen_policy": True},
    )


def apply_stage_environment(config: Config) -> None:
    """Export the stage's environment variables, overriding the shell's, as ``chalice local`` does."""
    os.environ.update({name: str(value) for name, value in config.environment_variables.items()})
    os.environ.setdefault("AWS_CHALICE_CLI_MODE", "true")


def load_app(project_dir: Path) -> Chalice:
    """Import the Chalice app from ``<project>/app.py`` (with ``vendor/`` on the path, as in Lambda)."""
    import importlib

    from chalice.deploy.validate import validate_routes

    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    vendor = project_dir / "vendor"
    if vendor.is_dir() and str(vendor) not in sys.path:
        sys.path.append(str(vendor))
    module = importlib.import_module("app")
    app = getattr(module, "app", None)
    if not isinstance(app, Chalice):
        raise StartupError(f"{project_dir / 'app.py'} defines no Chalice object named app")
    validate_routes(app.routes)  # what `chalice local` checks: a route API Gateway would refuse
    return app


# -- HTTP: chalice's local gateway, answering in our error shape ------------------------------------


def _json_error(code: str, message: str) -> tuple[dict[str, str], bytes]:
    from chalicelib.core.errors import error_body

    request_id = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "x-amzn-RequestId": request_id,
    }
    return headers, json.dumps(error_body(code, message, request_id=request_id)).encode()


class RouteNotFound(LocalGatewayException):
    """No route matches: 404 in the API's error shape, as infra/ configures API Gateway to answer."""

    CODE = 404

    def __init__(self) -> None:
        super().__init__(*self.headers_and_body())

    @staticmethod
    def headers_and_body() -> tuple[dict[str, str], bytes]:
        """The 404 in the API's error shape."""
        from chalicelib.core.errors import RouteNotFoundError

        return _json_error(RouteNotFoundError.code, RouteNotFoundError.message)


class GatewayFailure(LocalGatewayException):
    """The app failed outside any view (middleware, event building): JSON 500, not a dropped connection."""

    CODE = 500

    def __init__(self) -> None:
        headers, body = _json_error("internal_error", "An internal error occurred; it has been logged.")
        super().__init__(headers, body)


class JsonLocalGateway(LocalGateway):
    """chalice's LocalGateway, except that an unknown route answers 404 JSON.

    Chalice's gateway raises ``ForbiddenError`` ("Missing Authentication Token", 403) for a path no
    route matches, mimicking API Gateway's default; our API Gateway has a gateway response that says
    404 ``route_not_found`` instead, so the local server must say the same.
    """

    def _generate_lambda_event(self, method: str, path: str, headers: dict[str, Any],
                               body: bytes | None) -> dict[str, Any]:
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError as exc:  # RouteMatcher's "no route" (chalice turns it into the 403)
            raise RouteNotFound() from exc

    def handle_request(self, method: str, path: str, headers: dict[str, Any],
                       body: bytes | None) -> dict[str, Any]:
        """Serve one request through the app, mapping gateway-level failures to JSON errors."""
        try:
            return super().handle_request(method, path, headers, body)
        except LocalGatewayException:
            raise
        except Exception as exc:  # the developer sees the traceback, the client JSON
            log.exception("request %s %s failed outside the app's error handling", method, path)
            raise GatewayFailure() from exc


class JsonRequestHandler(ChaliceRequestHandler):
    """chalice's request handler on a shared JsonLocalGateway, with http.server's own errors as JSON; the
    live-updates socket and its Management API (``/live``, local/live.py) are answered before chalice."""

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Config,
                 gateway: LocalGateway, live: LiveGateway | None = None, stripe: StripeSandbox | None = None) -> None:
        # chalice's __init__ builds a LocalGateway (and its route matcher) for every request; ours is
        # stateless and shared, so the base HTTP handler is initialised directly (it serves the request).
        self.local_gateway = gateway
        self.live = live
        self.stripe = stripe
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _serve(self) -> None:
        if self.live is not None and self.live.serves(self.path):
            self.live.serve(self)
        elif self.stripe is not None and self.stripe.serves(self.path):
            self.stripe.serve(self)
        else:
            self._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One short console line a request at most (``console_line``), instead of http.server's access line."""
        line = console_line(self.command, self.path, int(code) if str(code).isdigit() else 0,
                            getattr(_last_request, "seen", None))
        _last_request.seen = None
        if line:
            log.info(line)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server raises itself (bad request line, unknown method) in our JSON shape."""
        if code == HTTPStatus.NOT_IMPLEMENTED:  # a method no route has (TRACE ...): API Gateway answers our 404
            code, (headers, body) = HTTPStatus.NOT_FOUND, (RouteNotFound.headers_and_body())
        else:
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = "Error"
            headers, body = _json_error(phrase.lower().replace(" ", "_").replace("-", "_"), message or phrase)
        self.close_connection = True
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.wfile.write(body)


class PreboundHTTPServer(ThreadedHTTPServer):
    """chalice's threaded HTTP server on a socket bound earlier (so a busy port fails before any work)."""

    def __init__(self, sock: socket.socket, handler: Any) -> None:
        address = sock.getsockname()[:2]
        super().__init__(address, handler, bind_and_activate=False)
        self.server_close()  # TCPServer made a socket of its own; serve on the bound one instead
        self.socket = sock
        self.server_address = address
        # http.server would resolve the host's FQDN here, which can stall on a machine without DNS.
        self.server_name, self.server_port = address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closed its connection (a page left mid-load) is no error worth a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def create_http_server(app: Chalice, config: Config, sock: socket.socket,
                       live: LiveGateway | None = None, stripe: StripeSandbox | None = None) -> LocalDevServer:
    """A chalice LocalDevServer for app on sock, as ``chalice local`` creates one, plus the live-updates socket
    (and, under ``make run``, the sandbox Stripe at /stripe)."""
    # chalice.local.create_local_server's class swap: current_request becomes thread-local, which a
    # threaded server needs (two requests at once must not see each other's request).
    if not isinstance(app, CustomLocalChalice):  # an app served before (the test suite's) is swapped already
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    gateway = JsonLocalGateway(app, config)
    live = live or LiveGateway(app, config)
    host, port = sock.getsockname()[:2]
    return LocalDevServer(
        app, config, host, port,
        handler_cls=functools.partial(JsonRequestHandler, gateway=gateway, live=live, stripe=stripe),
        server_cls=lambda _address, handler: PreboundHTTPServer(sock, handler),
    )


# -- the runner -------------------------------------------------------------------------------------


def http_port() -> int:
    """The port to serve on: ``PORT``, else 8000."""
    raw = os.environ.get("PORT", "").strip() or str(DEFAULT_HTTP_PORT)
    if not raw.isdigit() or int(raw) > 65535:
        raise StartupError(f"PORT={raw!r} is not a port number")
    return int(raw)


@contextlib.contextmanager
def single_runner(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the state directory: two runners would overwrite each other's snapshot."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the HTTP port check still catches the usual case
        yield
        return
    lock_path = directory / "runner.lock"
    with open(lock_path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StartupError(
                f"{directory} is in use by another runner ({holder}); stop it, or set CRM_LOCAL_DIR "
                "to another directory"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield


def console_line(method: str, path: str, status: int, seen: tuple[str, str, int, float] | None) -> str | None:
    """The console's line for an HTTP request: the app's route template, status and time ("GET
    /api/v1/deals/{deal_id} 200 12 ms"), none for a web app file served; a request the app did not log (the
    live-updates socket, the Stripe sandbox, an unknown route) shows only when it failed, without its query."""
    if seen is not None:
        app_method, route, app_status, duration_ms = seen
        if app_status < 400 and (route == QUIET_ROUTES[0] or route.startswith(QUIET_ROUTES[1])):
            return None
        return f"{app_method} {route} {app_status} {duration_ms:.0f} ms"
    if status < 400:
        return None
    return f"{method} {path.split('?', 1)[0][:120]} {status}"


class RequestLineFilter(logging.Filter):
    """Drops the app's JSON "request" line (CloudWatch's, one a request), keeping what it said for the HTTP
    handler's short line; every other line of the app (warnings, errors, tracebacks) passes."""

    def __init__(self, keys: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self.keys = keys  # the app logger's keys of this thread: route and method

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != "request" or not hasattr(record, "status"):
            return True
        keys = self.keys()
        _last_request.seen = (str(keys.get("method") or "-"), str(keys.get("route") or "-"),
                              int(record.status), float(getattr(record, "duration_ms", 0.0)))
        return False


def quiet_console() -> None:
    """The app's console as a developer reads it: its request line as one short line (``console_line``), and no
    EMF metrics lines (CloudWatch's; nothing reads them here) unless POWERTOOLS_METRICS_DISABLED=false."""
    from chalicelib.core.observability import logger, metrics

    logging.getLogger(logger.name).addFilter(RequestLineFilter(logger.thread_safe_get_current_keys))
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() != "false":
        # Emptied, not printed. (POWERTOOLS_METRICS_DISABLED=true would keep the set instead: it grows with
        # every request, warns of a dimension added twice and prints it all once it holds 100 values.)
        metrics.flush_metrics = lambda raise_on_empty_metrics=False: metrics.clear_metrics()  # type: ignore[method-assign]


def _configure_logging() -> None:
    # As `chalice local` does: the app's log lines on stdout, bare, as Lambda would print them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "pynamodb", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Runner:
    """Everything ``python -m local`` starts, and stops in reverse order."""

    def __init__(self, project_dir: Path, state_dir: Path) -> None:
        self.project_dir = project_dir
        self.state_dir = state_dir
        self.guard = StateGuard()
        self.snapshots = Snapshotter(paths.snapshot_file(state_dir), self.guard)
        self.embedded: aws.EmbeddedAws | None = None
        self.http: LocalDevServer | None = None
        self.live: LiveGateway | None = None
        self.stripe: StripeSandbox | None = None
        self.http_thread: threading.Thread | None = None
        self.scheduler: Scheduler | None = None
        self.poller: QueuePoller | None = None
        self.streams: StreamPoller | None = None
        self.outbox = Outbox(state_dir / "outbox.jsonl")
        self.restored = False
        self.stop_requested = threading.Event()
        self._first_signal_at: float | None = None

    def start(self, http_sock: socket.socket) -> list[str]:
        """Bring everything up; returns the banner lines."""
        port = int(http_sock.getsockname()[1])
        url = f"http://{paths.LOOPBACK}:{port}"
        config = chalice_config(self.project_dir)
        apply_stage_environment(config)
        os.environ.setdefault("CRM_PUBLIC_URL", url)  # links in e-mails point at this server
        os.environ.setdefault("CRM_LIVE_ENDPOINT_URL", url + LIVE_PATH)  # the app posts live updates here
        # What the app would have sent a telephony or messenger provider, one JSON line per request.
        os.environ.setdefault("CRM_SANDBOX_LOG", str(self.state_dir / "provider-requests.jsonl"))
        # Stripe: the sandbox on this port (its API, Checkout and portal pages), never api.stripe.com.
        os.environ.setdefault("CRM_STRIPE_API_BASE", url + STRIPE_PATH)
        if os.environ["CRM_STRIPE_API_BASE"] == url + STRIPE_PATH:
            self.stripe = StripeSandbox(public_base=url + STRIPE_PATH, keys=_stage_stripe_keys,
                                        hook_url=url + "/hooks/stripe",
                                        state_path=self.state_dir / "stripe-sandbox.json").load()
        aws.use_dummy_credentials()

        usable, restore_note = self.snapshots.restore()
        if not usable:
            log.warning("warning: %s", restore_note)  # now, in case start-up fails before the banner
            restore_note = "the snapshot was unusable (see the warning above); started empty"
        self.restored = True  # from here on the final snapshot holds at least what was restored

        self.embedded = aws.start(self.guard.shared)
        endpoint = self.embedded.endpoint
        aws.point_sdks_at(endpoint)
        aws.export_jobs_queue(endpoint)  # webhook events are processed from it, as in AWS
        aws.write_endpoint(paths.endpoint_file(self.state_dir), endpoint)
        self.outbox.mark_seen()  # before provisioning and seeding, whose mail must be shown
        created = aws.provision()

        app = load_app(self.project_dir)
        quiet_console()
        from chalicelib.core.config import settings
        from local.seed import seed_demo_tenant

        # Served before the seed: the sign-up of the demo tenant makes its Stripe customer in the sandbox.
        self.live = LiveGateway(app, config)
        self.http = create_http_server(app, config, http_sock, self.live, self.stripe)
        self.http_thread = threading.Thread(
            target=self.http.server.serve_forever, kwargs={"poll_interval": 0.25}, name="http", daemon=True
        )
        self.http_thread.start()

        seed_lines = seed_demo_tenant()
        stripe_lines = _sync_plans() if self.stripe is not None else []
        self.scheduler = Scheduler(app, config, region=settings.region)
        self.poller = QueuePoller(app, config, region=settings.region)
        self.poller.prepare()
        aws.route_mail_bucket(next((c.arn for c in self.poller.consumers if c.queue_name == settings.mail_queue_name),
                                   None))  # mail dropped where SES stores it reaches app.mail_in (#17)
        self.streams = StreamPoller(app, config, region=settings.region)  # the domain-event feed (#19)
        self.streams.prepare(settings.table_name)
        self.snapshots.save()  # a fresh secret and seed survive even a kill -9 before the first period

        self.scheduler.start()
        self.poller.start()
        self.streams.start()
        self.snapshots.start()
        self.outbox.start()

        lines = [
            f"CRM (stage {settings.stage}) is running on {url}",
            f"  web app        {url}/",
            f"  API reference  {url}/api/docs",
            f"  health         {url}/api/v1/health",
            f"  live updates   ws://{paths.LOOPBACK}:{port}{LIVE_PATH}  (the WebSocket API; the app posts to "
            f"{url}{LIVE_PATH}/@connections)",
            f"  embedded AWS   {endpoint}  (also in {paths.endpoint_file(self.state_dir)})",
            *stripe_lines,
            f"  data           {restore_note}",
        ]
        if created:
            lines.append(f"  created        {', '.join(created)}")
        jobs = [f"{job.name} ({job.expression})" for job in self.scheduler.jobs]
        jobs += [f"{consumer.name} (queue {consumer.queue_name})" for consumer in self.poller.consumers]
        jobs += [f"{consumer.name} (the table's stream)" for consumer in self.streams.consumers]
        if jobs:
            lines.append(f"  jobs           {', '.join(jobs)}")
        problems = [*self.scheduler.problems, *unsupported_sources(app)]
        lines.extend(f"  warning        {problem}" for problem in problems)
        lines.append(f"  outbox         mail sent by the app is printed here and kept in {self.outbox.path}")
        lines.extend(seed_lines)
        lines.append("Ctrl-C stops it; the embedded data is saved to " + str(self.snapshots.path))
        return lines

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        """Signal handler: ask the main thread to shut down; a repeated signal later forces the exit."""
        now = time.monotonic()
        if self._first_signal_at is None:
            self._first_signal_at = now
            self.stop_requested.set()
        elif now - self._first_signal_at > FORCE_AFTER_SECONDS:
            # Ctrl-C again while shutdown hangs: die now. Within the grace period a repeat is ignored,
            # because the same signal often arrives twice (the terminal's process group plus a wrapper
            # such as make or timeout forwarding it), and must not cut the final snapshot short.
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    def wait(self) -> None:
        """Block the main thread until SIGINT or SIGTERM."""
        # A timed wait, so the signal handler gets to run promptly on every platform.
        while not self.stop_requested.wait(0.2):
            if self.http_thread is not None and not self.http_thread.is_alive():
                log.error("the HTTP server stopped unexpectedly")
                return

    def stop(self) -> bool:
        """Stop serving and jobs, take the final snapshot, stop the embedded AWS; False if not saved.

        Each step runs even if an earlier one failed: the final snapshot matters most.
        """
        http, http_thread = self.http, self.http_thread
        if self.live is not None:  # sockets first: their $disconnect handlers still reach the embedded AWS
            _attempt("closing the live-updates sockets", self.live.close_all)
        if http is not None:
            if http_thread is not None and http_thread.is_alive():
                # Only a running serve_forever can acknowledge a shutdown; otherwise this would hang.
                _attempt("stopping the HTTP server", http.shutdown)
            _attempt("closing the HTTP server", http.server.server_close)
        for component in (self.scheduler, self.poller, self.streams):
            if component is not None:
                _attempt(f"stopping {type(component).__name__}", component.stop)
        _attempt("delivering the last mail", self.outbox.stop)
        _attempt("stopping periodic snapshots", self.snapshots.stop)
        saved = True
        if self.restored:
            saved = _attempt("taking the final snapshot", lambda: self.snapshots.save(FINAL_TIMEOUT_SECONDS))
        if self.embedded is not None and self.embedded.started:
            _attempt("stopping the embedded AWS", self.embedded.stop)
        with contextlib.suppress(FileNotFoundError):
            paths.endpoint_file(self.state_dir).unlink()
        return saved


def _stage_stripe_keys() -> tuple[str, str]:
    """The stage secret's Stripe keys (the sandbox accepts that key and signs its events with that secret)."""
    from chalicelib.core import secrets

    return str(secrets.stripe_api_key()), str(secrets.stripe_webhook_secret())


def _sync_plans() -> list[str]:
    """The catalog's products and prices in the sandbox (``python -m tenants sync-plans``, idempotent)."""
    from chalicelib.billing import prices

    try:
        done = prices.sync()
    except Exception as exc:  # the CRM still runs; checkout answers 503 until the next start
        log.exception("syncing the plans to the Stripe sandbox failed")
        return [f"  warning        plans not synced to the Stripe sandbox: {exc}"]
    made = sum(1 for line in done if "up to date" not in line)
    return [f"  stripe         sandbox at {os.environ['CRM_STRIPE_API_BASE']} (checkout and portal pages, signed "
            f"webhooks; {len(done)} catalog objects, {made} made now)"]


def _attempt(what: str, step: Callable[[], object]) -> bool:
    try:
        step()
    except Exception:
        log.exception("%s failed", what)
        return False
    return True


def main() -> int:
    """Run until Ctrl-C or SIGTERM; returns the process exit status."""
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # banner visible when piped
    _configure_logging()
    state_dir = paths.local_dir()
    try:
        port = http_port()
        http_sock = paths.bind_loopback(port)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except paths.PortInUseError as exc:
        reason = "is in use" if exc.errno == errno.EADDRINUSE else "needs privileges"
        print(f"error: port {port} {reason}; set PORT=... to serve elsewhere, e.g. PORT={port + 1} make run",
              file=sys.stderr)
        return 1

    runner = Runner(paths.REPO_ROOT, state_dir)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, runner.request_stop)
    status = 0
    try:
        with single_runner(state_dir):
            try:
                banner = runner.start(http_sock)
            except StartupError as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 1
            except paths.PortInUseError as exc:
                print(f"error: the embedded AWS cannot listen: {exc}; set CRM_AWS_PORT to a free port, "
                      "or unset it to let the runner choose", file=sys.stderr)
                status = 1
            except Exception:  # report, then still stop cleanly and keep the data
                log.exception("start-up failed")
                status = 1
            else:
                print("\n".join(banner), flush=True)
                runner.wait()
                print("stopping ...", flush=True)
            finally:
                if not runner.stop():
                    print(f"error: the final snapshot was not saved; {runner.snapshots.path} holds the "
                          "previous one", file=sys.stderr)
                    status = 1
                http_sock.close()
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        http_sock.close()
        return 1
    if status == 0:
        print(f"stopped; embedded data saved to {runner.snapshots.path}", flush=True)
    return status
