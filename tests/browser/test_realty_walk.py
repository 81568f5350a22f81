"""A Phoenix real estate team on phones (390 px, English): the transaction coordinator lists the deals under
contract and reads each one's close date in the list, without opening every card."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, fits_the_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

PHONE = {"width": 390, "height": 844}


def _team(name: str, app: Any) -> tuple[ApiClient, Any]:
    """A Phoenix real estate company (no daylight saving) and a client of its API."""
    client = ApiClient(app)
    return client, signup(client, company=name, country="US", timezone="America/Phoenix")


def _fits_and_closes(page: Any, screens: Screens, shot: str) -> None:
    """The screen fits the phone's width without a sideways scroll, shot for the gallery, with no problem logged."""
    fits_the_phone(page, screens, shot)
    assert_no_problems(page)
    page.context.close()


def _on_a_phone(browser: Any, live_url: str, company: Any, name: str, path: str) -> Any:
    """The company's owner signed in on a 390 px phone at path."""
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, name, at=path.removeprefix("/#"))  # the app opened there, not on #/tasks first
    return page


def test_the_coordinator_reads_each_deal_s_close_date_in_the_list(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client, company = _team("Sunbelt Homes Realty", app)
    token = company.owner.token
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    stage = pipeline["stages"][1]
    for title, close in (("Rachel Kim - 7312 N Central Ave", "2026-12-22"), ("Tom Becker - 1520 W Glendale Ave", None)):
        made = client.post("/api/v1/deals", {"title": title, "pipeline_id": pipeline["id"], "stage_id": stage["id"],
                                             "amount": {"minor": 1950000, "currency": "USD"},
                                             "expected_close_on": close}, token=token)
        assert made.status_code == 201, made.body
    page = _on_a_phone(browser, live_url, company, "Sunbelt Homes Realty",
                       f"/#/deals?pipeline={pipeline['id']}&view=list&stage_id={stage['id']}")
    rachel = page.locator("tr[data-deal]", has_text="Rachel Kim")
    rachel.wait_for()
    # the list said when each was last updated, and nothing of when it closes
    assert rachel.locator("td[data-label='Expected close']").inner_text() == "Dec 22, 2026"
    tom = page.locator("tr[data-deal]", has_text="Tom Becker")
    assert tom.locator("td[data-label='Expected close']").inner_text() == "—"
    _fits_and_closes(page, screens, "deals-close-dates")


def test_an_agent_books_a_showing_with_its_address_and_taps_it_to_the_map(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    _, company = _team("Sunbelt Showings", app)
    page = _on_a_phone(browser, live_url, company, "Sunbelt Showings", "/#/tasks")
    page.get_by_label("What to do").fill("Showing for Rachel Kim")
    page.get_by_label("Kind").select_option("meeting")
    page.get_by_label("Where").fill("7312 N Central Ave, Phoenix, AZ 85020")  # there was nowhere to put it
    page.get_by_role("button", name="Add task").click()
    place = page.locator("[data-test=task-place] a")
    place.wait_for()
    assert place.inner_text() == "7312 N Central Ave, Phoenix, AZ 85020"
    assert place.get_attribute("href") == ("https://www.google.com/maps/search/?api=1&query="
                                           "7312%20N%20Central%20Ave%2C%20Phoenix%2C%20AZ%2085020")
    _fits_and_closes(page, screens, "showing-address")


def test_the_buyer_s_deal_card_shows_where_her_showing_is(browser: Any, live_url: str, app: Any,
                                                          screens: Screens) -> None:
    client, company = _team("Sunbelt Cards", app)
    token = company.owner.token
    deal = client.post("/api/v1/deals", {"title": "Rachel Kim - buyer"}, token=token)
    assert deal.status_code == 201, deal.body
    showing = client.post("/api/v1/tasks", {"title": "Showing", "kind": "meeting", "due_at": "2026-12-13T21:00:00Z",
                                            "location": "4218 E Camelback Rd, Phoenix, AZ",
                                            "related": {"type": "deal", "id": body(deal)["id"]}}, token=token)
    assert showing.status_code == 201, showing.body
    page = _on_a_phone(browser, live_url, company, "Sunbelt Cards", f"/#/deals/{body(deal)['id']}")
    place = page.locator("[data-test=task-place] a")
    place.wait_for()  # the card's Tasks said 'Showing' and its time only
    assert place.inner_text() == "4218 E Camelback Rd, Phoenix, AZ"
    assert "google.com/maps/search" in str(place.get_attribute("href"))
    assert_no_problems(page)
    page.context.close()
