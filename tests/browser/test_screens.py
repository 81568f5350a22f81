"""Every main screen in a browser: at most two API calls each, no sideways scrolling at 360 px, a screenshot of
each; deals as a list with per-locale money; a stale move rolled back with the API's reason and the fresh data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import DRAWN, assert_no_problems, column
from tests.browser.test_sensitive import log_in
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

MAX_CALLS = 2  # issue 7: each screen needs one or two API calls


def seed_records(client: ApiClient, company: Company) -> dict[str, Any]:
    """A contact with a task, a company with a note, a deal linked to both; returned by kind."""
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Irina", "last_name": "Sokolova"}, token=token))
    firm = body(client.post("/api/v1/companies", {"name": "Flour Mill Ltd"}, token=token))
    note = client.post("/api/v1/notes", {"subject": {"type": "company", "id": firm["id"]},
                                         "text": "Delivers on Mondays"}, token=token)
    assert note.status_code == 201, note.body
    deal = body(client.post("/api/v1/deals", {"title": "Anniversary cake",
                                              "amount": {"minor": 123450, "currency": "USD"},
                                              "contact_ids": [contact["id"]], "company_id": firm["id"]}, token=token))
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    task = client.post("/api/v1/tasks", {"title": "Send the quote", "due_at": due,
                                         "related": {"type": "contact", "id": contact["id"]}}, token=token)
    assert task.status_code == 201, task.body
    return {"contact": contact, "company": firm, "deal": deal}


def api_calls(page: Any, path: str, ready: str) -> list[str]:
    """The API requests a screen makes when reached from another screen (no reload): those sent until it is drawn
    (main.js marks it once its data is in), each waited for to its answer."""
    requests: list[Any] = []

    def seen(request: Any) -> None:
        if "/api/v1/" in request.url:
            requests.append(request)

    page.on("request", seen)
    try:
        page.evaluate("path => { location.hash = '#' + path; }", path)
        page.wait_for_function(DRAWN)
        page.locator(ready).first.wait_for()
        for request in list(requests):
            request.response()  # answered, not still on its way while the next screen is counted
    finally:
        page.remove_listener("request", seen)
    return [f"{request.method} {request.url.split('/api/v1/')[1]}" for request in requests]


def test_each_main_screen_needs_at_most_two_calls_and_fits_a_phone(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Counting Bakery")
    records = seed_records(client, company)
    contact_id, company_id, deal_id = (records[kind]["id"] for kind in ("contact", "company", "deal"))

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Counting Bakery")
    main_screens = [
        ("tasks", "/tasks?view=upcoming", ".list li[data-task]"),
        ("contacts", "/contacts", ".contact-list li"),
        ("contact-card", f"/contacts/{contact_id}", "#page-title:has-text('Irina Sokolova')"),
        ("companies", "/companies", ".list a:has-text('Flour Mill Ltd')"),
        ("company-card", f"/companies/{company_id}", ".timeline:has-text('Delivers on Mondays')"),
        ("deal-board", "/deals", ".board .deal"),
        ("deal-card", f"/deals/{deal_id}", "#page-title:has-text('Anniversary cake')"),
        ("deal-list", "/deals?view=list", ".deal-table"),
    ]
    counts = {}
    for name, path, ready in main_screens:
        calls = api_calls(page, path, ready)
        counts[name] = calls
        screens.shoot(page, name)
        assert_fits_a_phone(page, screens, f"{name}-phone")
    too_many = {name: calls for name, calls in counts.items() if len(calls) > MAX_CALLS}
    assert not too_many, too_many
    assert all(counts.values()), counts  # each screen did load its data

    # The cards show what links to them: the deal on the contact card and the company card, and its timeline.
    page.goto(f"/#/companies/{company_id}")
    page.locator(".panel", has_text="Deals").get_by_role("link", name="Anniversary cake").wait_for()
    page.goto(f"/#/contacts/{contact_id}")
    page.locator(".panel", has_text="Deals").get_by_role("link", name="Anniversary cake").wait_for()
    assert_no_problems(page)
    page.context.close()


def test_deals_as_a_list_with_money_and_dates_per_locale(browser: Any, live_url: str, app: Any,
                                                         screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Listing Bakery")
    seed_records(client, company)
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Listing Bakery", at="/deals")
    page.locator(".board .deal", has_text="Anniversary cake").wait_for()
    page.get_by_role("link", name="List", exact=True).click()
    row = page.locator(".deal-table tbody tr", has_text="Anniversary cake")
    row.wait_for()
    cells = row.locator("td:not(.pick-cell)").all_inner_texts()  # the first cell of an owner's row ticks it
    assert cells[1:4] == ["New", "Open", "$1,234.50"], cells
    assert cells[4] == "—" and re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", cells[5]), cells  # no close date; updated
    screens.shoot(page, "deal-list")
    page.get_by_label("Status").select_option("won")
    page.locator(".empty", has_text="Nothing found").wait_for()
    assert "status=won" in page.url
    page.get_by_label("Status").select_option("open")
    page.locator(".deal-table tbody tr", has_text="Anniversary cake").wait_for()
    # A manager narrows the list to one person's deals, then to a stage; the address keeps both, as the contacts' does
    mila = add_member(client, company, role="manager", name="mila")
    sales = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"][0]
    first, second = sales["stages"][0], sales["stages"][1]
    made = client.post("/api/v1/deals", {"title": "Wedding tiers", "stage_id": second["id"], "owner_id": mila.user_id},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    page.reload()
    page.locator(".deal-table tbody tr", has_text="Wedding tiers").wait_for()
    page.locator(".owner-filter summary").click()  # opened, it reads the company's people (the list keeps 2 calls)
    page.get_by_label("Responsible").select_option(label="Mila")
    page.locator(".deal-table tbody tr", has_text="Anniversary cake").wait_for(state="detached")
    expect(page.locator(".deal-table tbody tr")).to_have_count(1)  # Mila's deal alone
    screens.shoot(page, "deal-list-mila")
    page.locator("#stage-pick").select_option(first["id"])
    page.locator(".empty", has_text="Nothing found").wait_for()
    assert all(kept in page.url for kept in (f"owner_id={mila.user_id}", f"stage_id={first['id']}", "status=open"))
    page.reload()
    expect(page.locator("#stage-pick")).to_have_value(first["id"])
    expect(page.get_by_label("Responsible")).to_have_value(mila.user_id)
    page.locator("#stage-pick").select_option(second["id"])
    page.locator(".deal-table tbody tr", has_text="Wedding tiers").wait_for()
    page.get_by_label("Responsible").select_option("")
    page.wait_for_url(lambda url: "owner_id" not in url)
    page.locator("#stage-pick").select_option("")
    page.locator(".deal-table tbody tr", has_text="Anniversary cake").wait_for()
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator("#page-title", has_text="Сделки").wait_for()
    row = page.locator(".deal-table tbody tr", has_text="Anniversary cake")
    cells = row.locator("td:not(.pick-cell)").all_inner_texts()
    assert re.search(r"1\s234,50\s\$", cells[3]), cells
    assert re.search(r"\d{1,2} [\u0430-\u044f]+\.? \d{4}", cells[5]), cells
    page.get_by_role("link", name="Доска").click()
    page.locator(".board .deal", has_text="Anniversary cake").wait_for()
    assert_no_problems(page)
    page.context.close()


def test_a_stale_move_is_rolled_back_with_the_reason_and_the_fresh_deal(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Stale Bakery")
    deal = seed_records(client, company)["deal"]
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Stale Bakery", at="/deals")
    page.locator(".board .deal", has_text="Anniversary cake").wait_for()

    # Someone else renames the deal meanwhile: the board's copy is now one version behind.
    renamed = client.patch(f"/api/v1/deals/{deal['id']}",
                           {"version": deal["version"], "title": "Golden anniversary cake"}, token=company.owner.token)
    assert renamed.status_code == 200, renamed.body
    page.get_by_label("Move “Anniversary cake” to").select_option(label="Proposal")
    page.locator(".toast-error", has_text="Changed by someone else").wait_for()
    fresh = column(page, "New").locator(".deal", has_text="Golden anniversary cake")
    fresh.wait_for()  # rolled back to its stage, redrawn with the fresh data
    assert column(page, "Proposal").locator(".deal").count() == 0
    expect(column(page, "New").locator("[data-test=stage-total]")).to_have_text("$1,234.50")
    screens.shoot(page, "stale-move")

    # Keyboard: the move list is reachable and shows where focus is; the retried move now succeeds.
    select = page.get_by_label("Move “Golden anniversary cake” to")
    select.focus()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"  # the focus ring
    select.select_option(label="Proposal")
    page.locator(".toast", has_text="moved to Proposal").wait_for()
    column(page, "Proposal").locator(".deal", has_text="Golden anniversary cake").wait_for()
    expect(select).to_be_focused()  # the moved card keeps the keyboard focus
    moved = body(client.get(f"/api/v1/deals/{deal['id']}", token=company.owner.token))["deal"]
    assert moved["version"] == deal["version"] + 2 and moved["title"] == "Golden anniversary cake"
    assert_no_problems(page)  # the 409 is among the expected answers
    page.context.close()


def test_a_stale_contact_edit_shows_the_reason_and_the_fresh_contact(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Edit Bakery")
    contact = seed_records(client, company)["contact"]
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Edit Bakery", at=f"/contacts/{contact['id']}")
    page.locator("#page-title", has_text="Irina Sokolova").wait_for()
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Last name").fill("Petrova")

    changed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"], "last_name": "Orlova"},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body
    page.get_by_role("button", name="Save").click()
    page.locator(".toast-error", has_text="Changed by someone else").wait_for()
    page.locator("#page-title", has_text="Irina Orlova").wait_for()  # the fresh contact, not the stale form
    stored = body(client.get(f"/api/v1/contacts/{contact['id']}", token=company.owner.token))
    assert stored.get("contact", stored)["last_name"] == "Orlova"
    assert_no_problems(page)
    page.context.close()
