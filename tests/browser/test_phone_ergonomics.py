"""A phone in the hand (#20 item 14): every control is at least 44 px to tap (checkboxes by their labels, sign-in
links, tabs, toggles); a slow network shows the screen's shape, never a blank page with "Loading…"; a save shows it
is working and cannot be sent twice. In English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import new_page
from tests.browser.test_app import DRAWN, assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1366, "height": 800}
SMALL_TARGETS = """() => {
  const seen = (el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const target = (el) => {
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      const own = el.getBoundingClientRect();
      const around = label ? label.getBoundingClientRect() : own;
      return Math.max(own.height, around.height);
    }
    return el.getBoundingClientRect().height;
  };
  return [...document.querySelectorAll('main button, main select, main input, main .auth-links a, main .tabs a, '
    + '.main-nav a, main .settings-group a, main .list a.phone, header button, header select, header a, main summary, '
    + 'main a.task-related, main .page-actions > a, main [data-links] a, main .deal > a')]
    .filter(seen).filter((el) => target(el) < 44)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} `
      + `"${(el.innerText || el.value || el.name || '').slice(0, 30)}" ${Math.round(target(el))}`);
}"""


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_control_is_44_px_to_tap_on_a_phone(browser: Any, live_url: str, app: Any, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Thumb Florist", country="RU")
    token = company.owner.token
    made = [body(client.post("/api/v1/contacts", {"first_name": first,
                                                  "phones": [{"number": "+7916123456" + str(len(first))}]},
                             token=token)) for first in ("Olga", "Boris")]
    # a task about a contact (its record's link), a deal of hers on the board (its "Move to" list) and on her card
    client.post("/api/v1/tasks", {"title": "Call Olga", "due_at": "2031-01-01T10:00:00Z",
                                  "related": {"type": "contact", "id": made[0]["id"]}}, token=token)
    deal = body(client.post("/api/v1/deals", {"title": "Olga's bouquet", "contact_ids": [made[0]["id"]]}, token=token))
    page = new_page(browser, live_url, viewport=PHONE)
    page.goto("/#/login")
    page.get_by_label("Language", exact=True).select_option(lang)
    page.locator("form").first.wait_for()
    assert page.evaluate(SMALL_TARGETS) == [], "login"
    page.goto("/#/signup")
    page.locator("select[name=country]").wait_for()
    assert page.evaluate(SMALL_TARGETS) == [], "signup"
    log_in(page, company.owner, "Thumb Florist") if lang == "en" else _log_in_ru(page, company)
    for path in ("/tasks?view=upcoming", "/contacts", "/settings/company", "/settings/security", "/deals",
                 f"/contacts/{made[0]['id']}", f"/deals/{deal['id']}"):
        page.goto(f"/#{path}")
        page.wait_for_function(DRAWN)  # this screen, drawn with its data: not the last one's title
        page.locator("#page-title").wait_for()
        assert page.evaluate(SMALL_TARGETS) == [], path
    # The top bar says which language is on (a select squeezed to its arrow said nothing): its code, with the
    # select lying over it, so a tap opens the list of languages by their names.
    code = page.locator("header .lang-code")
    assert code.is_visible() and code.inner_text() == lang.upper()
    shown, select = code.bounding_box(), page.locator("header .lang-select").bounding_box()
    assert shown and select and abs(shown["x"] - select["x"]) < 1 and abs(shown["width"] - select["width"]) < 1
    assert_no_problems(page)
    page.context.close()


def _log_in_ru(page: Any, company: Any) -> None:
    page.goto("/#/login")
    page.get_by_label("Эл. почта").fill(company.owner.email)
    page.get_by_label("Пароль").fill(company.owner.password)
    page.get_by_role("button", name="Войти").click()
    page.locator(".brand-name", has_text="Thumb Florist").wait_for()


@pytest.mark.parametrize(("size", "lang"), [("phone", "ru"), ("laptop", "en")])
def test_a_slow_network_shows_the_screens_shape_and_a_save_shows_progress(browser: Any, live_url: str, app: Any,
                                                                          size: str, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Slow Florist")
    page = new_page(browser, live_url, viewport=PHONE if size == "phone" else LAPTOP)
    log_in(page, company.owner, "Slow Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    contacts = "Contacts" if lang == "en" else "Контакты"
    open_screen(page, "/contacts", contacts)

    held: list[Any] = []
    page.route("**/api/v1/tasks?*", lambda route: held.append(route))
    page.goto("/#/tasks")
    page.locator("[data-test=skeleton]").wait_for()  # the screen's shape, not a blank page
    assert page.locator("[data-test=skeleton] .skeleton-row").count() >= 3
    while not held:
        page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/tasks?*")
    page.locator("[data-test=skeleton]").wait_for(state="detached")

    # a reload with the session slow to come back shows the app's frame and the shape, never a blank page
    held.clear()
    page.route("**/api/v1/auth/refresh", lambda route: held.append(route))
    page.reload()
    page.locator(".boot-frame [data-test=skeleton]").wait_for()
    while not held:
        page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/auth/refresh")
    page.locator(".brand-name", has_text="Slow Florist").wait_for()

    # a save: the button spins and cannot be pressed twice
    open_screen(page, "/contacts", contacts)
    held.clear()
    page.route("**/api/v1/contacts", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("First name" if lang == "en" else "Имя", exact=True).fill("Slowpoke")
    save = page.locator("main form[aria-label] button[type=submit]").last
    save.click()
    page.locator("main form button[type=submit].busy").wait_for()
    assert save.is_disabled()
    while not held:
        page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/api/v1/contacts")
    page.locator("#page-title", has_text="Slowpoke").wait_for()
    assert_no_problems(page)
    page.context.close()
