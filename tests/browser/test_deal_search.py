"""The deals screen's search in a browser: deals found by the words their titles start with, across pipelines,
each shown with where it stands, its status and its amount and linked to its card; more words find fewer; an empty
result says so; clearing the search brings the board back. Two API calls, no sideways scrolling at 360 px, and in
Russian every new text is Russian and money follows Russian conventions."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import NARROW, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_screens import MAX_CALLS, api_calls
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def seed_deals(client: ApiClient, company: Company) -> dict[str, Any]:
    """A quince deal on the default board, a won quince deal in a second pipeline, and one that is neither."""
    token = company.owner.token
    wholesale = body(client.post("/api/v1/pipelines", {"name": "Wholesale"}, token=token))
    won = next(stage for stage in wholesale["stages"] if stage["kind"] == "won")
    made = {}
    for key, deal in [
        ("tart", {"title": "Quince tart for the Marlowe wedding", "amount": {"minor": 123450, "currency": "USD"}}),
        ("jam", {"title": "Quince jam crates", "pipeline_id": wholesale["id"], "stage_id": won["id"],
                 "amount": {"minor": 5000, "currency": "EUR"}}),
        ("pie", {"title": "Apple pie tasting", "amount": {"minor": 900, "currency": "USD"}}),
    ]:
        answer = client.post("/api/v1/deals", deal, token=token)
        assert answer.status_code == 201, answer.body
        made[key] = body(answer)
    assert made["jam"]["status"] == "won", made["jam"]
    return made


def result(page: Any, title: str) -> Any:
    return page.locator(".deal-results li", has=page.get_by_role("link", name=title, exact=True))


def search(page: Any, words: str, label: str = "Search deals") -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(words)
    box.press("Enter")


def test_deals_found_across_pipelines_open_their_card_and_the_board_comes_back(browser: Any, live_url: str, app: Any,
                                                                              screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Searching Bakery")
    deals = seed_deals(client, company)
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Searching Bakery", at="/deals")
    page.locator(".board .deal", has_text="Apple pie tasting").wait_for()

    # One word: both quince deals, the one of the other pipeline too, each with where it stands.
    search(page, "quince")
    page.wait_for_url(re.compile(r"q=quince"))
    expect(page.get_by_role("heading", name="Deals found for “quince”")).to_be_visible()
    expect(page.locator(".deal-results li")).to_have_count(2)
    tart, jam = result(page, "Quince tart for the Marlowe wedding"), result(page, "Quince jam crates")
    expect(tart.locator("[data-test=where]")).to_have_text("Sales · New")
    expect(tart.locator("[data-test=status]")).to_have_text("Open")
    expect(tart.locator("[data-test=amount]")).to_have_text("$1,234.50")
    expect(jam.locator("[data-test=where]")).to_have_text("Wholesale · Won")
    expect(jam.locator("[data-test=status]")).to_have_text("Won")
    expect(jam.locator("[data-test=amount]")).to_have_text("€50.00")
    expect(page.locator(".board")).to_have_count(0)
    expect(page.get_by_label("Search deals", exact=True)).to_have_value("quince")
    screens.shoot(page, "results")
    assert_fits_a_phone(page, screens, "results-phone")

    # Two words, in any order and case: only the deal whose title has both.
    search(page, "MARLOWE quin")
    page.wait_for_url(re.compile(r"q=MARLOWE"))
    expect(page.locator(".deal-results li")).to_have_count(1)
    expect(result(page, "Quince tart for the Marlowe wedding")).to_be_visible()

    # A found deal opens its card; back, the search is still there.
    page.get_by_role("link", name="Quince tart for the Marlowe wedding", exact=True).click()
    page.wait_for_url(re.compile(f"#/deals/{deals['tart']['id']}$"))
    page.locator("#page-title", has_text="Quince tart for the Marlowe wedding").wait_for()
    expect(page.locator("dl.props")).to_contain_text("$1,234.50")
    page.go_back()
    expect(page.locator(".deal-results li")).to_have_count(1)

    # Nothing found: said so, with the way back to the board.
    search(page, "zucchini")
    expect(page.locator(".empty")).to_contain_text("No deals found for “zucchini”.")
    expect(page.locator(".deal-results")).to_have_count(0)
    page.locator(".empty").get_by_role("link", name="Back to the board").click()
    page.locator(".board .deal", has_text="Apple pie tasting").wait_for()

    # Clearing the search (its button) brings the board back, with an empty box.
    search(page, "quince")
    expect(page.locator(".deal-results li")).to_have_count(2)
    page.get_by_role("button", name="Clear search").click()
    page.locator(".board .deal", has_text="Apple pie tasting").wait_for()
    expect(page.locator(".deal-results")).to_have_count(0)
    expect(page.get_by_label("Search deals", exact=True)).to_have_value("")
    assert "q=" not in page.url

    # The search screen takes no more API calls than the board.
    calls = api_calls(page, "/deals?q=quince", ".deal-results li")
    assert 0 < len(calls) <= MAX_CALLS, calls
    assert_no_problems(page)
    page.context.close()


def test_the_search_of_a_pipeline_list_returns_to_that_list(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Listing Search Bakery")
    deals = seed_deals(client, company)
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Listing Search Bakery")
    pipeline = deals["jam"]["pipeline_id"]
    page.goto(f"/#/deals?pipeline={pipeline}&view=list")
    page.locator(".deal-table tbody tr", has_text="Quince jam crates").wait_for()
    search(page, "apple")
    expect(page.locator(".deal-results li")).to_have_count(1)  # found in the other pipeline
    expect(result(page, "Apple pie tasting").locator("[data-test=where]")).to_have_text("Sales · New")
    # Emptying the box and sending it is clearing too: back to the list of the pipeline it was searched from.
    search(page, "")
    page.locator(".deal-table tbody tr", has_text="Quince jam crates").wait_for()
    expect(page.get_by_label("Pipeline")).to_have_value(pipeline)
    assert "q=" not in page.url and "view=list" in page.url
    assert_no_problems(page)
    page.context.close()


def test_more_deals_found_than_a_page_holds_load_on_demand(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Paging Search Bakery")
    for n in range(52):
        answer = client.post("/api/v1/deals", {"title": f"Batch order {n:02d}"}, token=company.owner.token)
        assert answer.status_code == 201, answer.body
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Paging Search Bakery", at="/deals?q=batch")
    expect(page.locator(".deal-results li")).to_have_count(50)
    page.get_by_role("button", name="Load more").click()
    expect(page.locator(".deal-results li")).to_have_count(52)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    assert_no_problems(page)
    page.context.close()


def test_deal_search_in_russian_on_a_small_phone(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Поиск в пекарне")
    seed_deals(client, company)
    page = new_page(browser, live_url, viewport=NARROW)
    log_in(page, company.owner, "Поиск в пекарне")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto("/#/deals")
    page.locator(".board .deal", has_text="Apple pie tasting").wait_for()
    expect(page.get_by_role("button", name="Найти", exact=True)).to_be_visible()
    search(page, "quince", label="Поиск сделок")
    expect(page.get_by_role("heading", name="Сделки по запросу «quince»")).to_be_visible()
    hint = "Во всех воронках, по началу слов в названии сделки."  # noqa: RUF001
    expect(page.locator(".deal-search-results .hint")).to_have_text(hint)
    jam = result(page, "Quince jam crates")
    expect(jam.locator("[data-test=status]")).to_have_text("Выиграна")
    tart = result(page, "Quince tart for the Marlowe wedding")
    expect(tart.locator("[data-test=status]")).to_have_text("В работе")  # noqa: RUF001
    expect(tart.locator("[data-test=amount]")).to_have_text(re.compile(r"^1\s234,50\s\$$"))
    expect(jam.locator("[data-test=amount]")).to_have_text(re.compile(r"^50,00\s€$"))
    assert_fits_a_phone(page, screens, "results-ru")
    search(page, "кабачок", label="Поиск сделок")
    expect(page.locator(".empty")).to_contain_text("Сделок по запросу «кабачок» не найдено.")
    expect(page.locator(".empty").get_by_role("link", name="К доске сделок")).to_be_visible()  # noqa: RUF001
    page.get_by_role("button", name="Сбросить поиск").click()
    page.locator(".board .deal", has_text="Apple pie tasting").wait_for()
    assert_fits_a_phone(page, screens, "board-ru")
    assert not [p for p in page.problems if "missing text" in p], page.problems
    assert_no_problems(page)
    page.context.close()
