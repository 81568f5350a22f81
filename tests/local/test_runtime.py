"""The local runner (``python -m local``) as a developer meets it: a subprocess on a free port.

Each runner gets its own state directory (``CRM_LOCAL_DIR``) and its own embedded AWS, and every
subprocess is stopped (SIGINT, then killed) whatever the test's outcome. A start costs seconds of CPU (the
embedded AWS, the demo tenant and its month, filled in the background), so the tests that only need a runner
freshly started on an empty state directory share one (``first_start``; the last of them stops it), and what a
restart must keep is checked across one restart (#22).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TABLE = "crm-local-main"  # the runner always serves chalice stage "local"
KMS_ALIAS = "alias/crm-local"
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def runner_env(state_dir: Path, port: int) -> dict[str, str]:
    """The shell of a developer: none of the suite's CRM_* or endpoint settings leak into the runner."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("CRM_") and name not in {"AWS_ENDPOINT_URL", "PORT"}}
    env.update({"PORT": str(port), "CRM_LOCAL_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"})
    return env


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    url: str
    state_dir: Path
    log_path: Path

    @property
    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def endpoint(self) -> str:
        return (self.state_dir / "aws-endpoint").read_text(encoding="utf-8").strip()

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="eu-west-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 1}))

    def stop(self, signum: int = signal.SIGINT, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"runner did not stop on {signum!r}:\n{self.output}") from None


def request(url: str, *, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Any HTTP answer, error statuses included."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def runner(state_dir: Path, port: int | None = None) -> Iterator[Running]:
    """Start ``python -m local`` and wait until it answers HTTP; always stop it afterwards."""
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir.parent / f"{state_dir.name}-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "local"], cwd=REPO, env=runner_env(state_dir, port),
                                   stdout=log, stderr=subprocess.STDOUT)
    running = Running(process, f"http://127.0.0.1:{port}", state_dir, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise AssertionError(f"runner exited with {process.returncode}:\n{running.output}")
            try:
                request(running.url + "/api/v1/health")
                if "is running on" in running.output:  # the banner (logins included) follows the first answer
                    break
                raise ConnectionError("serving, banner not printed yet")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    message = f"runner did not answer in {START_TIMEOUT}s:\n{running.output}"
                    raise AssertionError(message) from None
                time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _sign_in(running: Running, email: str, password: str) -> int:
    payload = json.dumps({"email": email, "password": password}).encode()
    call = urllib.request.Request(running.url + "/api/v1/auth/login", data=payload, method="POST",
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _owner_token(running: Running, password: str) -> str:
    payload = json.dumps({"email": "owner@demo.example.com", "password": password}).encode()
    login = urllib.request.Request(running.url + "/api/v1/auth/login", data=payload, method="POST",
                                   headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(login, timeout=10) as response:
        return str(json.loads(response.read())["access_token"])


def _calls(running: Running, token: str) -> list[dict[str, Any]]:
    listing = urllib.request.Request(running.url + "/api/v1/calls", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(listing, timeout=10) as response:
        return list(json.loads(response.read())["items"])


def _simulated_calls_land(running: Running, state: Path, logins: dict[str, str]) -> None:
    """The banner's simulate command plays three calls into the demo PBX line; the queue folds them."""
    assert logins["pbx_url"] in running.output
    played = subprocess.run([sys.executable, "-m", "webhooks", "simulate", "pbx", "--url", logins["pbx_url"],
                             "--secret", logins["pbx_secret"]], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert played.returncode == 0, played.stdout + played.stderr
    token = _owner_token(running, logins["owner"])  # signed in once: a sign-in is an argon2 check in the runner
    deadline = time.monotonic() + 60  # the queue poller folds them; a bound on waiting, not a measure
    while True:
        found = _calls(running, token)
        final = sorted(call["status"] for call in found if call["status"] in {"answered", "missed"})
        recorded = (state / "provider-requests.jsonl").exists()
        if (final == ["answered", "answered", "missed"] and recorded) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert final == ["answered", "answered", "missed"], found
    sent = [json.loads(line) for line in (state / "provider-requests.jsonl").read_text().splitlines()]
    assert {entry["provider"] for entry in sent} == {"pbx"}  # the recording downloads, answered by the sandbox


def test_embedded_data_key_material_and_the_demo_tenant_survive_a_restart(tmp_path: Path) -> None:
    """What a restart keeps: the embedded table's items, the KMS key material (a blob encrypted before decrypts
    after), and the demo tenant, seeded once, whose logins' hashes still sign in."""
    state = tmp_path / "state"
    with runner(state) as first:
        dynamodb = first.client("dynamodb")
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "G#runtime-test"}, "sk": {"S": "A"},
                                                 "note": {"S": "kept"}})
        context = {"tenant_id": "01RUNTIMETEST"}
        blob = first.client("kms").encrypt(KeyId=KMS_ALIAS, Plaintext=b"kept secret",
                                           EncryptionContext=context)["CiphertextBlob"]
        logins = json.loads((state / "demo-logins.json").read_text())
        assert "owner@demo.example.com" in first.output and logins["owner"] in first.output
        assert _sign_in(first, "owner@demo.example.com", logins["owner"]) == 200
        assert _sign_in(first, "agent@demo.example.com", logins["agent"]) == 200
        _simulated_calls_land(first, state, logins)
        assert first.stop(signal.SIGINT) == 0, first.output
    assert (state / "snapshot.pickle").exists()

    with runner(state) as second:
        assert "restored the embedded AWS" in second.output
        item = second.client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": "G#runtime-test"},
                                                                        "sk": {"S": "A"}})["Item"]
        assert item["note"] == {"S": "kept"}
        plain = second.client("kms").decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"]
        assert plain == b"kept secret"
        assert json.loads((state / "demo-logins.json").read_text()) == logins  # not seeded twice
        assert _sign_in(second, "agent@demo.example.com", logins["agent"]) == 200  # the hash survived
        assert second.stop(signal.SIGTERM) == 0, second.output


