"""Where the runner keeps its files, and loopback sockets bound with clear errors."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def local_dir() -> Path:
    """The runner's state directory: ``CRM_LOCAL_DIR`` or ``<repo>/.local``."""
    configured = os.environ.get("CRM_LOCAL_DIR")
    return Path(configured).expanduser().resolve() if configured else REPO_ROOT / ".local"


def endpoint_file(directory: Path) -> Path:
    """The file naming the running embedded AWS endpoint (read by the AWS CLI recipe in the README)."""
    return directory / "aws-endpoint"


def snapshot_file(directory: Path) -> Path:
    """The pickled embedded AWS state."""
    return directory / "snapshot.pickle"


class PortInUseError(OSError):
    """The requested loopback port is taken by another program."""


def bind_loopback(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:port (0 picks a free port); PortInUseError when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Same option http.server and werkzeug set: a port left in TIME_WAIT by our previous run is free,
    # only a live listener counts as "in use".
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUseError(exc.errno, f"port {port} is not available ({exc.strerror})") from exc
        raise
    return sock
