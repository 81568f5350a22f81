"""An Austin HVAC salesperson on a laptop (1280 px) adds the installation task on a won deal's card: the "Add a task"
panel in the card's side column laid its fields two a row, so the "Where" box for the customer's address was a few
letters wide and the kind read "To-d". The side column's forms now lay one field a row."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

LAPTOP = {"width": 1280, "height": 900}


def test_the_add_a_task_panel_of_a_deal_card_has_room_for_the_address(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    deal = body(client.post("/api/v1/deals", {"title": "Nguyen - 3 ton heat pump install"},
                            token=company.owner.token))
    page = new_page(browser, live_url, viewport=LAPTOP)
    log_in(page, company.owner, "Lone Star Air")
    page.goto(f"/#/deals/{deal['id']}")
    panel = page.locator('[data-test="deal-add-task"]')
    panel.wait_for()
    where, kind = panel.get_by_label("Where"), panel.get_by_label("Kind")
    assert where.bounding_box()["width"] >= 0.8 * panel.bounding_box()["width"]
    assert kind.evaluate("select => select.scrollWidth <= select.clientWidth")  # "To-do" whole, not "To-d"
    where.fill("2104 Buttercup Creek Blvd, Cedar Park, TX 78613")
    screens.shoot(page, "deal-card-add-task")
    assert_no_problems(page)
    page.context.close()
