"""Every kind of dialog the app opens (openModal) gives the focus back to the control that opened it, whether it is
closed with Escape or with its Cancel button: a keyboard user keeps their place. The controls include a form's
submit button (disabled while the form's handler runs, so Chromium blurs it), a button that disables itself while
its work runs, a plain button and a select; the dialogs, a confirmation and a dialog with a form of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems, column, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def signed_in(browser: Any, live_url: str, client: ApiClient, name: str) -> tuple[Any, Company]:
    company = signup(client, company=name)
    page = new_page(browser, live_url)
    log_in(page, company.owner, name)
    return page, company


def press(control: Any) -> Callable[[], None]:
    """Opens the dialog from the keyboard: focus on the control, then Enter."""
    return lambda: control.press("Enter")


def closes_and_gives_focus_back(page: Any, opener: Any, open_dialog: Callable[[], None], text: str) -> None:
    """Opens the dialog twice: closed with Escape, then with Cancel; each time the opener has the focus again,
    and is usable (enabled) again."""
    for close in ("Escape", "Cancel"):
        open_dialog()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(text)
        expect(page.locator("dialog[open] :focus")).to_have_count(1)  # the dialog took the focus
        if close == "Escape":
            page.keyboard.press("Escape")
        else:
            dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        expect(opener).to_be_focused()
        expect(opener).to_be_enabled()


def test_a_confirmation_asked_by_a_form_gives_focus_back_to_its_submit_button(browser: Any, live_url: str,
                                                                               app: Any) -> None:
    """Bulk delete on the contacts list: the bar's Apply button is disabled until the form's handler ends."""
    client = ApiClient(app)
    page, company = signed_in(browser, live_url, client, "Focus Bakery")
    for name in ("Anna", "Boris"):
        assert client.post("/api/v1/contacts", {"first_name": name}, token=company.owner.token).status_code == 201
    open_screen(page, "/contacts", "Contacts")
    page.get_by_label("Select all shown").check()
    page.locator(".bulk-count", has_text="2 contacts selected").wait_for()
    page.get_by_label("Action").select_option("delete")
    apply = page.get_by_role("button", name="Apply", exact=True)
    closes_and_gives_focus_back(page, apply, press(apply), "Move 2 contacts to the trash?")
    closes_and_gives_focus_back(page, apply, apply.click, "Move 2 contacts to the trash?")  # with the mouse too
    expect(page.locator(".contact-list .title")).to_have_count(2)  # nothing was deleted
    assert_no_problems(page)
    page.context.close()


def test_a_confirmation_asked_by_a_button_gives_focus_back_to_it(browser: Any, live_url: str, app: Any) -> None:
    """Deleting a contact from its card: a plain button."""
    client = ApiClient(app)
    page, company = signed_in(browser, live_url, client, "Button Bakery")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Clara"}, token=company.owner.token))
    open_screen(page, f"/contacts/{contact['id']}", "Clara")
    delete = page.get_by_role("button", name="Delete", exact=True)
    closes_and_gives_focus_back(page, delete, press(delete), "Clara")
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=company.owner.token).status_code == 200
    assert_no_problems(page)
    page.context.close()


def test_a_confirmation_asked_by_a_busy_button_gives_focus_back_to_it(browser: Any, live_url: str, app: Any) -> None:
    """An integration's New secret and Delete buttons disable themselves while their work (the question first) runs."""
    client = ApiClient(app)
    page, company = signed_in(browser, live_url, client, "Hook Bakery")
    created = client.post("/api/v1/integrations", {"type": "form", "name": "Site form"}, token=company.owner.token)
    assert created.status_code == 201, created.body
    open_screen(page, "/settings/integrations", "Settings")
    panel = page.locator("section[data-integration]", has_text="Site form")
    rotate = panel.get_by_role("button", name="New secret")
    closes_and_gives_focus_back(page, rotate, press(rotate), "Issue a new signing secret?")
    delete = panel.get_by_role("button", name="Delete", exact=True)
    closes_and_gives_focus_back(page, delete, press(delete), "Site form")
    assert client.get(f"/api/v1/integrations/{body(created)['id']}", token=company.owner.token).status_code == 200
    assert_no_problems(page)
    page.context.close()


def test_the_lost_reason_dialog_gives_focus_back_to_the_deal_s_move_list(browser: Any, live_url: str,
                                                                          app: Any) -> None:
    """Moving a deal to Lost on the board asks for a reason in a dialog with a form; cancelled, the deal stays."""
    client = ApiClient(app)
    page, company = signed_in(browser, live_url, client, "Board Bakery")
    assert client.post("/api/v1/deals", {"title": "Wedding cake"}, token=company.owner.token).status_code == 201
    open_screen(page, "/deals", "Deals")
    move = page.get_by_label("Move “Wedding cake” to")

    def choose_lost() -> None:
        move.focus()
        move.select_option(label="Lost")

    closes_and_gives_focus_back(page, move, choose_lost, "Why was the deal lost?")
    column(page, "New").locator(".deal", has_text="Wedding cake").wait_for()
    expect(move.locator("option:checked")).to_have_text("New")
    assert_no_problems(page)
    page.context.close()


def test_the_move_deals_dialog_gives_focus_back_to_the_pipeline_s_save_button(browser: Any, live_url: str,
                                                                              app: Any) -> None:
    """Saving a pipeline without a stage that holds a deal: the dialog opens once the API has refused the save,
    so the Save button, disabled meanwhile, had lost the focus before the dialog opened."""
    client = ApiClient(app)
    page, company = signed_in(browser, live_url, client, "Stage Bakery")
    assert client.post("/api/v1/deals", {"title": "Rye loaves"}, token=company.owner.token).status_code == 201
    open_screen(page, "/settings/pipelines", "Settings")
    panel = page.locator("section[data-pipeline]", has=page.locator("h2", has_text="Sales"))
    panel.get_by_role("button", name="Remove: New").click()
    save = panel.get_by_role("button", name="Save")
    closes_and_gives_focus_back(page, save, press(save), "1 deal is in a removed stage")
    pipelines = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"]
    assert "New" in [stage["name"] for stage in pipelines[0]["stages"]]  # nothing was saved
    assert_no_problems(page)  # the 409 that refused the save is expected
    page.context.close()
