"""Settings → Pipelines in the browser: create, rename, stages added, reordered and removed with their deals moved."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import BENIGN, column, open_screen, sign_up


def stage_names(panel: Any) -> list[str]:
    return [box.input_value() for box in panel.locator(".stage-name").all()]


def test_pipelines_and_stages_are_edited_and_show_on_the_board(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url)
    sign_up(page, company="Pipeline Bakery")
    open_screen(page, "/settings/pipelines", "Settings")
    page.locator("section[data-pipeline] h2", has_text="Sales").wait_for()
    page.get_by_label("Name", exact=True).fill("Wholesale")
    page.get_by_role("button", name="Create pipeline").click()
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Wholesale"))
    panel.wait_for()
    assert stage_names(panel) == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]

    panel.get_by_label("Pipeline name").fill("Wholesale B2B")
    panel.get_by_role("button", name="Add stage").click()
    # The new open stage goes before the closing ones and takes the focus.
    focused = page.locator(".stage-name:focus")
    focused.fill("Tasting")
    focused.press("Alt+ArrowUp")  # keyboard reorder: above Negotiation
    assert stage_names(panel) == ["New", "Qualified", "Proposal", "Tasting", "Negotiation", "Won", "Lost"]
    assert page.evaluate("document.activeElement.value") == "Tasting"
    panel.get_by_role("button", name="Up: Qualified").click()
    panel.get_by_role("button", name="Remove: Proposal").click()
    panel.get_by_label("Lost reasons").fill("Too expensive\nBought elsewhere")
    panel.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").last.wait_for()
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Wholesale B2B"))
    panel.wait_for()
    assert stage_names(panel) == ["Qualified", "New", "Tasting", "Negotiation", "Won", "Lost"]
    assert panel.get_by_label("Lost reasons").input_value() == "Too expensive\nBought elsewhere"
    screens.shoot(page, "pipelines")
    assert_fits_a_phone(page, screens, "pipelines-phone")

    # The board's switcher offers the new pipeline, with its stages in order.
    open_screen(page, "/deals", "Deals")
    page.get_by_label("Pipeline").select_option(label="Wholesale B2B")
    page.locator(".column h2", has_text="Tasting").wait_for()
    assert page.locator(".column h2").all_inner_texts()[:3] == ["Qualified", "New", "Tasting"]
    page.get_by_label("Title").fill("Hotel breakfast buns")
    page.get_by_label("Stage").select_option(label="Tasting")
    page.get_by_role("button", name="Add deal").click()
    column(page, "Tasting").locator(".deal", has_text="Hotel breakfast buns").wait_for()

    # Removing a stage that holds a deal asks where its deals go.
    open_screen(page, "/settings/pipelines", "Settings")
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Wholesale B2B"))
    panel.get_by_role("button", name="Remove: Tasting").click()
    panel.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(re.compile("1 deal is in a removed stage")).wait_for()
    dialog.get_by_label("Move the deals to").select_option(label="Negotiation")
    screens.shoot(page, "pipeline-move-deals")
    dialog.get_by_role("button", name="Move and save").click()
    page.locator(".toast", has_text="Saved").last.wait_for()
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Wholesale B2B"))
    assert "Tasting" not in stage_names(panel)

    open_screen(page, "/deals", "Deals")
    page.get_by_label("Pipeline").select_option(label="Wholesale B2B")
    column(page, "Negotiation").locator(".deal", has_text="Hotel breakfast buns").wait_for()

    # A pipeline holding deals cannot be deleted: the API's reason is shown.
    open_screen(page, "/settings/pipelines", "Settings")
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Wholesale B2B"))
    panel.get_by_role("button", name="Delete pipeline").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.locator(".toast", has_text=re.compile("Move or delete the pipeline.s deals first")).wait_for()
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