def test_an_unusable_snapshot_is_kept_aside_and_the_runner_starts_empty(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "snapshot.pickle").write_bytes(b"not a pickle")
    with runner(state) as running:
        assert "snapshot not restored" in running.output
        assert [path.name for path in state.glob("snapshot.pickle.unusable-*")]
        status, _, _ = request(running.url + "/api/v1/health")
        assert status == 200
    assert (state / "snapshot.pickle").exists()


def test_a_busy_port_is_reported_clearly(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        env = runner_env(tmp_path / "s", port)
        result = subprocess.run([sys.executable, "-m", "local"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"port {port} is in use; set PORT=" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s" / "snapshot.pickle").exists()  # nothing was started, nothing saved


def _call(running: Running, method: str, path: str, payload: Any = None, token: str | None = None,
          content_type: str = "application/json") -> tuple[int, Any]:
    data = None if payload is None else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    headers = {"Content-Type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})}
    call = urllib.request.Request(running.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Running]]:
    """A runner started on an empty state directory, shared by the tests that need nothing else of it; a test that
    stops it (the last of them) leaves the next caller a new one on a new directory."""
    with ExitStack() as stack:
        current: list[Running] = []

        def serving() -> Running:
            if not current or current[-1].process.poll() is not None:
                current.append(stack.enter_context(runner(tmp_path_factory.mktemp("first-start") / "state")))
            return current[-1]

        yield serving


def test_a_second_runner_on_the_same_state_directory_is_refused(first_start: Callable[[], Running]) -> None:
    first = first_start()
    result = subprocess.run([sys.executable, "-m", "local"], cwd=REPO, env=runner_env(first.state_dir, free_port()),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "in use by another runner" in result.stderr
    status, _, _ = request(first.url + "/api/v1/health")
    assert status == 200


def test_a_form_lead_is_processed_from_the_jobs_queue_as_in_aws(first_start: Callable[[], Running]) -> None:
    running = first_start()
    state = running.state_dir
    assert "inbox_events (queue crm-local-jobs)" in running.output  # the queue's handler is driven
    logins = json.loads((state / "demo-logins.json").read_text())
    status, signed = _call(running, "POST", "/api/v1/auth/login",
                           {"email": "owner@demo.example.com", "password": logins["owner"]})
    assert status == 200, signed
    token = signed["access_token"]
    status, form = _call(running, "POST", "/api/v1/integrations", {"type": "form", "name": "Site"}, token)
    assert status == 201, form
    hook = "/hooks/forms/" + form["webhook_url"].rsplit("/", 1)[1]
    status, answer = _call(running, "POST", hook, b"name=Queue+Lead&phone=%2B442079460111",
                           content_type="application/x-www-form-urlencoded")
    assert status == 200 and answer["ok"] is True, answer
    deadline, event = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        _, page = _call(running, "GET", f"/api/v1/integrations/{form['id']}/events", token=token)
        event = page["items"][0]
        if event["status"] != "received":
            break
        time.sleep(0.25)
    assert event is not None and event["status"] == "processed", (event, running.output[-3000:])
    _, contact = _call(running, "GET", f"/api/v1/contacts/{event['outcome']['contact_id']}", token=token)
    # a name in one box is split into first and last names (#20)
    assert (contact["first_name"], contact["last_name"]) == ("Queue", "Lead"), contact


def test_serves_the_app_and_answers_unknown_routes_with_json_404(first_start: Callable[[], Running]) -> None:
    running = first_start()  # the last of the tests on the first start: it stops the runner
    status, _, body = request(running.url + "/api/v1/health")
    assert status == 200, body  # the lead's health route reads the provisioned table
    assert json.loads(body)["stage"] == "local"

    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        status, response_headers, body = request(running.url + "/nope", headers=headers)
        assert status == 404
        assert response_headers["Content-Type"].startswith("application/json")
        error = json.loads(body)["error"]
        assert error["code"] == "route_not_found"
        assert error["request_id"]

    connection = http.client.HTTPConnection("127.0.0.1", int(running.url.rsplit(":", 1)[1]), timeout=5)
    connection.request("TRACE", "/")  # refused by http.server itself, before chalice sees it
    answer = connection.getresponse()
    assert answer.status == 404  # as API Gateway answers a method no route has
    assert json.loads(answer.read())["error"]["code"] == "route_not_found"
    connection.close()

    assert running.endpoint.startswith("http://127.0.0.1:")
    banner = running.output
    assert running.url in banner and running.endpoint in banner
    assert "created" in banner and TABLE in banner

    assert request(running.url + "/")[0] == 200  # a web app file: served without a line
    assert request(running.url + "/api/v1/contacts?q=someone%40example.com")[0] == 401
    console = running.output.splitlines()
    assert not [line for line in console if '"message":"request"' in line or '"_aws"' in line
                or 'HTTP/1.1"' in line], "one short line a request, not the JSON log, EMF and access lines"
    assert any(re.fullmatch(r"GET /api/v1/health 200 \d+ ms", line) for line in console), console[-20:]
    assert "GET /api/v1/contacts 401" in " ".join(console) and "someone" not in running.output
    assert "GET /nope 404" in console and "GET / 200" not in " ".join(console)

    code = running.stop(signal.SIGTERM)
    assert code == 0, running.output
    assert "stopped; embedded data saved" in running.output
    assert not (running.state_dir / "aws-endpoint").exists()


def test_a_browser_that_hangs_up_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    # make run's console: a page left mid-load resets its connection; http.server printed a traceback for each.
    from http.server import BaseHTTPRequestHandler

    from local.server import PreboundHTTPServer

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = PreboundHTTPServer(sock, BaseHTTPRequestHandler)
    try:
        for hung_up in (ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError(32, "Broken pipe")):
            try:
                raise hung_up
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a real failure")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a real failure" in capsys.readouterr().err  # anything else is still shown
    finally:
        server.server_close()
