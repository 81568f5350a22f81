"""Settings → Integrations in the browser: a website form connected, its URL and snippet copied, leads received,
a failed one replayed, disabled and enabled, keys rotated, deleted; what the empty screens say to a role that may only
watch the lines."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import BENIGN, open_screen, sign_up
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient

LEAD = {"name": "Vera", "phone": "+1 415 555 0199", "message": "A cake for Friday"}


def post_lead(live_url: str, webhook_url: str, fields: dict[str, str]) -> dict[str, Any]:
    """A lead posted to the webhook over HTTP, as a site's fetch() would."""
    request = urllib.request.Request(live_url + urlsplit(webhook_url).path, data=urlencode(fields).encode(),
                                     method="POST", headers={"Accept": "application/json",
                                                             "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def deal_store_down(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("deal store down")


def confirm(page: Any, button: str) -> None:
    page.get_by_role("dialog").get_by_role("button", name=button).click()


def test_owner_connects_a_website_form_and_replays_a_failed_lead(browser: Any, live_url: str, screens: Screens,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.forms import processor

    page = new_page(browser, live_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_up(page, company="Hooks Bakery")
    open_screen(page, "/settings/integrations", "Settings")
    page.locator(".empty", has_text="No integrations yet").wait_for()
    create = page.get_by_role("form", name="Connect a website form")
    create.get_by_label("Name").fill("Site form")
    create.get_by_label("Stage").select_option(label="Qualified")
    create.get_by_label("Who gets the leads").select_option("round_robin")
    create.get_by_label("Olga Owner").check()
    create.get_by_label("Thank-you page").fill("https://bakery.example/thanks")
    create.get_by_role("button", name="Connect form").click()
    secret = page.locator('[data-test="integration-secret"]')
    secret.wait_for()
    first_secret = secret.inner_text()
    assert len(first_secret) >= 16
    panel = page.locator("section[data-integration]", has_text="Site form")
    webhook_url = panel.locator('[data-test="webhook-url"]').input_value()
    assert re.search(r"/hooks/forms/\S+$", webhook_url), webhook_url
    origin = webhook_url.split("/hooks/forms/")[0]
    snippet = panel.locator('[data-test="embed-snippet"]').input_value()
    assert snippet == f'<script src="{origin}/hooks/forms.js" data-crm-form="{webhook_url}" async></script>'
    panel.locator(".field", has_text="Embed snippet").get_by_role("button", name="Copy").click()
    page.locator(".toast", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    screens.shoot(page, "integration-created")

    # The secret is shown once; the settings were kept.
    page.reload()
    panel.wait_for()
    assert page.locator('[data-test="integration-secret"]').count() == 0
    panel.locator("summary", has_text="Settings").click()
    assert panel.get_by_label("Who gets the leads").input_value() == "round_robin"
    assert panel.get_by_label("Thank-you page").input_value() == "https://bakery.example/thanks"

    # One lead fails (the deal store is down), one goes through; the failed one is replayed from the screen.
    with monkeypatch.context() as patch:
        patch.setattr(processor.deals_service, "create", deal_store_down)
        assert post_lead(live_url, webhook_url, LEAD)["ok"] is True
    post_lead(live_url, webhook_url, {"name": "Pavel", "email": "pavel@example.com"})
    panel.locator("summary", has_text="Recent events").click()
    events = panel.locator("details.events .list > li")
    events.filter(has_text="Pavel").locator(".badge", has_text="Processed").wait_for()
    failed = events.filter(has_text="Vera")
    failed.locator(".badge", has_text="Failed").wait_for()
    assert "an error while processing: try Replay" in failed.inner_text()  # the reason in words, not its code
    screens.shoot(page, "integration-events")
    failed.get_by_role("button", name="Replay").click()
    page.locator(".toast", has_text="Replayed: Processed").wait_for()
    events.filter(has_text="Vera").locator(".badge", has_text="Processed").wait_for()
    panel.get_by_label("Show events").select_option("failed")
    panel.locator("details.events li", has_text="No events yet").wait_for()

    assert_fits_a_phone(page, screens, "integrations-phone")
    panel.get_by_role("button", name="Disable").click()
    panel.locator(".badge", has_text="Disabled").wait_for()
    panel.get_by_role("button", name="Enable").click()
    panel.locator(".badge", has_text="Active").wait_for()

    panel.get_by_role("button", name="New URL").click()
    confirm(page, "New URL")
    expect(panel.locator('[data-test="webhook-url"]')).not_to_have_value(webhook_url)
    panel.get_by_role("button", name="New secret").click()
    confirm(page, "New secret")
    new_secret = page.locator('[data-test="integration-secret"]')
    new_secret.wait_for()
    assert new_secret.inner_text() != first_secret

    panel.get_by_role("button", name="Delete").click()
    confirm(page, "Delete")
    page.locator(".empty", has_text="No integrations yet").wait_for()
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()


def test_a_role_that_may_only_watch_is_told_what_is_true_of_lines(browser: Any, live_url: str, app: Any) -> None:
    """A role that reads integrations, calls and conversations but may connect nothing: the empty screens say that
    no line is connected yet without offering to connect one, on a phone in English and a laptop in Russian."""
    client = ApiClient(app)
    company = signup(client, company="Watch Bakery")
    made = client.post("/api/v1/roles", {"key": "line_watcher", "name": "Line watcher", "permissions": [
        "integrations:read:all", "calls:read:all", "conversations:read:all"]}, token=company.owner.token)
    assert made.status_code == 201, made.body
    watcher = add_member(client, company, role="line_watcher", name="walterwatch")
    page = new_page(browser, live_url, viewport={"width": 375, "height": 740})
    log_in(page, watcher, "Watch Bakery")
    # Tasks is home, but a role that may not read tasks starts on the first screen it may open (the chats), never
    # on a Tasks screen that answers 403 (which this test's console check caught whenever the load won the race)
    page.wait_for_url("**/#/inbox")
    page.locator("#page-title", has_text="Inbox").wait_for()
    open_screen(page, "/settings/integrations", "Settings")
    none = page.locator(".empty", has_text="No integrations yet")
    assert "your role may see them, not connect them" in none.inner_text() and "below" not in none.inner_text()
    open_screen(page, "/calls?view=all", "Calls")
    calls = page.locator(".empty", has_text="once a phone line is connected")
    calls.wait_for()
    assert calls.get_by_role("link").count() == 0  # not offered what the role may not do
    page.set_viewport_size({"width": 1366, "height": 800})
    page.get_by_label("Language", exact=True).select_option("ru")
    open_screen(page, "/inbox", "Чаты")
    chats = page.locator(".inbox-list .empty", has_text="когда будет подключён WhatsApp, Telegram или почтовый ящик")
    chats.wait_for()
    assert chats.get_by_role("link").count() == 0
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
