"""The Deals board on a phone (#20 item 5): with deals in the later columns the page stays as wide as the screen,
the board scrolls sideways inside itself, the bottom navigation stays in view and a tap lands where it is aimed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_deals_in_later_columns_keep_the_page_as_wide_as_the_phone(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens, lang: str) -> None:
    client = ApiClient(app)
    company = signup(client, company="Board Florist")
    token = company.owner.token
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    for stage in pipeline["stages"]:
        made = client.post("/api/v1/deals", {"title": f"Wedding bouquets for the {stage['name']} column",
                                             "stage_id": stage["id"], "pipeline_id": pipeline["id"],
                                             "amount": {"minor": 1250000, "currency": "USD"},
                                             **({"lost_reason": "Too late"} if stage["kind"] == "lost" else {})},
                           token=token)
        assert made.status_code == 201, made.body
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Board Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    page.goto("/#/deals")
    page.locator(".board .deal").nth(len(pipeline["stages"]) - 1).wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "no sideways page"
    nav = page.locator(".main-nav")
    box = nav.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The board scrolls inside itself to reach the last column; the page does not move.
    page.locator(".board").evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert page.evaluate("() => window.scrollX") == 0
    screens.shoot(page, f"board-{lang}")
    nav.locator("a").first.click()  # a tap on "Tasks" lands on Tasks
    page.wait_for_url("**/#/tasks")
    assert_no_problems(page)
    page.context.close()
