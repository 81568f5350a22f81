"""The staff web app in a real browser: sign-up to sign-out, on a desktop and on a phone, and tenant isolation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import PHONE, Screens, new_page
from tests.factories import PASSWORD, signup, unique_email
from tests.support import ApiClient, body

BENIGN = re.compile(r"Failed to load resource: the server responded with a status of (401|404|409|422)")


def sign_up(page: Any, *, company: str, name: str = "Olga Owner", country: str = "US") -> str:
    """Sign a company of that country up through the form; returns the owner's e-mail."""
    email = unique_email("ui")
    page.goto("/#/signup")
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("select[name=country]").select_option(country)  # preset from the browser's zone (Europe/Berlin)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"#/tasks"))
    page.locator(".brand-name", has_text=company).wait_for()
    return email


# The screen at the address is drawn: main.js marks #app with the address of each screen it has drawn (its data in),
# so a wait on the next screen's title cannot be answered by the last one's when the two share it (Settings).
DRAWN = "() => document.getElementById('app')?.dataset.drawn === location.hash.slice(1)"


def open_screen(page: Any, path: str, heading: str) -> None:
    """Navigate by hash, wait until the screen at the address (or where it sends) is drawn, then for its heading."""
    page.goto(f"/#{path}")
    page.wait_for_function(DRAWN)
    page.locator("#page-title", has_text=heading).wait_for()


