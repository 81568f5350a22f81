"""A Phoenix real estate team on phones (390 px, English): the transaction coordinator lists the deals under
contract and reads each one's close date in the list, without opening every card."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

PHONE = {"width": 390, "height": 844}


def test_the_coordinator_reads_each_deal_s_close_date_in_the_list(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")
    token = company.owner.token
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    stage = pipeline["stages"][1]
    for title, close in (("Rachel Kim - 7312 N Central Ave", "2026-12-22"), ("Tom Becker - 1520 W Glendale Ave", None)):
        made = client.post("/api/v1/deals", {"title": title, "pipeline_id": pipeline["id"], "stage_id": stage["id"],
                                             "amount": {"minor": 1950000, "currency": "USD"},
                                             "expected_close_on": close}, token=token)
        assert made.status_code == 201, made.body
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Sunbelt Homes Realty")
    page.goto(f"/#/deals?pipeline={pipeline['id']}&view=list&stage_id={stage['id']}")
    rachel = page.locator("tr[data-deal]", has_text="Rachel Kim")
    rachel.wait_for()
    # the list said when each was last updated, and nothing of when it closes
    assert rachel.locator("td[data-label='Expected close']").inner_text() == "Dec 22, 2026"
    tom = page.locator("tr[data-deal]", has_text="Tom Becker")
    assert tom.locator("td[data-label='Expected close']").inner_text() == "—"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screens.shoot(page, "deals-close-dates")
    assert_no_problems(page)
    page.context.close()
