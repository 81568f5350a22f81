"""WCAG 2.1 AA in the browser: axe-core (axe-playwright-python ships it) on every main screen of the web app and on the
public pages (unsubscribe, a form's thank-you, the knowledge base, a rating link), at 1280 and 390 px, in English
and once in Russian, with dialogs open too. A "moderate", "serious" or "critical" violation fails, named with its
target: staff with poor sight on a phone with large text, keyboard users and screen-reader users meet those first, and
a page without a heading (the rating page's "thank you") leaves a screen reader's list of headings empty. And the
browser's own large text: the app's text follows it and the main screens still fit a 390 px phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib.campaigns import tokens
from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.notifications import service as notifications
from tests.browser.conftest import new_page
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, hook_path
from tests.messaging.kit import make_conversation
from tests.support import ApiClient, body
from tests.tickets.kit import open_ticket

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
         "resultTypes": ["violations"]}
FAILING = ("moderate", "serious", "critical")  # minor findings are not gated
# A screen is drawn once its skeleton is gone and its heading is there; reached by a link, the router (main.js render)
# or the screen itself (a search box) has also put the focus in it (not on the first load, nor on a change of language).
LOADED = "() => !document.querySelector('[data-test=skeleton]') && document.querySelector('#page-title')"
DRAWN = """() => !document.querySelector('[data-test=skeleton]') && !document.querySelector('#page-title[data-seen]')
  && document.getElementById('main')?.contains(document.activeElement)"""
SEEN_THEN_GO = """path => {
  document.querySelector('#page-title')?.setAttribute('data-seen', '');
  location.hash = '#' + path;
}"""
# Two frames after a change of size: the app has marked tables that now scroll sideways (main.js) and laid them out.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
SIGNED_OUT = ["/login", "/signup", "/forgot"]
# The sections of Settings, each a screen of its own, as js/settings-sections.js lists them (a new one is checked too).
SETTINGS = re.findall(r"\{ key: '([a-z-]+)'", (Path(__file__).resolve().parents[2] / "chalicelib" / "ui" / "static"
                                                / "js" / "settings-sections.js").read_text(encoding="utf-8"))


def seed(client: ApiClient, company: Company) -> dict[str, str]:
    """A contact, a company, a deal, a task, a conversation, an order, a ticket and a public article: their ids."""
    token = company.owner.token

    def made(path: str, fields: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(path, fields, token=token)
        assert answer.status_code == 201, answer.body
        return dict(body(answer))

    contact = made("/api/v1/contacts", {"first_name": "Irina", "last_name": "Sokolova",
                                        "phones": [{"number": "+14155550123"}]})
    firm = made("/api/v1/companies", {"name": "Flour Mill Ltd"})
    deal = made("/api/v1/deals", {"title": "Anniversary cake", "amount": {"minor": 123450, "currency": "USD"},
                                  "contact_ids": [contact["id"]], "company_id": firm["id"]})
    made("/api/v1/tasks", {"title": "Send the quote", "due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                           "related": {"type": "contact", "id": contact["id"]}})
    product = made("/api/v1/products", {"name": "Rose bush", "sku": "ROSE-7",
                                        "price": {"minor": 1500, "currency": "USD"}})
    order = made("/api/v1/orders", {"currency": "USD", "contact_id": contact["id"], "lines": [
        {"product_id": product["id"], "quantity": "2", "unit_price_minor": 1500}]})
    dropped = made("/api/v1/orders", {"currency": "USD", "contact_id": contact["id"], "lines": [
        {"description": "Tulips", "quantity": "1", "unit_price_minor": 900}]})
    cancelled = client.post(f"/api/v1/orders/{dropped['id']}/status", {"status": "cancelled",
                                                                       "version": dropped["version"]}, token=token)
    assert cancelled.status_code == 200, cancelled.body
    notify(company, "Anniversary cake is yours")
    assert client.post("/api/v1/notifications/read-all", token=token).status_code < 300
    notify(company, "Birthday cake is yours")  # one read, one unread
    conversation = make_conversation(client, token, customer="+79160005512")
    ticket = open_ticket(client, token, contact_id=contact["id"])
    slug = f"mill-help-{company.tenant_id[-8:].lower()}"  # a knowledge base's address is unique across companies
    site = client.put("/api/v1/kb/site", {"version": 0, "slug": slug, "title": "Mill help"}, token=token)
    assert site.status_code == 200, site.body
    article = made("/api/v1/kb/articles", {"title": "Returns and refunds", "category": "Orders",
                                           "visibility": "public", "body": "Send it back within **14 days**."})
    return {"contact": contact["id"], "company": firm["id"], "deal": deal["id"], "product": product["id"],
            "order": order["id"], "conversation": conversation["id"], "ticket": ticket["id"],
            "article": article["id"], "site": slug}


def notify(company: Company, title: str) -> None:
    """A notification for the owner, as the events feed writes one."""
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="events", actor_kind="system", source="job")
    with bind(ctx):
        notifications.notify(ctx, user_id=company.owner.user_id, type="deal.assigned", cause=new_id(),
                             at=db.utcnow(), subject_type="deal", subject_id=new_id(), title=title)


def app_screens(ids: dict[str, str]) -> list[str]:
    """Every screen of main.js's routes a company's owner opens: lists, cards, editors, settings, reports."""
    return [
        "/tasks", "/tasks?view=upcoming", "/tasks?view=week", "/contacts", f"/contacts/{ids['contact']}", "/companies",
        f"/companies/{ids['company']}", "/deals", "/deals?view=list", f"/deals/{ids['deal']}", "/inbox",
        f"/inbox/{ids['conversation']}", "/tickets", f"/tickets/{ids['ticket']}", "/kb", f"/kb/{ids['article']}",
        "/kb/new", "/calls", "/products", f"/products/{ids['product']}", "/orders", f"/orders/{ids['order']}",
        "/orders/new", f"/orders/{ids['order']}/edit", "/campaigns", "/campaigns/new", "/segments", "/search",
        "/notifications", "/reports", "/settings", *[f"/settings/{key}" for key in SETTINGS],
        "/settings/audit/reads",
    ]


class Audit:
    """axe run on what a page shows; each moderate, serious or critical violation noted as
    `where: rule (impact) target`."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.found: list[str] = []
        self.checked = 0

    def check(self, page: Any, where: str) -> None:
        page.evaluate(SETTLED)
        results = self.axe.run(page, options=RULES).response
        self.checked += 1
        for violation in results["violations"]:
            if violation["impact"] in FAILING:
                for node in violation["nodes"]:
                    self.found.append(f"{where} @{page.viewport_size['width']}px: {violation['id']} "
                                      f"({violation['impact']}) {' '.join(map(str, node['target']))}: "
                                      f"{violation['help']}: {node['html'][:160]}")

    def at_both_widths(self, page: Any, where: str) -> None:
        """At 1280 px, then at 390 px (a phone; the screen is laid out again, not reloaded)."""
        for size in (WIDE, PHONE):
            page.set_viewport_size(size)
            self.check(page, where)

    def assert_clean(self) -> None:
        assert not self.found, f"{len(self.found)} moderate, serious or critical violations:\n" + "\n".join(self.found)


