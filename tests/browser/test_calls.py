"""Telephony in the browser: the Calls screen (missed first), a recording played, a call on the contact's timeline,
click-to-call from a phone number, the caller card of a ringing call, and a Zadarma line set up with an extension."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from chalicelib.core import phones
from tests.browser.app_js import app_js
from tests.browser.conftest import SCREENSHOTS, Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body
from tests.telephony.kit import CREDENTIALS

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
ANNA = "+79161230001"
STRANGER = "+79161239999"
LINE = "+74950000000"
S3_LINK = re.compile(r"^https://[^/]+\.amazonaws\.com/")
CUT_LABELS = ("() => [...document.querySelectorAll('.nav-label')].filter(l => l.scrollWidth > l.clientWidth)"
              ".map(l => l.textContent)")
SETTLED = "() => document.getAnimations().every(animation => animation.playState === 'finished')"


def pbx_line(client: ApiClient, company: Company, **settings: Any) -> dict[str, Any]:
    """A PBX integration of the company (its signing secret included)."""
    made = client.post("/api/v1/integrations", {"type": "pbx", "name": "Office PBX", "settings": settings},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def pbx_call(client: ApiClient, line: dict[str, Any], *, customer: str, started: datetime, disposition: str,
             talk: int = 0, extension: str = "101", recorded: bool = False) -> None:
    """One inbound call as the PBX reports it: start, (answer,) end (and its recording), each event signed."""
    from chalicelib.telephony.providers.pbx import sign

    call_id = f"browser-{time.time_ns()}"
    parties = {"direction": "inbound", "from": customer, "to": LINE}
    at = lambda seconds: (started + timedelta(seconds=seconds)).isoformat()  # noqa: E731
    steps: list[dict[str, Any]] = [{"event": "start", "at": at(0), **parties}]
    if disposition == "answered":
        steps.append({"event": "answer", "at": at(5), **parties, "extension": extension})
    steps.append({"event": "end", "at": at(5 + talk), **parties, "extension": extension, "disposition": disposition,
                  "duration": talk})
    if recorded:
        steps.append({"event": "recording", "at": at(6 + talk),
                      "recording_url": f"https://pbx.example.com/recordings/{call_id}.wav"})
    for n, step in enumerate(steps):
        raw = json.dumps({"event_id": f"{call_id}-{n}", "call_id": call_id, **step}).encode()
        stamp = int(time.time())
        answer = client.request("POST", urlsplit(line["webhook_url"]).path, body=raw, headers={
            "Content-Type": "application/json", "X-CRM-Timestamp": str(stamp),
            "X-CRM-Signature": sign(line["secret"], raw, stamp)})
        assert answer.status_code == 200, answer.body


def recording_from_s3(route: Any) -> None:
    """The browser cannot reach the in-process S3: the presigned link is answered with the stored object."""
    import boto3

    from chalicelib.core.config import settings

    key = urlsplit(route.request.url).path.lstrip("/")
    if key.startswith(settings.recordings_bucket + "/"):  # path-style link
        key = key[len(settings.recordings_bucket) + 1:]
    stored = boto3.client("s3", region_name=settings.region).get_object(Bucket=settings.recordings_bucket, Key=key)
    route.fulfill(status=200, body=stored["Body"].read(), headers={"Content-Type": stored["ContentType"]})


def shoot_viewport(page: Any, screens: Screens, name: str) -> None:
    """What a person sees without scrolling (the caller card stays put while the page scrolls)."""
    page.screenshot(path=str(SCREENSHOTS / f"{screens.prefix}-{name}.png"))


def seed_calls(client: ApiClient, company: Company) -> str:
    """Anna (a contact) missed, then answered and recorded; a stranger missed last. Returns Anna's id."""
    token = company.owner.token
    anna = body(client.post("/api/v1/contacts", {"first_name": "Anna", "last_name": "Smirnova",
                                                 "phones": [{"number": ANNA, "kind": "mobile"}]}, token=token))
    line = pbx_line(client, company, extensions={"101": company.owner.user_id})
    now = datetime.now(UTC).replace(microsecond=0)
    pbx_call(client, line, customer=ANNA, started=now - timedelta(hours=3), disposition="missed")
    pbx_call(client, line, customer=ANNA, started=now - timedelta(hours=2), disposition="answered", talk=102,
             recorded=True)
    pbx_call(client, line, customer=STRANGER, started=now - timedelta(hours=1), disposition="missed")
    return str(anna["id"])


