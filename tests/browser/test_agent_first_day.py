"""An agent's first day in a company that has customers already: their empty contacts list says why it is empty (they
see only their own contacts) and offers to add one where the form is; a note mentions a colleague by name through @
(arrows and Enter), stored as the API's `@<user id>` and read back by name; Settings → Data offers them the import
of their own records and nothing else. A read-only user's empty list offers nothing to add. On a phone in English,
the deals board in Russian on a laptop."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.support import ApiClient, body

COMPANY = "Quiet Florist"


def test_an_agents_empty_list_says_why_and_a_note_mentions_a_colleague_by_name(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company=COMPANY)
    client.post("/api/v1/contacts", {"first_name": "Owned", "last_name": "Byowner",
                                     "phones": [{"number": "+12025550143"}]}, token=company.owner.token)
    agent = add_member(client, company, role="agent", name="anyaagent")
    reader = add_member(client, company, role="read_only", name="ritareader")

    page = new_page(browser, live_url, viewport={"width": 375, "height": 740})
    log_in(page, agent, COMPANY, at="/contacts")
    open_screen(page, "/contacts", "Contacts")
    empty = page.locator('[data-test="empty-list"]')
    assert "you see only the contacts you are responsible for" in empty.inner_text()
    assert "below" not in empty.inner_text()
    assert empty.get_by_role("link", name="Import from a spreadsheet").is_visible()  # an agent may import their own
    assert_fits_a_phone(page, screens, "agent-contacts-empty")
    empty.get_by_role("button", name="New contact").click()
    first_name = page.locator("main form[aria-label] input[name=first_name]")
    assert first_name.evaluate("(el) => el === document.activeElement")  # the form it offers, ready to type in
    first_name.fill("Kira")
    # The number is a colleague's customer's: not hers to open, so she is told whom to ask, and nothing is made
    phone = page.locator("main form[aria-label] input[name=phone]")
    phone.fill("(202) 555-0143")
    page.locator("main form[aria-label] button[type=submit]").first.click()
    page.get_by_text("Ask them or your manager to hand the customer over to you").first.wait_for()
    assert "This customer is already Olga Owner" in page.locator("main").inner_text()
    assert body(client.get("/api/v1/contacts", token=agent.token))["items"] == []
    phone.fill("")
    page.locator("main form[aria-label] button[type=submit]").first.click()
    page.locator("#page-title", has_text="Kira").wait_for()
    contact_id = re.search(r"#/contacts/([0-9A-Z]{26})", page.url).group(1)  # type: ignore[union-attr]
    # Their own contact names them as responsible; an agent hands nothing to others, so there is no list to pick from
    assert page.locator("[data-test=owner]").inner_text() == "Anyaagent"
    assert page.locator("[data-test=owner] button").count() == 0

    note = page.get_by_label("Note", exact=True)
    note.press_sequentially("Call back tomorrow, @ol")
    options = page.get_by_role("listbox", name="Colleagues to mention")
    options.get_by_role("option", name="Olga Owner").wait_for()
    assert options.get_by_role("option").count() == 1  # narrowed to who fits, the agent not offered to themself
    note.press("Enter")
    assert note.input_value() == "Call back tomorrow, @Olga Owner "
    note.press_sequentially("please")
    page.get_by_role("button", name="Add note").click()
    written = page.locator("ol.timeline li[data-kind=note]", has_text="please")
    written.locator(".mention", has_text="@Olga Owner").wait_for()
    card = body(client.get(f"/api/v1/contacts/{contact_id}", token=agent.token))
    texts = [entry["data"]["text"] for entry in card["timeline"] if entry["kind"] == "note"]
    assert texts == [f"Call back tomorrow, @{company.owner.user_id} please"]  # what the API reads as a mention
    page.reload()
    page.locator("ol.timeline .mention", has_text="@Olga Owner").wait_for()  # read back by name

    # Settings → Data is theirs too, with only what they may use: an import and their imports, no export of any kind.
    open_screen(page, "/settings", "Settings")
    page.locator(".settings-index").get_by_role("link", name="Data", exact=True).click()
    page.get_by_role("form", name="Import").wait_for()
    page.locator('[data-test="import-history"]', has_text="No imports yet").wait_for()
    assert page.get_by_role("form", name="Export").count() == 0
    assert page.get_by_role("button", name="Export everything").count() == 0

    page.set_viewport_size({"width": 1366, "height": 800})
    page.get_by_label("Language", exact=True).select_option("ru")
    open_screen(page, "/deals", "Сделки")
    board = page.locator('[data-test="empty-list"]')
    assert "вы видите только сделки, за которые отвечаете" in board.inner_text()
    assert board.get_by_role("button", name="Новая сделка").is_visible()
    screens.shoot(page, "agent-deals-empty-ru")
    assert_no_problems(page)
    page.context.close()

    page = new_page(browser, live_url)
    log_in(page, reader, COMPANY, at="/companies")
    open_screen(page, "/companies", "Companies")
    empty = page.locator('[data-test="empty-list"]')
    assert empty.inner_text().strip() == "No companies yet."  # nothing to add for whom may not add
    assert empty.get_by_role("button").count() == 0
    assert_no_problems(page)
    page.context.close()