def go(page: Any, path: str) -> None:
    """Open a screen by its hash (the app routes itself: no reload) and wait until it is drawn."""
    if page.evaluate("path => location.hash === '#' + path", path):
        page.wait_for_function(LOADED)
        return
    page.evaluate(SEEN_THEN_GO, path)
    page.wait_for_function(DRAWN)


def to_language(page: Any, code: str) -> None:
    page.locator("select.lang-select").select_option(code)
    page.locator(f"html[lang={code}]").wait_for()
    page.wait_for_function(LOADED)


def unsubscribe_token(company: Company) -> str:
    """The unsubscribe link of a test send (nothing to withdraw: the page asks, with its button)."""
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        return tokens.make(ctx, kind="u", campaign_id=company.tenant_id, contact_id="0" * 26, channel="email")


def public_pages(page: Any, audit: Audit, client: ApiClient, company: Company, live_url: str, site: str) -> None:
    """The pages a company's customers open without signing in (served by the API, one document each)."""
    link = unsubscribe_token(company)
    for where in (f"/kb/{site}", f"/m/u/{link}", f"/m/u/{link}?lang=ru", "/csat/not-a-real-link",
                  "/csat/not-a-real-link?lang=ru"):
        page.goto(where)
        # a screen reader picks its voice by the page's language: Russian words marked English are read as noise
        assert page.locator("html").get_attribute("lang") == ("ru" if where.endswith("lang=ru") else "en"), where
        audit.at_both_widths(page, where)
    page.goto(f"/kb/{site}")
    page.get_by_role("link", name="Returns and refunds").click()
    page.locator("article").wait_for()
    audit.at_both_widths(page, "kb article")
    form = create_form(client, company, name="Site form")
    page.set_content(f'<form method="post" action="{live_url}{hook_path(form)}"><input name="name" value="Anna">'
                     '<input name="phone" value="+79001112233"><button>Send</button></form>')
    with page.expect_navigation():
        page.locator("button").click()
    page.locator("h1").wait_for()
    audit.at_both_widths(page, "form thank-you")


