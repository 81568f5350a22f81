"""Keep the embedded AWS state across restarts: moto's backends pickled to ``.local/snapshot.pickle``.

moto keeps everything in memory, in one ``BackendDict`` per service (account -> region -> backend).
A snapshot pickles those backends; a restore puts the unpickled backends back into the same
``BackendDict`` objects, so every moto module that already holds a reference to them sees the restored
state. Two kinds of objects in the backends do not pickle as they are, and get reducers:

- the private keys of ``cryptography`` (moto's KMS keeps one per key, even for symmetric keys):
  serialised to PKCS8 PEM and loaded back, so asymmetric key material survives as it is;
- thread synchronisation objects (an SQS queue holds a ``Condition``): recreated fresh and unlocked.

The symmetric key material of a KMS key is plain bytes, so a ciphertext made before a restart
decrypts after it.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("local.snapshot")

# 2: personal data sealed and its lookups keyed by blind indexes (#21); a snapshot of the data written before
# would not find its contacts by phone or e-mail, so it is moved aside and the demo company seeded again.
FORMAT = 2
SERVICES = ("dynamodb", "kms", "secretsmanager", "ses", "sesv2", "s3", "sqs")
DEFAULT_INTERVAL_SECONDS = 60.0
BUSY_TIMEOUT_SECONDS = 2.0
BUSY_RETRY_SECONDS = 5.0
FINAL_TIMEOUT_SECONDS = 30.0

# account id -> region -> backend
ServiceState = dict[str, dict[str, Any]]


class StateGuard:
    """A readers-writer lock: embedded AWS requests share it, a snapshot takes it alone.

    A request in flight finishes before the snapshot starts and no request starts while it is taken,
    so a snapshot never sees half of a write. Writers are preferred, so a steady stream of requests
    cannot keep the snapshot waiting.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the guard as one of many readers (an embedded AWS request)."""
        with self._condition:
            while self._writer or self._writers_waiting:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if not self._readers:
                    self._condition.notify_all()

    @contextlib.contextmanager
    def exclusive(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the guard alone (a snapshot); TimeoutError if requests still run after timeout seconds.

        The timeout matters because a waiting writer holds back new requests: one long-polling SQS
        receive (up to 20 s) must not freeze the whole embedded AWS behind a periodic snapshot.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise TimeoutError("the embedded AWS is busy")
                    self._condition.wait(remaining)
            finally:
                self._writers_waiting -= 1
                self._condition.notify_all()  # readers held back by this writer may go on
            self._writer = True
        try:
            yield
        finally:
            with self._condition:
                self._writer = False
                self._condition.notify_all()


# -- reducers ---------------------------------------------------------------------------------------


def _load_private_key(pem: bytes) -> Any:
    """Rebuild a cryptography private key from its PKCS8 PEM (the reducer's constructor)."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def _reduce_private_key(key: Any) -> tuple[Callable[[bytes], Any], tuple[bytes]]:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _load_private_key, (pem,)


def _private_key_classes() -> list[type]:
    """The concrete private key classes of cryptography's Rust bindings that can be written as PEM.

    They are found by name rather than listed, so RSA, EC, Ed25519 and whatever a later release adds
    are covered alike; the abstract classes in ``primitives.asymmetric`` are not what pickle sees.
    """
    from cryptography.hazmat.bindings._rust import openssl as rust_openssl

    found: list[type] = []
    for module_name in dir(rust_openssl):
        module = getattr(rust_openssl, module_name)
        for name in dir(module):
            candidate = getattr(module, name)
            if (
                name.endswith("PrivateKey")
                and isinstance(candidate, type)
                and hasattr(candidate, "private_bytes")
                and candidate not in found
            ):
                found.append(candidate)
    return found


def _new_condition() -> threading.Condition:
    return threading.Condition()


def _reduce_condition(_: threading.Condition) -> tuple[Callable[[], threading.Condition], tuple[()]]:
    return _new_condition, ()


def _reduce_rlock(_: Any) -> tuple[Callable[[], Any], tuple[()]]:
    return threading.RLock, ()


def _reduce_lock(_: Any) -> tuple[Callable[[], Any], tuple[()]]:
    return threading.Lock, ()


def dispatch_table() -> dict[type, Callable[[Any], Any]]:
    """copyreg's reducers plus ours, for a pickler of moto's backends.

    A private table rather than ``copyreg.pickle``: registering globally would change how the whole
    process pickles these types, and importing this module must have no side effects.
    """
    table: dict[type, Callable[[Any], Any]] = dict(copyreg.dispatch_table)
    for cls in _private_key_classes():
        table[cls] = _reduce_private_key
    table[threading.Condition] = _reduce_condition
    table[type(threading.RLock())] = _reduce_rlock
    table[type(threading.Lock())] = _reduce_lock
    return table


def dumps(obj: Any) -> bytes:
    """Pickle obj with the reducers above."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = dispatch_table()
    pickler.dump(obj)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    """Unpickle what :func:`dumps` wrote."""
    # The file is written by this runner into the developer's own .local/ directory; it is never
    # received from anyone else, which is what makes unpickling it acceptable.
    return pickle.loads(data)  # noqa: S301


# -- moto state -------------------------------------------------------------------------------------


def _moto_version() -> str:
    import moto

    return str(moto.__version__)


def capture() -> dict[str, ServiceState]:
    """The live backends of every snapshotted service, by account and region."""
    from moto.backends import get_backend

    state: dict[str, ServiceState] = {}
    for service in SERVICES:
        backend_dict: Any = get_backend(service)  # type: ignore[call-overload]
        state[service] = {
            account: dict(dict.items(regions)) for account, regions in dict.items(backend_dict)
        }
    return state


def install(state: dict[str, ServiceState]) -> None:
    """Swap the given backends into moto's live BackendDicts, in place."""
    from moto.backends import get_backend

    for service, accounts in state.items():
        backend_dict: Any = get_backend(service)  # type: ignore[call-overload]
        for account, regions in accounts.items():
            # Indexing creates the AccountSpecificBackend and registers it with moto, as a request
            # would; its regions are then replaced wholesale so no default state is left behind.
            account_backends = backend_dict[account]
            dict.clear(account_backends)
            dict.update(account_backends, regions)


class SnapshotError(Exception):
    """A snapshot file that cannot be restored (corrupt, or written by another moto)."""


class Snapshotter:
    """Writes the embedded AWS state to a file atomically, on demand and periodically, and restores it."""

    def __init__(self, path: Path, guard: StateGuard, *, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self.path = path
        self.guard = guard
        self.interval = interval
        self._write_lock = threading.Lock()
        self._last_services: bytes | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # restore ------------------------------------------------------------------------------------

    def read(self) -> dict[str, ServiceState] | None:
        """The state in the snapshot file, None when there is none; SnapshotError when unusable."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        # The header is checked before the backends are unpickled: backends of another moto version
        # may unpickle yet break later in odd ways.
        document = _unpickle(data, "the file")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise SnapshotError("it is not a snapshot of this runner")
        if document.get("moto") != _moto_version():
            raise SnapshotError(f"it was written by moto {document.get('moto')}, not {_moto_version()}")
        blob = document.get("services")
        services = _unpickle(blob, "the services") if isinstance(blob, bytes) else None
        if not isinstance(services, dict):
            raise SnapshotError("it holds no services")
        self._last_services = blob
        return services

    def restore(self) -> tuple[bool, str]:
        """Load the snapshot into moto (before the embedded AWS serves); returns (usable, one-line outcome).

        An unusable file is moved aside, never deleted and never fatal: the runner starts empty.
        """
        try:
            state = self.read()
        except SnapshotError as exc:
            aside = self.move_aside()
            return False, f"snapshot not restored: {exc}; kept as {aside}; the embedded AWS starts empty"
        if state is None:
            return True, "no snapshot yet; the embedded AWS starts empty"
        install(state)
        return True, f"restored the embedded AWS from {self.path}"

    def move_aside(self) -> Path:
        """Rename the snapshot file out of the way, keeping it for inspection."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.unusable-{stamp}")
        os.replace(self.path, aside)
        return aside

    # save ---------------------------------------------------------------------------------------

    def save(self, timeout: float | None = None) -> bool:
        """Write the current state if it changed since the last write; True when the file was written.

        TimeoutError when requests to the embedded AWS kept running for timeout seconds.
        """
        with self._write_lock:
            with self.guard.exclusive(timeout):
                # Pickled in memory under the guard (short); written to disk outside it (slow).
                services = dumps(capture())
            if services == self._last_services:
                return False
            document = {"format": FORMAT, "moto": _moto_version(), "saved_at": datetime.now(UTC).isoformat(),
                        "services": services}
            _write_atomically(self.path, pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
            self._last_services = services
            return True

    def start(self) -> None:
        """Save every ``interval`` seconds in a background thread."""
        self._thread = threading.Thread(target=self._run, name="snapshot", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the periodic saves (the caller takes the final snapshot)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.wait(delay):
            delay = self.interval
            try:
                self.save(timeout=BUSY_TIMEOUT_SECONDS)
            except TimeoutError:
                delay = BUSY_RETRY_SECONDS  # a long poll is running; try again soon rather than block it
            except Exception:  # a failed periodic save must not end the runner
                log.exception("periodic snapshot failed; the previous one is kept")


def _unpickle(data: bytes, what: str) -> Any:
    try:
        return loads(data)
    except Exception as exc:  # whatever unpickling raises, the file is unusable
        raise SnapshotError(f"{what} cannot be read ({type(exc).__name__}: {exc})") from exc


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over the old snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