def add_deal(page: Any, title: str, amount: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Amount").fill(amount)
    page.get_by_role("button", name="Add deal").click()
    page.locator(".deal", has_text=title).wait_for()


def drag(page: Any, source: Any, target: Any) -> None:
    """Native HTML5 drag and drop with real mouse moves (the steps make Chromium start a drag session)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 60, steps=10)
    page.mouse.up()


def column(page: Any, stage: str) -> Any:
    return page.locator(".column", has=page.locator("h2", has_text=re.compile(f"^{stage}$")))


def add_contact_and_complete_its_task(page: Any, screens: Screens) -> None:
    """A contact, a note on it and a task for it, completed in one click from the overdue list."""
    open_screen(page, "/contacts", "Contacts")
    page.locator(".empty", has_text="No contacts yet").wait_for()
    page.get_by_label("First name").fill("Ivan")
    page.get_by_label("Last name").fill("Petrov")
    page.get_by_label("Phone", exact=True).fill("+1 415 555 0100")
    page.get_by_role("button", name="Add contact").click()
    page.locator("#page-title", has_text="Ivan Petrov").wait_for()
    page.get_by_label("Note", exact=True).fill("Wants a cake for 40 guests")
    page.get_by_role("button", name="Add note").click()
    page.locator(".timeline", has_text="40 guests").wait_for()
    page.get_by_label("What to do").fill("Call about the cake")
    # two days back: yesterday at 10:00 on this machine's date is still "today" on a company's clock behind UTC after
    # midnight UTC (a New York company from 00:00 to 05:00 UTC), so it was not overdue then
    page.get_by_label("Due").fill((datetime.now() - timedelta(days=2)).strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Add task").click()
    page.locator(".panel", has_text="Tasks").locator("li", has_text="Call about the cake").wait_for()
    screens.shoot(page, "contact-card")
    open_screen(page, "/contacts", "Contacts")
    page.locator(".list a", has_text="Ivan Petrov").wait_for()
    screens.shoot(page, "contacts")
    open_screen(page, "/tasks?view=overdue", "Tasks")
    page.get_by_role("button", name="Complete “Call about the cake”").click()
    page.locator(".toast", has_text="Task done").wait_for()
    assert page.locator("li.task-done", has_text="Call about the cake").count() == 1
    screens.shoot(page, "tasks")
    page.reload()
    page.locator(".empty", has_text="Nothing overdue").wait_for()  # done for real, not only on screen


def assert_no_problems(page: Any) -> None:
    problems = [p for p in page.problems if not BENIGN.search(p)]
    assert not problems, problems


def assert_signed_out(page: Any) -> None:
    page.locator("#page-title", has_text=re.compile("Log in|Вход")).wait_for()
    page.reload()
    page.locator("#page-title", has_text=re.compile("Log in|Вход")).wait_for()
    page.goto("/#/settings/profile")
    page.wait_for_url(re.compile(r"#/login"))


def test_desktop_journey_from_sign_up_to_sign_out(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url)
    page.goto("/")
    page.locator("#page-title", has_text="Log in").wait_for()
    screens.shoot(page, "login")

    # A bad password is refused by the API and the reason shows next to the field.
    page.goto("/#/signup")
    page.get_by_label("Company name").fill("Desk Bakery")
    page.get_by_label("Your name").fill("Dana Baker")
    page.get_by_label("E-mail").fill(unique_email("desk"))
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password")
    page.wait_for_selector("[aria-invalid=true][name=password]")
    assert "at least 10" in page.locator(f"#{password.get_attribute('id')}-error").inner_text()
    screens.shoot(page, "signup-error")

    sign_up(page, company="Desk Bakery", name="Dana Baker")
    # no token may be readable by scripts: only the mark that a session may exist (no secret; a load without it
    # asks no refresh, which would log a 401)
    assert page.evaluate("() => [{...localStorage}, Object.keys(sessionStorage), document.cookie]") == [
        {"crm.session": "1"}, [], ""], "no token may be readable by scripts"

    add_contact_and_complete_its_task(page, screens)

    open_screen(page, "/deals", "Deals")
    add_deal(page, "Wedding cake", "12345.67")
    assert "$12,345.67" in column(page, "New").inner_text()
    drag(page, page.locator(".deal", has_text="Wedding cake").locator(".amount"), column(page, "Won"))
    column(page, "Won").locator(".deal", has_text="Wedding cake").wait_for()
    page.locator(".toast", has_text="moved to Won").wait_for()
    assert "$12,345.67" in column(page, "Won").locator("[data-test=stage-total]").inner_text()
    assert column(page, "New").locator(".badge").inner_text() == "0"
    screens.shoot(page, "deals")
    page.reload()  # the move was saved, not only drawn; the session survives a reload (refresh cookie)
    column(page, "Won").locator(".deal", has_text="Wedding cake").wait_for()

    open_screen(page, "/settings/api-keys", "Settings")
    page.get_by_label("Name", exact=True).fill("Website form")
    page.get_by_label("Contacts: Create").check()
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("[data-test=api-key-secret]")
    secret.wait_for()
    assert secret.inner_text().startswith("crm_")
    screens.shoot(page, "api-keys")
    for path, name in [("/settings/profile", "profile"), ("/settings/security", "security"),
                       ("/settings/users", "users"), ("/settings/roles", "roles"), ("/settings/company", "company")]:
        open_screen(page, path, "Settings")
        screens.shoot(page, name)

    # Russian: the texts change and numbers, money and dates follow Russian conventions.
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Сделки").wait_for()
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator("#page-title", has_text="Настройки").wait_for()
    open_screen(page, "/settings/api-keys", "Настройки")
    created = page.locator(".table-wrap").first.inner_text()
    assert re.search(r"\d{1,2} [\u0430-\u044f]+\.? \d{4}", created), f"a date in Russian: {created}"
    open_screen(page, "/deals", "Сделки")
    won_total = column(page, "Won").locator("[data-test=stage-total]").inner_text()
    assert re.search(r"12\s345,67\s\$", won_total), won_total
    screens.shoot(page, "deals-ru")
    page.reload()
    page.locator(".main-nav", has_text="Сделки").wait_for()  # the language choice is remembered
    assert sorted(page.evaluate("() => Object.keys(localStorage)")) == ["crm.lang", "crm.session"]

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Выйти", exact=True).click()
    assert_signed_out(page)
    assert_no_problems(page)
    page.context.close()


def test_phone_layout_with_keyboard_move_and_sign_out(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url, viewport=PHONE)
    sign_up(page, company="Pocket Florist")
    nav = page.locator(".main-nav").bounding_box()
    assert nav is not None and nav["y"] + nav["height"] == pytest.approx(PHONE["height"], abs=1), "bottom navigation"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    screens.shoot(page, "home")

    add_contact_and_complete_its_task(page, screens)
    page.locator(".main-nav a", has_text="Deals").click()
    page.locator("#page-title", has_text="Deals").wait_for()
    add_deal(page, "Bridal bouquet", "250")
    move = page.get_by_label("Move “Bridal bouquet” to")
    move.focus()
    move.select_option(label="Proposal")
    column(page, "Proposal").locator(".deal", has_text="Bridal bouquet").wait_for()
    page.locator(".toast", has_text="moved to Proposal").wait_for()
    assert "$250.00" in column(page, "Proposal").locator("[data-test=stage-total]").inner_text()
    move.select_option(label="Lost")  # a lost deal needs a reason: asked in a dialog
    page.get_by_role("dialog").get_by_label("Reason").select_option("No budget")
    page.get_by_role("button", name="Mark as lost").click()
    page.locator(".toast", has_text="moved to Lost").wait_for()
    assert "$250.00" in column(page, "Lost").locator("[data-test=stage-total]").inner_text()
    screens.shoot(page, "deals")

    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Сделки").wait_for()
    assert re.search(r"250,00\s\$", column(page, "Lost").locator("[data-test=stage-total]").inner_text())
    page.locator(".main-nav a", has_text="Настройки").click()
    page.locator("#page-title", has_text="Настройки").wait_for()
    screens.shoot(page, "settings-ru")
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Выйти", exact=True).click()
    assert_signed_out(page)
    assert_no_problems(page)
    page.context.close()


def test_a_second_company_sees_nothing_of_the_first(browser: Any, live_url: str, app: Any,
                                                    screens: Screens) -> None:
    client = ApiClient(app)
    first = signup(client, company="Alpha Secret Bakery")
    token = first.owner.token
    team = body(client.post("/api/v1/teams", {"name": "Alpha Secret Team"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Alpha Secret Deal"}, token=token))
    contact = body(client.post("/api/v1/contacts", {"first_name": "Alpha Secret", "last_name": "Contact"}, token=token))
    task = body(client.post("/api/v1/tasks", {"title": "Alpha Secret Task"}, token=token))
    assert team["id"] and deal["id"] and contact["id"] and task["id"]

    page = new_page(browser, live_url)
    sign_up(page, company="Bravo Shop")
    seen = []
    for path, heading in [("/deals", "Deals"), ("/deals?view=list", "Deals"), ("/contacts", "Contacts"),
                          ("/companies", "Companies"), ("/tasks?view=upcoming", "Tasks"),
                          ("/settings/users", "Settings"), ("/settings/teams", "Settings"),
                          ("/settings/api-keys", "Settings")]:
        open_screen(page, path, heading)  # drawn with what its requests answered
        seen.append(page.locator("body").inner_text())
    for path in (f"/deals/{deal['id']}", f"/contacts/{contact['id']}"):
        open_screen(page, path, "")
        page.locator(".form-status", has_text="Not found").wait_for()
        seen.append(page.locator("body").inner_text())
    screens.shoot(page, "other-tenants-deal")
    for text in seen:
        for secret in ("Alpha Secret", first.owner.email, first.tenant_id):
            assert secret not in text
    assert_no_problems(page)
    page.context.close()
