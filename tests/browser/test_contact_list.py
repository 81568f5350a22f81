"""The contacts list in a browser: filters by tag, responsible and a select custom field; bulk tag, assign and
delete over ticked contacts, checked against the API afterwards."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body

TIER = {"entity": "contact", "key": "tier", "label": "Tier", "type": "select", "filterable": True,
        "options": [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]}


def seed_contacts(client: ApiClient, token: str) -> dict[str, str]:
    """Four contacts: two tagged vip, one gold tier; ids by first name."""
    assert client.post("/api/v1/custom-fields", TIER, token=token).status_code == 201
    ids = {}
    for name, tags, tier in [("Anna", ["vip"], "gold"), ("Boris", ["vip"], "silver"), ("Clara", [], None),
                             ("Denis", [], None)]:
        custom = {"tier": tier} if tier else {}
        answer = client.post("/api/v1/contacts", {"first_name": name, "tags": tags, "custom": custom}, token=token)
        assert answer.status_code == 201, answer.body
        ids[name] = body(answer)["id"]
    return ids


def names_shown(page: Any, expected: list[str] | None = None) -> list[str]:
    """The names on the list once the screen has drawn it (or its empty state); given the expected
    names, waits up to 20 s for them (the URL changes before the new list is drawn; a bound, never the pace)."""
    deadline = time.monotonic() + 20
    while True:
        page.locator(".contact-list, .content .empty, .content .form-status:not([hidden])").first.wait_for()
        failure = page.locator(".content > .form-status")
        assert failure.count() == 0, failure.inner_text()
        names = sorted(page.locator(".contact-list .title").all_inner_texts())
        if expected is None or names == expected or time.monotonic() > deadline:
            return names
        page.wait_for_timeout(100)


def tick(page: Any, *names: str) -> None:
    for name in names:
        page.get_by_label(f"Select {name}").check()


def test_filters_and_bulk_actions_on_the_contacts_list(browser: Any, live_url: str, app: Any,
                                                       screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Bulk Bakery")
    agent = add_member(client, company, role="agent", name="agnes")
    ids = seed_contacts(client, company.owner.token)

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Bulk Bakery", at="/contacts")
    open_screen(page, "/contacts", "Contacts")
    assert names_shown(page, ["Anna", "Boris", "Clara", "Denis"]) == ["Anna", "Boris", "Clara", "Denis"]
    assert page.locator("form.bulk-bar").is_hidden(), "no bulk bar before anything is ticked"

    # Filters: a tag, then a select custom field; the filters live in the URL and survive a reload.
    page.locator(".filters summary").click()
    page.get_by_label("Tag", exact=True).fill("vip")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"tag=vip"))
    assert names_shown(page, ["Anna", "Boris"]) == ["Anna", "Boris"]
    page.get_by_label("Tier").select_option("gold")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"custom\.tier=gold"))
    assert names_shown(page, ["Anna"]) == ["Anna"]
    page.reload()
    page.locator(".filters summary", has_text="2 on").wait_for()
    assert names_shown(page, ["Anna"]) == ["Anna"]
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(re.compile(r"#/contacts$"))
    assert names_shown(page, ["Anna", "Boris", "Clara", "Denis"]) == ["Anna", "Boris", "Clara", "Denis"]

    # Bulk: tag two contacts, then give them to the agent; the responsible filter then finds exactly them.
    tick(page, "Clara", "Denis")
    page.locator(".bulk-count", has_text="2 contacts selected").wait_for()
    page.get_by_label("Action").select_option("tag")
    page.get_by_label("Tags", exact=True).fill("wholesale, autumn")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.locator(".toast", has_text="Done for 2 contacts").wait_for()
    page.locator(".contact-list li", has_text="Clara").locator(".badge", has_text="wholesale").wait_for()
    screens.shoot(page, "contacts-bulk")
    tick(page, "Clara", "Denis")
    page.get_by_label("Action").select_option("assign")
    page.get_by_label("Responsible", exact=True).last.select_option(label="Agnes")
    page.evaluate("document.querySelectorAll('.toast').forEach((toast) => toast.remove())")  # one at a time (#20)
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator(".toast", has_text="Done for 2 contacts")).to_have_count(1)
    page.locator(".filters summary").click()
    page.get_by_label("Responsible").first.select_option(label="Agnes")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"owner_id="))
    assert names_shown(page, ["Clara", "Denis"]) == ["Clara", "Denis"]
    for name in ("Clara", "Denis"):
        contact = body(client.get(f"/api/v1/contacts/{ids[name]}", token=company.owner.token))
        contact = contact.get("contact", contact)
        assert contact["owner_id"] == agent.user_id
        assert {"wholesale", "autumn"} <= set(contact["tags"])
    assert_fits_a_phone(page, screens, "contacts-filtered-phone")

    # Bulk delete asks first: Escape keeps everything, confirming moves the ticked contacts to the trash.
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(re.compile(r"#/contacts$"))
    page.get_by_label("Select all shown").check()
    page.locator(".bulk-count", has_text="4 contacts selected").wait_for()
    page.get_by_label("Action").select_option("delete")
    page.get_by_role("button", name="Apply", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert page.evaluate("() => document.querySelector('dialog[open]').contains(document.activeElement)")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the page behind is inert: focus cycles inside the dialog
    assert page.evaluate("() => document.querySelector('dialog[open]').contains(document.activeElement)")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    expect(page.get_by_role("button", name="Apply", exact=True)).to_be_focused()  # back where it was
    assert names_shown(page, ["Anna", "Boris", "Clara", "Denis"]) == ["Anna", "Boris", "Clara", "Denis"]
    page.get_by_label("Select Anna").uncheck()
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.locator(".toast", has_text="Done for 3 contacts").wait_for()
    assert names_shown(page, ["Anna"]) == ["Anna"]
    assert client.get(f"/api/v1/contacts/{ids['Boris']}", token=company.owner.token).status_code == 404
    assert_no_problems(page)
    page.context.close()


def test_an_agent_filters_and_tags_only_their_own_contacts(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Agent Bakery")
    agent = add_member(client, company, role="agent", name="arkady")
    seed_contacts(client, company.owner.token)
    mine = body(client.post("/api/v1/contacts", {"first_name": "Mila"}, token=agent.token))

    page = new_page(browser, live_url)
    log_in(page, agent, "Agent Bakery", at="/contacts")
    open_screen(page, "/contacts", "Contacts")
    assert names_shown(page, ["Mila"]) == ["Mila"]
    tick(page, "Mila")
    assert page.get_by_label("Action").locator("option").all_inner_texts() == ["Assign to…", "Add tags", "Remove tags"]
    page.get_by_label("Action").select_option("tag")
    page.get_by_label("Tags", exact=True).fill("hot")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.locator(".toast", has_text="Done for 1 contact").wait_for()
    contact = body(client.get(f"/api/v1/contacts/{mine['id']}", token=agent.token))
    assert contact.get("contact", contact)["tags"] == ["hot"]
    assert_no_problems(page)
    page.context.close()
