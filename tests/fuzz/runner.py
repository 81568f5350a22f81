"""A running CRM for the fuzz and load suites: ``python -m local`` on a free port, empty state.

Both suites talk to it over loopback only (urllib here; schemathesis and locust in their own
processes), so the suite's in-process moto and the tenancy watcher are never involved.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
PASSWORD = "correct horse battery staple"


@dataclass
class Crm:
    """A CRM served on loopback."""

    url: str
    log_path: Path

    @property
    def output(self) -> str:
        """What the runner printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, *, method: str = "GET", payload: Any = None, token: str | None = None,
         timeout: float = 30.0) -> tuple[int, Any]:
    """(status, JSON body) of one request; error statuses are answers, not exceptions."""
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


def _environment(state_dir: Path, port: int) -> dict[str, str]:
    # None of the suite's CRM_* or endpoint settings may leak into the runner: it is a developer's shell.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("CRM_") and name not in {"AWS_ENDPOINT_URL", "PORT"}}
    env.update({"PORT": str(port), "CRM_LOCAL_DIR": str(state_dir), "PYTHONUNBUFFERED": "1",
                "POWERTOOLS_LOG_LEVEL": "WARNING"})
    return env


def _wait_until_serving(process: subprocess.Popen[bytes], crm: Crm) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"python -m local exited with {process.returncode}:\n{crm.output}")
        try:
            if call(crm.url + "/api/v1/health", timeout=5)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"python -m local did not answer in {START_TIMEOUT:.0f}s:\n{crm.output}")
        time.sleep(0.2)


@contextmanager
def running_crm(state_dir: Path) -> Iterator[Crm]:
    """Start ``python -m local`` on a free port with its state in state_dir; stop it afterwards."""
    port = free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "runner.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "local"], cwd=REPO, env=_environment(state_dir, port),
                                   stdout=log, stderr=subprocess.STDOUT)
    crm = Crm(f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_serving(process, crm)
        yield crm
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_up(crm: Crm, company: str) -> dict[str, Any]:
    """A new tenant through the public API; the sign-up answer (tokens, tenant, user) and the owner's
    e-mail and password (to sign in again)."""
    email = f"owner.{secrets.token_hex(6)}@example.com"
    status, answer = call(crm.url + "/api/v1/auth/signup", method="POST", payload={
        "company_name": company, "name": "Olga Owner", "email": email, "password": PASSWORD, "country": "GB"})
    assert status == 201, answer
    return {**answer, "email": email, "password": PASSWORD}