def test_calls_screen_recording_timeline_and_click_to_call(browser: Any, live_url: str, app: Any,
                                                           screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Ringing Bakery")
    anna_id = seed_calls(client, company)
    # A Zadarma line on which the owner has extension 100: numbers become click-to-call links.
    zadarma = client.post("/api/v1/integrations", {"type": "zadarma", "name": "Zadarma line", "settings": {
        **CREDENTIALS["zadarma"], "extensions": {"100": company.owner.user_id}}}, token=company.owner.token)
    assert zadarma.status_code == 201, zadarma.body

    page = new_page(browser, live_url, viewport=DESKTOP)
    page.route(S3_LINK, recording_from_s3)
    log_in(page, company.owner, "Ringing Bakery")

    # Missed first: the stranger nobody has called back on top, Anna (answered two hours ago) under "Called back".
    page.locator(".main-nav a", has_text="Calls").click()
    page.locator("#page-title", has_text="Calls").wait_for()
    waiting = page.locator("table.call-table").first
    waiting.locator("tr[data-call]", has_text="+7 916 123-99-99").wait_for()
    assert waiting.locator("tr[data-call]").count() == 1
    called_back = page.locator(".called-back-section")
    anna_row = called_back.locator("tr[data-call]", has_text="+7 916 123-00-01")
    anna_row.get_by_role("link", name="Anna Smirnova").wait_for()
    assert called_back.locator("tr[data-call]").count() == 1
    rows = page.locator("tr[data-call]")
    assert "123-99-99" in rows.nth(0).inner_text() and "123-00-01" in rows.nth(1).inner_text(), "missed first"
    # A call's time is on the company's clock, as tasks are, and names its zone where the browser's (Berlin) differs.
    zone = ZoneInfo(body(client.get("/api/v1/me", token=company.owner.token))["tenant"]["timezone"])
    when = rows.nth(0).locator("td.call-when time")
    started = datetime.fromisoformat(str(when.get_attribute("datetime")).replace("Z", "+00:00")).astimezone(zone)
    shown = when.inner_text()
    assert re.search(rf"\b{started:%-I:%M}\s{started:%p} {started.tzname()}$", shown), (shown, started)
    assert page.locator("[aria-current=page]", has_text="Missed").count() == 1
    # Each row's cells share its lines (a cell laid out as a flex box left the table: its borders zigzagged).
    assert page.evaluate("""() => [...document.querySelectorAll('.call-table tr[data-call]')].every((row) => {
      const box = row.getBoundingClientRect();
      return [...row.cells].every((cell) => getComputedStyle(cell).display === 'table-cell'
        && Math.abs(cell.getBoundingClientRect().top - box.top) < 1
        && Math.abs(cell.getBoundingClientRect().bottom - box.bottom) < 1);
    })"""), "a call row's cells are out of line"
    screens.shoot(page, "missed-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    screens.shoot(page, "missed-phone")
    page.set_viewport_size(DESKTOP)

    # All calls: the answered one is played; its short link is fetched on the click and handed to an <audio>.
    page.get_by_role("link", name="All calls").click()
    answered = page.locator("tr[data-call]", has_text="1:42")
    answered.wait_for()
    assert page.locator("tr[data-call]").count() == 3
    assert "Olga Owner" in answered.inner_text() and "Answered" in answered.inner_text()
    with page.expect_response(re.compile(r"/api/v1/calls/[0-9A-Z]+/recording$")) as link_answer:
        answered.get_by_role("button", name="Play").click()
    assert link_answer.value.status == 200
    link = link_answer.value.json()
    assert S3_LINK.match(link["url"]) and link["expires_in"] > 0
    audio = answered.locator("audio[controls]")
    audio.wait_for()
    assert audio.get_attribute("src") == link["url"]
    page.wait_for_function("() => document.querySelector('tr[data-call] audio').readyState >= 1")  # the WAV arrived
    page.get_by_label("Direction").select_option("outbound")
    page.locator(".empty", has_text="No calls match these filters").wait_for()
    page.get_by_label("Direction").select_option("inbound")
    page.get_by_label("Status").select_option("missed")
    page.locator("tr[data-call]", has_text="123-99-99").wait_for()
    assert page.locator("tr[data-call]").count() == 2
    screens.shoot(page, "all-calls-desktop")

    # The card's timeline: the call in words, with its player.
    open_screen(page, f"/contacts/{anna_id}", "Anna Smirnova")
    entry = page.locator(".timeline li.entry-call", has_text="Incoming call · answered · 1:42 · Olga Owner")
    entry.wait_for()
    page.locator(".timeline li.entry-call", has_text="Incoming call · missed · Olga Owner").wait_for()

    # The phone number calls through the Zadarma line: the owner's phone rings first.
    phone = page.locator("dl.props a.click-to-call", has_text="+7 916 123-00-01")
    phone.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/calls") and r.request.method == "POST") as dialled:
        phone.click()
    assert dialled.value.status == 202
    assert dialled.value.request.post_data_json["contact_id"] == anna_id
    page.locator(".toast", has_text="Your phone rings first").wait_for()
    screens.shoot(page, "contact-card-desktop")
    page.set_viewport_size(PHONE)
    screens.shoot(page, "contact-card-phone")

    # In Russian the call reads the same way.
    page.locator("#lang-switch").select_option("ru")
    page.locator(".timeline li.entry-call", has_text="Входящий звонок · принят · 1:42 · Olga Owner").wait_for()
    open_screen(page, "/calls?view=all", "Звонки")
    page.locator("tr[data-call]", has_text="Принят").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    for width in (PHONE["width"], 360):  # nine places in the bottom bar, which scrolls: every Russian label whole
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        assert page.evaluate(CUT_LABELS) == [], width
    page.set_viewport_size(PHONE)
    screens.shoot(page, "all-calls-phone-ru")
    shoot_viewport(page, screens, "all-calls-phone-ru-top")
    page.locator("#lang-switch").select_option("en")
    # A withheld caller ("anonymous" from Asterisk or Twilio) is a hidden number, with no number to call back.
    withheld = page.evaluate(app_js("() => import('/static/js/telephony.js').then((m) => ["
                             "m.customerNumber({ direction: 'inbound', from_number: 'anonymous' }),"
                             "m.customerNumber({ direction: 'inbound', from_number: '+79161230000' })])"))
    assert withheld == [None, "+79161230000"]
    # A number reads as the server writes it (core.phones.readable, libphonenumber's grouping: a call-back task's
    # title), not "+44 740 012 3456" beside "+44 7400 123456".
    numbers = ["+447400123456", ANNA, "+14155550199", "+442037691880", "+4930123456"]
    shown = page.evaluate(app_js("(numbers) => import('/static/js/format.js').then((m) => numbers.map(m.formatPhone))"),
                          numbers)
    assert shown == [phones.readable(number) for number in numbers]
    assert_no_problems(page)
    page.context.close()


RINGING = {"type": "call.ringing", "call": {
    "id": "01JCALL0000000000000000001", "direction": "inbound", "number": ANNA, "user_id": None,
    "started_at": "2026-12-06T10:00:00+00:00", "contact": {"id": "CONTACT", "name": "Anna Smirnova"},
    "company": {"id": "COMPANY", "name": "Flour Mill Ltd"}, "deal": {"id": "DEAL", "title": "Wedding cake"},
    "last_note": "Wants a cake for 40 guests"}}


def dispatch(page: Any, message: dict[str, Any]) -> None:
    """A message as the live-updates socket hands it to the page."""
    page.evaluate("message => window.dispatchEvent(new CustomEvent('crm:live', { detail: message }))", message)


def test_the_caller_card_shows_who_is_calling_until_the_call_is_answered(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Caller Bakery")
    anna_id = seed_calls(client, company)
    ringing = json.loads(json.dumps(RINGING).replace("CONTACT", anna_id))

    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Caller Bakery")
    page.locator("#page-title", has_text="Tasks").wait_for()
    dispatch(page, ringing)
    card = page.locator(".caller-cards[role=status] .caller-card")
    card.wait_for()
    assert page.locator(".caller-cards").get_attribute("aria-live") == "polite"
    for text in ("Incoming call", "Anna Smirnova", "+7 916 123-00-01", "Flour Mill Ltd", "Wedding cake", "40 guests"):
        assert text in (card.text_content() or ""), text
    box = card.bounding_box()
    assert box is not None and box["x"] + box["width"] > DESKTOP["width"] - 40, "top right on a desktop"
    page.wait_for_function(SETTLED)
    screens.shoot(page, "caller-card-desktop")
    assert page.evaluate("() => !document.activeElement.closest('.caller-cards')"), "the card takes no focus"

    # A second message about the call (ringing again) does not double the card; the link opens the contact's card.
    dispatch(page, ringing)
    assert page.locator(".caller-card").count() == 1
    card.get_by_role("link", name="Open the contact\u2019s card").click()
    page.locator("#page-title", has_text="Anna Smirnova").wait_for()
    # Answered: the card goes.
    dispatch(page, {"type": "call.answered", "call": {"id": ringing["call"]["id"]}})
    card.wait_for(state="detached")

    # An unknown number on a phone: the number itself, across the top; dismissed by hand.
    page.set_viewport_size(PHONE)
    dispatch(page, {"type": "call.ringing", "call": {"id": "01JCALL0000000000000000002", "direction": "inbound",
                                                     "number": STRANGER, "contact": None, "company": None,
                                                     "deal": None, "last_note": None}})
    stranger = page.locator(".caller-card", has_text="+7 916 123-99-99")
    stranger.wait_for()
    assert "A new number" in stranger.inner_text()
    box = stranger.bounding_box()
    assert box is not None and box["y"] < 120 and box["width"] > PHONE["width"] - 40, "across the top on a phone"
    page.wait_for_function(SETTLED)
    shoot_viewport(page, screens, "caller-card-phone")
    stranger.get_by_role("button", name="Dismiss").click()
    stranger.wait_for(state="detached")
    assert_no_problems(page)
    page.context.close()


def test_a_zadarma_line_is_set_up_with_an_extension_and_its_secret_kept(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Line Bakery")
    page = new_page(browser, live_url, viewport=DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, company.owner, "Line Bakery")
    # No line yet: the calls come once one is connected, and the owner is offered to connect one.
    open_screen(page, "/calls?view=all", "Calls")
    page.locator(".empty", has_text="once a phone line is connected").get_by_role(
        "link", name="Connect a phone line").wait_for()
    open_screen(page, "/settings/integrations", "Settings")
    create = page.get_by_role("form", name="Connect a phone line")
    create.get_by_label("Provider").select_option("zadarma")
    create.get_by_label("Name").fill("Office line")
    create.get_by_label("API key").fill("zd-key-browser")
    create.get_by_label("API secret").fill("zd-secret-browser-4321")
    create.get_by_label("Extension", exact=True).fill("100")
    create.get_by_label("Employee").select_option(label="Olga Owner")
    create.get_by_role("button", name="Add an extension").click()
    create.get_by_label("Extension", exact=True).nth(1).fill("101")
    create.get_by_role("button", name="Remove this extension").nth(1).click()  # one too many
    assert create.get_by_label("Extension", exact=True).count() == 1
    create.get_by_label("A call from a new number creates").select_option("contact")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/integrations") and r.request.method == "POST") as made:
        create.get_by_role("button", name="Connect line").click()
    assert made.value.status == 201
    panel = page.locator("section[data-integration]", has_text="Office line")
    panel.wait_for()

    # The steps to paste the URL at Zadarma, with the URL to copy and the notifications to turn on.
    steps = panel.locator(".setup-steps")
    assert "How to connect Zadarma" in steps.inner_text()
    assert "NOTIFY_RECORD" in steps.inner_text() and "NOTIFY_OUT_END" in steps.inner_text()
    webhook_url = steps.locator('[data-test="webhook-url"]').input_value()
    assert re.search(r"/hooks/zadarma/\S+$", webhook_url), webhook_url
    steps.get_by_role("button", name="Copy").click()
    page.locator(".toast", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == webhook_url
    page.evaluate("window.scrollTo(0, 0)")
    screens.shoot(page, "line-created-desktop")

    stored = next(i for i in body(client.get("/api/v1/integrations", token=company.owner.token))["items"]
                  if i["name"] == "Office line")
    assert stored["type"] == "zadarma" and stored["webhook_url"] == webhook_url
    assert stored["settings"]["extensions"] == {"100": company.owner.user_id}
    assert stored["settings"]["unknown_caller"] == "contact" and stored["settings"]["api_key"] == "zd-key-browser"
    assert stored["credential_hints"] == {"api_secret": "…4321"}

    # Edited: the secret box shows only the stored hint, and left blank it keeps the secret.
    panel.locator("summary", has_text="Settings").click()
    secret = panel.get_by_label("API secret")
    assert secret.get_attribute("type") == "password" and secret.input_value() == ""
    assert secret.get_attribute("placeholder") == "…4321"
    panel.get_by_label("Extension", exact=True).first.fill("102")
    with page.expect_response(lambda r: "/api/v1/integrations/" in r.url and r.request.method == "PATCH") as saved:
        panel.get_by_role("button", name="Save").click()
    assert saved.value.status == 200
    assert "api_secret" not in saved.value.request.post_data_json["settings"]
    page.locator(".toast", has_text="Saved").last.wait_for()
    panel.locator("details.inline-edit:not([open])").wait_for()  # the screen read the line again
    stored = body(client.get(f"/api/v1/integrations/{stored['id']}", token=company.owner.token))
    assert stored["settings"]["extensions"] == {"102": company.owner.user_id}
    assert stored["credential_hints"] == {"api_secret": "…4321"}

    page.set_viewport_size(PHONE)
    page.locator("section[data-integration]", has_text="Office line").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    page.evaluate("document.querySelectorAll('.toast').forEach(toast => toast.remove())")  # for the pictures only
    panel.locator(".setup-steps").scroll_into_view_if_needed()
    shoot_viewport(page, screens, "steps-phone")
    create.get_by_label("Extension", exact=True).scroll_into_view_if_needed()
    shoot_viewport(page, screens, "form-phone")
    # A line connected: the empty list no longer waits for one, nor offers to connect one.
    open_screen(page, "/calls?view=all", "Calls")
    none = page.locator(".empty", has_text="phone lines show here")
    none.wait_for()
    assert none.get_by_role("link").count() == 0
    assert_no_problems(page)
    page.context.close()


def test_a_recorded_call_on_the_timeline_is_played_there(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Timeline Bakery")
    anna_id = seed_calls(client, company)
    page = new_page(browser, live_url, viewport=DESKTOP)
    page.route(S3_LINK, recording_from_s3)
    log_in(page, company.owner, "Timeline Bakery", at=f"/contacts/{anna_id}")
    open_screen(page, f"/contacts/{anna_id}", "Anna Smirnova")
    entry = page.locator(".timeline li.entry-call", has_text="Incoming call · answered · 1:42 · Olga Owner")
    entry.wait_for()
    try:
        with page.expect_response(re.compile(r"/api/v1/calls/[0-9A-Z]+/recording$"), timeout=3000) as link_answer:
            entry.get_by_role("button", name="Play").click(timeout=3000)
        assert link_answer.value.status == 200
        entry.locator("audio[controls]").wait_for()
    finally:
        page.context.close()


def test_a_call_its_provider_never_ended_says_why_in_both_languages(browser: Any, live_url: str, app: Any) -> None:
    from chalicelib.core import db
    from chalicelib.due import service as due
    from chalicelib.telephony import unended
    from tests.telephony.kit import play
    from webhooks.providers import Call
    from webhooks.providers import pbx as pbx_sim

    client = ApiClient(app)
    company = signup(client, company="Silent Bakery")
    line = pbx_line(client, company, extensions={"101": company.owner.user_id})
    rang = pbx_sim.requests("missed", line["webhook_url"], key=None, secret=line["secret"],
                            call=Call(customer=STRANGER))[:-1]  # start, ringing: the end never came
    assert [a.status_code for a in play(client, line, rang)] == [200, 200]
    real = due.due_in
    with pytest.MonkeyPatch.context() as patch:  # this company's timers only: other tests' calls stay as they are
        patch.setattr(due, "due_in", lambda *args: [t for t in real(*args) if t.pk.split("#")[1] == company.tenant_id])
        due.run_due(now=db.utcnow() + unended.RINGING + timedelta(minutes=1), kinds=frozenset({unended.KIND}))
    page = new_page(browser, live_url, viewport=DESKTOP)
    try:
        log_in(page, company.owner, "Silent Bakery", at="/calls")
        open_screen(page, "/calls", "Calls")
        row = page.locator("tr[data-call]", has_text="+7 916 123-99-99")
        row.locator(".call-end-reason", has_text="no end reported by the provider").wait_for()
        assert "Missed" in row.inner_text()
        row.get_by_role("link").filter(has_text="Contact without a name").click()
        page.locator(".timeline li.entry-call",
                     has_text="Incoming call · missed · no end reported by the provider").wait_for()
        page.locator("#lang-switch").select_option("ru")
        page.locator(".timeline li.entry-call",
                     has_text="Входящий звонок · пропущен · оператор телефонии не сообщил о завершении",  # noqa: RUF001
                     ).wait_for()
        open_screen(page, "/calls", "Звонки")
        page.locator("tr[data-call] .call-end-reason",
                     has_text="оператор телефонии не сообщил о завершении").wait_for()  # noqa: RUF001
        page.set_viewport_size(PHONE)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
        page.locator("#lang-switch").select_option("en")
        assert_no_problems(page)
    finally:
        page.context.close()


def test_a_call_at_the_contacts_limit_says_why_it_has_no_contact_and_where_to_raise_it(
        browser: Any, live_url: str, app: Any) -> None:
    from tests.billing import helpers

    client = ApiClient(app)
    company = signup(client, company="Full Bakery")
    line = pbx_line(client, company, extensions={"101": company.owner.user_id})
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)
    pbx_call(client, line, customer=STRANGER, started=datetime.now(UTC) - timedelta(minutes=5), disposition="missed")
    page = new_page(browser, live_url, viewport=DESKTOP)
    try:
        log_in(page, company.owner, "Full Bakery", at="/calls")
        open_screen(page, "/calls", "Calls")
        row = page.locator("tr[data-call]", has_text="+7 916 123-99-99")
        note = row.locator("[data-test=contact-skipped]")
        note.filter(has_text="not saved as a contact: your plan’s contact limit is reached").wait_for()  # noqa: RUF001
        assert note.get_by_role("link", name="Raise the limit").get_attribute("href") == "#/settings/billing"
        page.locator("#lang-switch").select_option("ru")
        page.locator("tr[data-call] [data-test=contact-skipped]",
                     has_text="не сохранён как контакт: достигнут лимит контактов вашего тарифа").wait_for()
        page.set_viewport_size(PHONE)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
        page.locator("#lang-switch").select_option("en")
        assert_no_problems(page)
    finally:
        page.context.close()


def test_each_provider_has_its_steps_and_fields_in_both_languages(browser: Any, live_url: str, app: Any,
                                                                  screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Lines Bakery")
    for provider, name in (("mango", "Mango line"), ("twilio", "Twilio line"), ("pbx", "Asterisk")):
        made = client.post("/api/v1/integrations", {"type": provider, "name": name, "settings": {
            **CREDENTIALS[provider], "extensions": {"101": company.owner.user_id}}}, token=company.owner.token)
        assert made.status_code == 201, made.body
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Lines Bakery", at="/settings/integrations")
    open_screen(page, "/settings/integrations", "Settings")
    expected = {"Mango line": ("How to connect Mango Office", "external system address", "/hooks/mango/"),
                "Twilio line": ("How to connect Twilio", "Call status changes", "/hooks/twilio/"),
                "Asterisk": ("How to connect Your own PBX", "X-CRM-Signature", "/hooks/pbx/")}
    for name, (title, words, path) in expected.items():
        steps = page.locator("section[data-integration]", has_text=name).locator(".setup-steps")
        text = steps.text_content() or ""
        assert title in text and words in text, name
        url = steps.locator('[data-test="webhook-url"]').input_value()
        assert path in url, name
        if name != "Mango line":  # the TwiML and the PBX's event carry the URL itself
            assert url in (steps.locator("pre.sample").text_content() or ""), name
    twilio = page.locator("section[data-integration]", has_text="Twilio line")
    twilio.locator("summary", has_text="Settings").click()
    assert twilio.get_by_label("Auth token").get_attribute("placeholder") == "…0001"
    assert twilio.get_by_label("Account SID").input_value() == CREDENTIALS["twilio"]["account_sid"]
    # The create form follows the provider chosen: Mango asks for its code and salt, a PBX for nothing.
    create = page.get_by_role("form", name="Connect a phone line")
    create.get_by_label("Provider").select_option("mango")
    create.get_by_label("Signature key (salt)").wait_for()
    create.get_by_label("Provider").select_option("pbx")
    create.locator(".hint", has_text="needs no provider keys").wait_for()
    assert "your PBX sends" in (create.locator(".extensions-hint").text_content() or "")
    page.locator("#lang-switch").select_option("ru")
    twilio.locator(".setup-steps", has_text="Как подключить Twilio").wait_for()
    twilio.scroll_into_view_if_needed()
    shoot_viewport(page, screens, "twilio-ru-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    screens.shoot(page, "lines-phone-ru")
    page.locator("#lang-switch").select_option("en")
    assert_no_problems(page)
    page.context.close()


def test_an_agent_calls_a_customer_from_their_own_line(browser: Any, live_url: str, app: Any) -> None:
    from tests.factories import add_member

    client = ApiClient(app)
    company = signup(client, company="Agent Bakery")
    agent = add_member(client, company, role="agent", name="dialagent")
    made = client.post("/api/v1/contacts", {"first_name": "Boris", "phones": [{"number": "+79161230077"}],
                                            "owner_id": agent.user_id}, token=company.owner.token)
    assert made.status_code == 201, made.body
    line = client.post("/api/v1/integrations", {"type": "zadarma", "name": "Zadarma line", "settings": {
        **CREDENTIALS["zadarma"], "extensions": {"205": agent.user_id}}}, token=company.owner.token)
    assert line.status_code == 201, line.body
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, agent, "Agent Bakery")
    # Their empty list of calls says why (they see their own), not that a line is yet to be connected.
    open_screen(page, "/calls?view=all", "Calls")
    none = page.locator(".empty", has_text="you see only the calls you made or took")
    none.wait_for()
    assert "connected" not in none.inner_text() and none.get_by_role("link").count() == 0
    open_screen(page, f"/contacts/{body(made)['id']}", "Boris")
    phone = page.locator("dl.props a.click-to-call")  # an agent reads no integrations, yet has a line
    phone.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/calls") and r.request.method == "POST") as dialled:
        phone.click()
    assert dialled.value.status == 202
    assert_no_problems(page)
    page.context.close()
