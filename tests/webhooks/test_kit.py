"""The integrator kit: the simulator's command line against a recording server, and the snippet."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.factories import signup
from tests.integrations.helpers import create_form, events, hook_path
from tests.support import ApiClient, body
from webhooks import __main__ as cli
from webhooks import simulate

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "chalicelib" / "forms" / "static" / "forms.js"


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