def test_every_screen_passes_axe_at_both_widths_in_english_and_in_russian(browser: Any, live_url: str,
                                                                          app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Access Mill")
    ids = seed(client, company)
    audit = Audit()
    page = new_page(browser, live_url, viewport=WIDE)
    public_pages(page, audit, client, company, live_url, ids["site"])

    page.goto("/#/login")
    page.wait_for_function(LOADED)
    for path in SIGNED_OUT:
        go(page, path)
        audit.at_both_widths(page, path)
    to_language(page, "ru")
    for path in SIGNED_OUT:
        go(page, path)
        audit.check(page, f"ru {path}")
    to_language(page, "en")

    go(page, "/login")
    log_in(page, company.owner, "Access Mill")
    page.set_viewport_size(WIDE)
    screens = app_screens(ids)
    for path in screens:
        go(page, path)
        audit.at_both_widths(page, path)
    dialogs(page, audit, ids)

    to_language(page, "ru")
    for path in screens:
        go(page, path)
        audit.at_both_widths(page, f"ru {path}")
    audit.assert_clean()
    assert len(SETTINGS) >= 19 and audit.checked > 100


def dialogs(page: Any, audit: Audit, ids: dict[str, str]) -> None:
    """A dialog with a form (a new ticket) and a confirmation (deleting a contact), each open on the screen."""
    page.set_viewport_size(PHONE)
    go(page, "/tickets")
    page.get_by_role("button", name="+ Ticket").click()
    page.locator("dialog[open]").wait_for()
    audit.check(page, "new ticket dialog")
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    go(page, f"/contacts/{ids['contact']}")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.locator("dialog[open]").wait_for()
    audit.check(page, "delete contact dialog")
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    page.set_viewport_size(WIDE)


# The body's text size, the page's width and the innermost elements that reach past the phone's edge.
OVERFLOW = """edge => {
  const clipped = (el) => { for (let up = el.parentElement; up; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return true; } return false; };
  const past = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > edge
    && ![...el.children].some((child) => child.getBoundingClientRect().right > edge) && !clipped(el));
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ` (${Math.round(el.getBoundingClientRect().right)})`;
  return [parseFloat(getComputedStyle(document.body).fontSize), document.documentElement.scrollWidth,
          past.slice(0, 4).map(name)];
}"""
LARGE_TEXT = 24  # px: the browser's default text at 150% (Chrome's "Very large"), for staff with poor sight


def test_a_phone_with_large_text_shows_the_app_larger_without_sideways_scrolling(browser: Any, live_url: str,
                                                                                   app: Any) -> None:
    """The browser's own text size is what a user with poor sight sets once: the app's text follows it (rem, from
    the browser's default, not a fixed 16 px), and the main screens still fit a 390 px phone."""
    client = ApiClient(app)
    company = signup(client, company="Large Print")
    ids = seed(client, company)
    page = new_page(browser, live_url, viewport=PHONE, own_context=True)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": LARGE_TEXT}})
    page.goto("/#/login")
    page.wait_for_function(LOADED)
    wide = []
    for path in ["/login", "/signup"]:
        go(page, path)
        wide += too_wide(page, path)
    log_in(page, company.owner, "Large Print")
    for path in ["/tasks", "/contacts", f"/contacts/{ids['contact']}", "/deals", f"/deals/{ids['deal']}",
                 f"/inbox/{ids['conversation']}", f"/tickets/{ids['ticket']}", f"/orders/{ids['order']}/edit",
                 "/reports", "/settings/profile"]:
        go(page, path)
        wide += too_wide(page, path)
    assert not wide, wide


def too_wide(page: Any, path: str) -> list[str]:
    """What is wrong with a screen at large text: its text not enlarged, or the page scrolling sideways."""
    text, width, past = page.evaluate(OVERFLOW, PHONE["width"])
    return ([f"{path}: text at {text}px"] if text < LARGE_TEXT else []) + \
        ([f"{path}: {width}px wide, past the edge: {past}"] if width > PHONE["width"] else [])
