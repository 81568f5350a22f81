"""Deal tags in a browser: typed on the deal card as "vip, spring sale", shown as badges on the card, the board's
cards and the list; a badge lists the deals with that tag, the list's tag box filters and clears; at 360 px nothing
scrolls sideways, and in Russian the box and its hint are Russian."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_a_deal_is_tagged_on_its_card_and_the_tag_lists_its_deals(browser: Any, live_url: str, app: Any,
                                                                  screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Tagging Florist")
    token = company.owner.token
    made = {title: body(client.post("/api/v1/deals", {"title": title}, token=token))
            for title in ("Peony wedding arch", "Office tulips", "Rose subscription")}
    tagged = client.patch(f"/api/v1/deals/{made['Rose subscription']['id']}", {"tags": ["vip"], "version": 1},
                          token=token)
    assert tagged.status_code == 200, tagged.body
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Tagging Florist")

    page.goto(f"/#/deals/{made['Peony wedding arch']['id']}")
    page.get_by_text("Edit", exact=True).click()
    box = page.get_by_label("Tags", exact=True)
    expect(box).to_have_value("")
    box.fill(" VIP ,  spring sale, vip")
    page.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for()
    facts = page.locator("dl.props")
    expect(facts.locator("a.badge")).to_have_text(["vip", "spring sale"])  # folded, the repeat dropped
    assert body(client.get(f"/api/v1/deals/{made['Peony wedding arch']['id']}", token=token))["deal"]["tags"] == [
        "vip", "spring sale"]
    screens.shoot(page, "deal-card-tags")

    # The board's card shows them; a badge opens the list of the pipeline's deals with that tag.
    page.goto("/#/deals")
    card = page.locator(".board .deal", has_text="Peony wedding arch")
    expect(card.locator(".tags a.badge")).to_have_text(["vip", "spring sale"])
    expect(page.locator(".board .deal", has_text="Office tulips").locator(".tags")).to_have_count(0)
    card.get_by_role("link", name="vip").click()
    page.wait_for_url(re.compile(r"view=list.*tag=vip|tag=vip.*view=list"))
    rows = page.locator(".deal-table tbody tr")
    expect(rows).to_have_count(2)
    titles = sorted(rows.locator("td.deal-title > a").all_inner_texts())
    assert titles == ["Peony wedding arch", "Rose subscription"], titles
    expect(page.get_by_label("Tag", exact=True)).to_have_value("vip")
    assert_fits_a_phone(page, screens, "deal-list-tag-phone")

    # The tag box filters by another tag, and emptied it shows every deal again.
    tag_box = page.get_by_label("Tag", exact=True)
    tag_box.fill("Spring Sale")
    tag_box.press("Enter")
    page.wait_for_url(re.compile(r"tag=spring"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Peony wedding arch")
    tag_box = page.get_by_label("Tag", exact=True)
    tag_box.fill("")
    tag_box.press("Enter")
    page.wait_for_url(lambda url: "tag=" not in url)
    expect(rows).to_have_count(3)

    # The board narrows to a tag's deals too, from its own tag box; the stage counts are then theirs.
    page.goto("/#/deals")
    board_tag = page.get_by_label("Tag", exact=True)
    board_tag.fill("VIP")
    board_tag.press("Enter")
    page.wait_for_url(re.compile(r"#/deals\?pipeline=\w+&tag=vip$"))
    cards = page.locator(".board .deal")
    expect(cards).to_have_count(2)
    expect(page.locator(".board .deal", has_text="Office tulips")).to_have_count(0)

    page.get_by_label("Language").select_option("ru")
    page.goto(f"/#/deals/{made['Office tulips']['id']}")
    page.get_by_text("Изменить", exact=True).click()
    expect(page.get_by_label("Метки", exact=True)).to_be_visible()
    expect(page.get_by_text("Через запятую: vip, опт")).to_be_visible()
    assert_no_problems(page)
    page.context.close()


def test_the_deals_list_filters_by_a_select_custom_field(browser: Any, live_url: str, app: Any,
                                                         screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Filtering Florist")
    token = company.owner.token
    defined = client.post("/api/v1/custom-fields", {
        "entity": "deal", "key": "occasion", "label": "Occasion", "type": "select", "filterable": True,
        "options": [{"value": "wedding", "label": "Wedding"}, {"value": "funeral", "label": "Funeral"}]}, token=token)
    assert defined.status_code == 201, defined.body
    for title, occasion in (("Arch of peonies", "wedding"), ("Wreath of lilies", "funeral"), ("Office tulips", None)):
        custom = {"custom": {"occasion": occasion}} if occasion else {}
        made = client.post("/api/v1/deals", {"title": title, **custom}, token=token)
        assert made.status_code == 201, made.body
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Filtering Florist", at="/deals?view=list")
    rows = page.locator(".deal-table tbody tr")
    expect(rows).to_have_count(3)
    page.locator(".custom-filter summary").click()
    page.get_by_label("Occasion").select_option("wedding")
    page.wait_for_url(re.compile(r"custom\.occasion=wedding"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Arch of peonies")
    page.reload()  # kept in the address, the panel open with the value chosen
    expect(page.get_by_label("Occasion")).to_have_value("wedding")
    expect(page.locator(".custom-filter summary")).to_have_text("Filters (1 on)")
    assert_fits_a_phone(page, screens, "deal-list-custom-phone")
    page.get_by_label("Occasion").select_option("")
    page.wait_for_url(lambda url: "occasion" not in url)
    expect(rows).to_have_count(3)
    assert_no_problems(page)
    page.context.close()
