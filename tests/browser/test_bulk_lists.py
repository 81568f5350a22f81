"""Bulk actions on the companies list and the deals list in a browser, as on the contacts list: tick records, tag
them, hand them to a colleague, move them to the trash (after a confirmation); an agent is offered no trash; on a
360 px phone the boxes are thumb-sized and nothing scrolls sideways; in Russian the counts agree with their number.
The companies list filters by tag as the contacts list does."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body


def _tick(page: Any, *names: str) -> None:
    for name in names:
        page.get_by_label(f"Select {name}").check()


def _apply(page: Any) -> None:
    page.evaluate("document.querySelectorAll('.toast').forEach((toast) => toast.remove())")
    page.get_by_role("button", name="Apply", exact=True).click()


def test_deals_and_companies_are_tagged_assigned_and_trashed_in_bulk(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Bulk Florist")
    token = company.owner.token
    agnes = add_member(client, company, role="agent", name="agnes")
    deals = {title: body(client.post("/api/v1/deals", {"title": title}, token=token))["id"]
             for title in ("Tulip order", "Rose order", "Lily order")}
    for name in ("Acme Roses", "Bloom Ltd", "Calla Inc"):
        made = client.post("/api/v1/companies", {"name": name, "tags": ["wholesale"] if name == "Bloom Ltd" else []},
                           token=token)
        assert made.status_code == 201, made.body
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Bulk Florist")

    # Deals list: tag two, then hand them to Agnes; the tag filter and her list show exactly them.
    page.goto("/#/deals?view=list")
    rows = page.locator(".deal-table tbody tr")
    expect(rows).to_have_count(3)
    assert page.locator("form.bulk-bar").is_hidden()
    _tick(page, "Tulip order", "Rose order")
    page.locator(".bulk-count", has_text="2 deals selected").wait_for()
    page.get_by_label("Action").select_option("tag")
    page.get_by_label("Tags", exact=True).fill("wedding, Spring")
    _apply(page)
    page.locator(".toast", has_text="Done for 2 deals").wait_for()
    page.locator(".deal-table tr", has_text="Tulip order").locator(".badge", has_text="spring").wait_for()
    screens.shoot(page, "deals-bulk")
    assert_fits_a_phone(page, screens, "deals-bulk-phone")
    _tick(page, "Tulip order", "Rose order")
    page.get_by_label("Action").select_option("assign")
    page.get_by_label("Responsible", exact=True).last.select_option(label="Agnes")
    _apply(page)
    expect(page.locator(".toast", has_text="Done for 2 deals")).to_have_count(1)
    mine = body(client.get("/api/v1/deals?tag=wedding", token=agnes.token))["items"]
    assert sorted(deal["title"] for deal in mine) == ["Rose order", "Tulip order"]
    # Trash one after confirming; the list then shows two.
    _tick(page, "Lily order")
    page.get_by_label("Action").select_option("delete")
    _apply(page)
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.locator(".toast", has_text="Done for 1 deal").wait_for()
    expect(rows).to_have_count(2)
    assert client.get(f"/api/v1/deals/{deals['Lily order']}", token=token).status_code == 404

    # Companies list, in Russian: tag all three at once.
    page.get_by_label("Language").select_option("ru")
    page.goto("/#/companies")
    page.locator(".company-list li", has_text="Calla Inc").wait_for()
    page.get_by_label("Выбрать все показанные").check()
    page.locator(".bulk-count", has_text="Выбрано 3 компании").wait_for()
    page.get_by_label("Действие", exact=True).select_option("tag")
    page.get_by_label("Метки", exact=True).fill("supplier")
    page.evaluate("document.querySelectorAll('.toast').forEach((toast) => toast.remove())")
    page.get_by_role("button", name="Применить", exact=True).click()
    page.locator(".toast", has_text="Готово: 3 компании").wait_for()
    expect(page.locator(".company-list li .badge", has_text="supplier")).to_have_count(3)
    assert_fits_a_phone(page, screens, "companies-bulk-phone")
    tagged = body(client.get("/api/v1/companies?tag=supplier", token=token))["items"]
    assert len(tagged) == 3
    # The companies list filters by tag as the contacts list does, kept in the address.
    page.locator(".filters summary").click()
    page.get_by_label("Метка", exact=True).fill("wholesale")
    page.get_by_role("button", name="Применить фильтры").click()
    page.wait_for_url(re.compile(r"#/companies\?tag=wholesale"))
    expect(page.locator(".company-list li")).to_have_count(1)
    expect(page.locator(".company-list li")).to_contain_text("Bloom Ltd")
    page.get_by_role("link", name="Сбросить фильтры").click()
    expect(page.locator(".company-list li")).to_have_count(3)
    assert_no_problems(page)
    page.context.close()

    # An agent ticks the deals it sees; the bar offers no trash (agents may not delete).
    agent_page = new_page(browser, live_url)
    log_in(agent_page, agnes, "Bulk Florist", at="/deals?view=list")
    expect(agent_page.locator(".deal-table tbody tr")).to_have_count(2)
    _tick(agent_page, "Tulip order")
    options = agent_page.get_by_label("Action").locator("option").all_inner_texts()
    assert "Move to the trash" not in options and "Add tags" in options, options
    assert re.search("1 deal selected", agent_page.locator(".bulk-count").inner_text())
    agent_page.context.close()
