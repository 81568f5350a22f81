"""A business's own website, on another origin, sends its form through the snippet: the lead reaches the CRM.

The website is webhooks/sample.html served by a second loopback server (so the post is really
cross-origin, CORS and all); the snippet is the one the app serves at /hooks/forms.js.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Screens, new_page
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events
from tests.support import ApiClient, body

SAMPLE = Path(__file__).resolve().parents[2] / "webhooks" / "sample.html"


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Snippet Bakery")


@pytest.fixture
def website(tmp_path: Path, live_url: str, company: Company, app: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The sample page, pointed at a new form integration, served from its own origin with a thank-you page."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    form = create_form(ApiClient(app), company, name="Bakery site", redirect_url=f"{site}/thanks.html")
    webhook = live_url + urlsplit(form["webhook_url"]).path  # the app here listens on a test port
    page = SAMPLE.read_text(encoding="utf-8").replace("CRM_BASE", live_url).replace("WEBHOOK_URL", webhook)
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "thanks.html").write_text("<!doctype html><title>Thanks</title><h1>Thanks</h1>", encoding="utf-8")
    (tmp_path / "search.html").write_text("<!doctype html><title>Results</title><h1>Results</h1>", encoding="utf-8")
    # A page set up with a selector that takes every form, a sign-in form among them (#21 item 8).
    login = page.replace(f'data-crm-form="{webhook}"', f'data-crm-form="{webhook}" data-crm-selector="form"')
    login = login.replace('<h1>Order a call back</h1>', '<form id="signin" action="search.html" method="get">'
                          '<label>Login <input name="login"></label><label>Password <input name="password" '
                          'type="password"></label><button type="submit">Sign in</button></form>')
    (tmp_path / "signin.html").write_text(login, encoding="utf-8")
    (tmp_path / "favicon.ico").write_bytes(b"")  # the browser asks the website for one
    yield site, form
    server.shutdown()
    server.server_close()


def test_a_visitor_s_form_becomes_a_lead_with_its_utm_tags(browser: Any, client: ApiClient, company: Company,
                                                           website: tuple[str, dict[str, Any]],
                                                           live_url: str, screens: Screens) -> None:
    site, form = website
    page = new_page(browser, site)
    page.goto(f"{site}/index.html?utm_source=google&utm_campaign=spring")
    page.get_by_label("Name").fill("Olga Pekar")
    page.get_by_label("Phone").fill("+7 912 345-67-89")
    page.get_by_label("E-mail").fill("olga@bakery.example")
    page.get_by_label("Message").fill("Two cakes for Saturday")
    page.get_by_role("button", name="Call me back").click()
    page.get_by_text("Thank you! We will call you back within 15 minutes.").wait_for()
    screens.shoot(page, "website-form-sent")
    assert page.problems == []  # type: ignore[attr-defined]

    token = company.owner.token
    contacts = body(client.get("/api/v1/contacts?q=olga@bakery.example", token=token))["items"]
    assert len(contacts) == 1 and "Olga" in contacts[0]["first_name"]
    contact = body(client.get(f"/api/v1/contacts/{contacts[0]['id']}", token=token))
    assert contact["phones"][0]["number"] == "+79123456789"
    assert contact["utm"]["source"] == "google" and contact["utm"]["campaign"] == "spring"
    [event] = events(client, company, form)
    assert event["status"] == "processed" and event["outcome"]["deal_id"]
    page.context.close()


def test_without_javascript_the_browser_posts_and_lands_on_the_thank_you_page(
        browser: Any, client: ApiClient, company: Company, website: tuple[str, dict[str, Any]]) -> None:
    site, form = website
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/index.html")
    page.fill("input[name=name]", "Ivan Plain")
    page.fill("input[name=phone]", "+7 912 000-11-22")
    with page.expect_navigation():
        page.click("form#lead button[type=submit]")
    assert page.url == f"{site}/thanks.html"
    [event] = events(client, company, form)
    assert event["status"] == "processed"
    context.close()


def test_only_the_marked_form_is_sent_a_search_form_stays_the_sites(
        browser: Any, client: ApiClient, company: Company, website: tuple[str, dict[str, Any]]) -> None:
    """The snippet used to attach to every form of the page: a site's search or sign-in form posted to the CRM."""
    site, form = website
    page = new_page(browser, site)
    page.goto(f"{site}/index.html")
    page.wait_for_selector("form#lead[data-crm-attached]", state="attached")  # the snippet has run
    assert page.eval_on_selector("form[role=search]", "form => form.hasAttribute('data-crm-attached')") is False
    page.get_by_label("Search the site").fill("cakes")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert page.url == f"{site}/search.html?q=cakes"
    assert events(client, company, form) == []
    page.context.close()


def test_a_form_with_a_password_is_never_sent_even_when_selected(
        browser: Any, client: ApiClient, company: Company, website: tuple[str, dict[str, Any]]) -> None:
    site, form = website
    page = new_page(browser, site)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(f"{message.type}: {message.text}"))
    page.goto(f"{site}/signin.html")
    page.wait_for_selector("form#lead[data-crm-attached]", state="attached")
    page.fill("input[name=login]", "olga")
    page.fill("input[name=password]", "secret passphrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.startswith(f"{site}/search.html?login=olga")
    assert events(client, company, form) == []
    assert any("password is never sent" in text for text in warnings), warnings
    page.context.close()
