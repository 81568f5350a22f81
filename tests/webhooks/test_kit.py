"""The integrator kit: the simulator's command line against a recording server, and the snippet."""

from __future__ import annotations

import io
import json
import re
import shlex
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import signup
from tests.integrations.helpers import create_form, events, hook_path
from tests.support import ApiClient, body
from webhooks import __main__ as cli
from webhooks import simulate

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "chalicelib" / "forms" / "static" / "forms.js"
DOCS = (ROOT / "README.md", ROOT / "webhooks" / "README.md")


class Recorder(BaseHTTPRequestHandler):
    """Records every POST; answers the first of each body as new and repeats as duplicates."""

    seen: list[tuple[dict[str, str], bytes]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            duplicate = any(raw == earlier for _, earlier in self.seen)
            self.seen.append(({k.lower(): v for k, v in self.headers.items()}, raw))
        answer = json.dumps({"ok": True, "event_id": "x", "duplicate": duplicate}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hooks/forms/testkey"
    httpd.shutdown()
    httpd.server_close()


def test_simulate_form_sends_distinct_leads_and_planned_repeats(server: str) -> None:
    out = io.StringIO()
    status = cli.main(["simulate", "form", "--url", server, "--count", "20", "--duplicates", "50",
                       "--concurrency", "4", "--field", "name=Anna", "--field", "phone=+79161234567"], out=out)
    assert status == 0
    assert len(Recorder.seen) == 20
    bodies = [parse_qs(raw.decode()) for _, raw in Recorder.seen]
    assert all(b["phone"] == ["+79161234567"] and b["name"][0].startswith("Anna") for b in bodies)
    distinct = {raw for _, raw in Recorder.seen}
    assert 1 < len(distinct) < 20  # about half repeat an earlier one
    assert f"answered as duplicates: {20 - len(distinct)}" in out.getvalue()


@pytest.mark.parametrize("fmt,content_type", [("json", "application/json"), ("multipart", "multipart/form-data"),
                                              ("urlencoded", "application/x-www-form-urlencoded")])
def test_simulate_form_speaks_every_format_and_signs(server: str, fmt: str, content_type: str) -> None:
    cli.main(["simulate", "form", "--url", server, "--format", fmt, "--secret", "whsec_test"], out=io.StringIO())
    [(headers, raw)] = Recorder.seen
    assert headers["content-type"].startswith(content_type)
    stamp = headers["x-crm-timestamp"]
    assert headers["x-crm-signature"] == simulate.signature_headers("whsec_test", raw, timestamp=int(stamp))[
        "X-CRM-Signature"]


def test_simulated_posts_make_leads_in_the_app(client: ApiClient) -> None:
    company = signup(client, company="Simulated Ltd", country="RU")
    form = create_form(client, company, require_signature=True)

    def through_app(request: simulate.Request) -> simulate.Answer:
        answer = client.request("POST", hook_path(form), body=request.body, headers=request.headers)
        return simulate.Answer(answer.status_code, answer.body)

    report = simulate.simulate_form(form["webhook_url"], dict(simulate.DEFAULT_FIELDS), count=3, fmt="multipart",
                                    secret=form["secret"], sender=through_app)
    assert report.statuses == {200: 3}
    assert [e["status"] for e in events(client, company, form)] == ["processed"] * 3


def test_the_snippet_is_small_single_and_served() -> None:
    assert SNIPPET.stat().st_size < 5 * 1024
    kit_copy = ROOT / "webhooks" / "snippet.js"
    assert kit_copy.is_symlink() and kit_copy.resolve() == SNIPPET.resolve()  # one source, shipped in chalicelib/


def test_the_app_serves_the_snippet_cacheable(client: ApiClient) -> None:
    response = client.get("/hooks/forms.js")
    assert response.status_code == 200 and response.body == SNIPPET.read_bytes()
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert "max-age" in response.headers["Cache-Control"]


def test_the_sample_page_uses_the_snippet() -> None:
    page = (ROOT / "webhooks" / "sample.html").read_text(encoding="utf-8")
    assert '/hooks/forms.js" data-crm-form="WEBHOOK_URL"' in page and "<form" in page


def test_hook_answers_json_shape(client: ApiClient) -> None:
    company = signup(client, company="Shape Ltd")
    form = create_form(client, company)
    answer = body(client.request("POST", hook_path(form), body=b'{"name": "J", "email": "j@example.com"}',
                                 headers={"Content-Type": "application/json"}))
    assert set(answer) == {"ok", "event_id", "duplicate"}


@pytest.mark.parametrize("start", [1_796_583_000.0, 1_796_583_099.0, 1_796_583_099.9])
def test_the_telegram_simulator_dates_its_messages_when_they_were_written(start: float) -> None:
    # Its customer writes a minute ago, a second apart; the inbox read "in 10 minutes" when the update id's low
    # digits (taken from the clock) leaked into the message's date.
    from webhooks.messengers import Chat, telegram_requests

    chat = Chat(start=start)
    updates = [json.loads(r.body) for r in telegram_requests("http://h/x", secret_token="s", chat=chat, start_code="c")]
    dates = [(u.get("message") or u["edited_message"])["date"] for u in updates]
    assert dates == [int(start) + step for step in (1, 2, 3, 4)]


def documented_commands() -> list[str]:
    """Every ``python -m webhooks ...`` the READMEs show: inline ones whole (they may wrap), and those of code blocks
    with their continuation lines (a trailing backslash, or an indented line of options)."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        prose = re.sub(r"```.*?```", "", text, flags=re.S)
        found += [span for span in re.findall(r"`([^`]+)`", prose) if span.startswith("python -m webhooks")]
        lines = text.splitlines()
        for at, line in enumerate(lines):
            if line.strip().startswith("python -m webhooks"):
                command = line.strip()
                for more in lines[at + 1:]:
                    if not (command.endswith("\\") or more.strip().startswith(("[", "--"))):
                        break
                    command = command.rstrip("\\") + " " + more.strip()
                found.append(command)
    return found


def argv_of(command: str, fill: Callable[[str], str] = lambda placeholder: "x") -> list[list[str]]:
    """A documented command as the argument lists it stands for: placeholders filled, optional brackets opened, the
    first of a value's alternatives taken, and one command per alternative of the simulator's name."""
    command = re.sub(r"<[^>]*>", lambda found: fill(found.group(0)), command).replace("[", " ").replace("]", " ")
    words = [word for word in shlex.split(command)[3:] if word not in ("...", "\\")]
    words = [("1" if re.fullmatch(r"[A-Z]", word) else word.split("|")[0]) if index > 1 else word
             for index, word in enumerate(words)]
    if len(words) < 2:
        return []
    return [[words[0], kind, *words[2:]] for kind in words[1].split("|")]


def test_every_documented_simulator_command_is_one_the_kit_takes() -> None:
    commands = documented_commands()
    assert len(commands) > 15
    every = {*cli.PROVIDERS, "form", "whatsapp", "telegram", "sms", "email", "ses-events"}
    kinds = set()
    for command in commands:
        for argv in argv_of(command):
            kinds.add(argv[1])
            if not any(word.startswith("--") for word in argv):  # a mention: `simulate zadarma|mango|twilio|pbx`
                assert argv[1] in every, command
                continue
            try:
                cli.parser().parse_args(argv)
            except SystemExit:
                pytest.fail(f"the documented command does not parse: {command}")
    assert kinds == every


def test_the_documented_whatsapp_command_plays_into_a_line(client: ApiClient) -> None:
    # The READMEs' command left out --phone-number-id: the simulator then names its own sample number, which no real
    # line has, and the line refused every notification (403 wrong_phone_number) after answering Meta's URL check.
    from tests.messaging.kit import APP_SECRET, create_line

    company = signup(client, company="Documented WhatsApp Ltd")
    line = create_line(client, company, "whatsapp", phone_number_id="555000111222")
    values = {"phone_number_id": "555000111222", "webhook": line["webhook_url"], "app secret": APP_SECRET,
              "whsec": line["secret"]}

    def fill(placeholder: str) -> str:
        return next(value for key, value in values.items() if key in placeholder)

    def through_app(request: simulate.Request) -> simulate.Answer:
        split = urlsplit(request.url)
        answer = client.request(request.method, split.path + (f"?{split.query}" if split.query else ""),
                                body=request.body if request.method != "GET" else None, headers=request.headers)
        return simulate.Answer(answer.status_code, answer.body)

    commands = [command for command in documented_commands() if "simulate whatsapp --url" in command]
    assert len(commands) == len(DOCS)
    for command in commands:
        out = io.StringIO()
        assert cli.main(argv_of(command, fill)[0], out=out, sender=through_app) == 0, (command, out.getvalue())

