"""Sensitive fields on the contact card: masked until revealed by a role that may, never offered to one that may
not, and the API's refusal shown when the role changed under an open card."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, new_page, sign_in_by_request
from tests.browser.test_app import BENIGN, open_screen
from tests.factories import Member, add_member, signup
from tests.support import ApiClient, body

PASSPORT = "4510 987654"


def log_in(page: Any, member: Member, company: str, at: str = "/tasks") -> None:
    """Signed in as the member: by request on a new page (conftest.sign_in_by_request), the app opened at the screen
    ``at`` (#/tasks unless the test goes elsewhere next), else through the form."""
    if not sign_in_by_request(page, member.email, member.password, at):
        page.goto("/#/login")
        page.get_by_label("E-mail").fill(member.email)
        page.get_by_label("Password").fill(member.password)
        page.get_by_role("button", name="Log in").click()
    page.locator(".brand-name", has_text=company).wait_for()


def russian_phone(browser: Any, live_url: str, member: Member, company: str) -> Any:
    """The member signed in on a 390 px phone, the app switched to Russian."""
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    log_in(page, member, company)
    page.get_by_label("Language", exact=True).select_option("ru")
    return page


def contact_with_passport(client: ApiClient, member: Member, name: str) -> str:
    answer = client.post("/api/v1/contacts", {"first_name": name, "passport_number": PASSPORT}, token=member.token)
    assert answer.status_code == 201, answer.body
    return str(body(answer)["id"])


def test_owner_reveals_an_agent_cannot_and_a_demoted_user_is_refused(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Secret Bakery")
    agent = add_member(client, company, role="agent", name="annaagent")
    admin = add_member(client, company, role="admin", name="adaadmin")
    agents_contact = contact_with_passport(client, agent, "Ivan")
    admins_contact = contact_with_passport(client, admin, "Pyotr")

    owner = new_page(browser, live_url)
    log_in(owner, company.owner, "Secret Bakery")
    open_screen(owner, f"/contacts/{agents_contact}", "Ivan")
    masked = owner.locator('.masked[data-field="passport_number"]')
    assert masked.inner_text() == "••••7654"
    owner.get_by_role("button", name="Reveal passport_number").click()
    owner.locator('[data-field="passport_number"]:not(.masked)', has_text=PASSPORT).wait_for()
    assert owner.get_by_role("button", name="Reveal passport_number").count() == 0
    screens.shoot(owner, "owner-revealed")
    reads = body(client.get("/api/v1/audit/reads?entity=contact", token=company.owner.token))["items"]
    assert [(r["entity_id"], r["field"], r["actor_id"]) for r in reads] == [
        (agents_contact, "passport_number", company.owner.user_id)]
    assert not [p for p in owner.problems if not BENIGN.search(p)], owner.problems
    owner.context.close()

    page = new_page(browser, live_url)
    log_in(page, agent, "Secret Bakery")
    open_screen(page, f"/contacts/{agents_contact}", "Ivan")
    assert page.locator('.masked[data-field="passport_number"]').inner_text() == "••••7654"
    assert page.get_by_role("button", name="Reveal passport_number").count() == 0
    assert PASSPORT not in page.locator("main").inner_text()
    screens.shoot(page, "agent-masked")
    page.context.close()

    # An admin opens a card, is made an agent meanwhile, then clicks Reveal: the API's refusal is shown.
    page = new_page(browser, live_url)
    log_in(page, admin, "Secret Bakery")
    open_screen(page, f"/contacts/{admins_contact}", "Pyotr")
    user = body(client.get(f"/api/v1/users/{admin.user_id}", token=company.owner.token))
    demoted = client.patch(f"/api/v1/users/{admin.user_id}", {"version": user["version"], "role": "agent"},
                           token=company.owner.token)
    assert demoted.status_code == 200, demoted.body
    page.get_by_role("button", name="Reveal passport_number").click()
    page.locator(".toast-error", has_text="may not see sensitive fields").wait_for()
    assert PASSPORT not in page.locator("main").inner_text()
    page.context.close()
