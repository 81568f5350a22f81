"""The web app's user pickers (js/users.js): every screen reads the company's users through one module that follows
the list's cursor, once a session. Nine screens each read the first 200 for themselves, so a company of 205 could not
hand a contact or a task to its 205th; the tickets screen's assignee picker and the tasks screen's "Whose tasks"
offered colleagues whose role reads no tickets or tasks; a line's member whose role stopped reading what it hands over
sat greyed with no way off it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import User
from tests.browser.conftest import Screens, fits_the_phone, new_page
from tests.browser.test_accessibility import Audit
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import IN_MOSCOW, Company, Member, add_member, signup
from tests.messaging.kit import WHATSAPP
from tests.support import ApiClient, body

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BOOKKEEPER = ["deals:read:all", "users:read:all"]  # a custom role that reads no chats, contacts, tickets or tasks


def crowd(company: Company, n: int) -> None:
    """n active colleagues written straight into the company's users (an invitation each would take minutes)."""
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx), User.batch_write() as batch:
        for i in range(1, n + 1):
            user_id = new_id()
            batch.save(User(identity_service.users_pk(ctx), user_id, user_id=user_id, name=f"Crowd {i:03}",
                            email=f"crowd{i:03}@example.com", role="agent", status="active"))


def bookkeeper(client: ApiClient, company: Company) -> Member:
    made = client.post("/api/v1/roles", {"key": "accountant", "name": "Bookkeeping", "permissions": BOOKKEEPER},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return add_member(client, company, role="accountant", name="bookkeeper")


def users_reads(page: Any) -> list[str]:
    """The requests for the users list the page makes from now on."""
    seen: list[str] = []

    def note(request: Any) -> None:
        if request.method == "GET" and urlsplit(request.url).path == "/api/v1/users":
            seen.append(request.url)

    page.on("request", note)
    return seen


def test_the_205th_colleague_is_offered_by_reassign_the_task_form_and_a_line(browser: Any, live_url: str, app: Any,
                                                                       screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Crowded Hall")
    crowd(company, 203)
    zoe = add_member(client, company, role="agent", name="zoe")  # the owner, 203 and her: the 205th, on page 2
    listed = body(client.get("/api/v1/users?limit=200", token=company.owner.token))
    assert zoe.user_id not in {u["id"] for u in listed["items"]} and listed["next_cursor"]
    made = client.post("/api/v1/contacts", {"first_name": "Mila", "last_name": "Guest"}, token=company.owner.token)
    assert made.status_code == 201, made.body
    contact = body(made)
    made = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Hall WhatsApp", "settings": WHATSAPP},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    line = body(made)

    page = new_page(browser, live_url, viewport=DESKTOP)
    reads = users_reads(page)
    log_in(page, company.owner, "Crowded Hall", at=f"/contacts/{contact['id']}")
    page.locator("button.owner-change").click()
    owner = page.locator("select[name=owner_id]")
    expect(owner.locator("option", has_text="Zoe")).to_have_count(1)
    owner.select_option(label="Zoe")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("[data-test=owner-name]")).to_have_text("Zoe")
    assert body(client.get(f"/api/v1/contacts/{contact['id']}", token=company.owner.token))["owner_id"] == zoe.user_id
    assert len(reads) == 2, reads  # 205 users: a page of 200 and the rest
    screens.shoot(page, "reassign-205th")

    page.evaluate("() => { location.hash = '#/tasks'; }")  # the same session: no new read of the users
    form = page.get_by_role("form", name="Add a task")
    form.get_by_label("What to do").fill("Call the supplier")
    expect(form.get_by_label("Assignee").locator("option", has_text="Zoe")).to_have_count(1)
    assert len(reads) == 2, reads

    # A line's members: 205 boxes, narrowed by typing; the 205th is ticked and saved.
    page.evaluate("() => { location.hash = '#/settings/integrations'; }")
    panel = page.locator("section[data-integration]", has_text="Hall WhatsApp")
    panel.locator("summary", has_text="Settings").first.click()
    panel.get_by_label("Find a colleague").fill("zoe")
    expect(panel.locator(".responsible-users .field-check:visible")).to_have_count(1)
    screens.shoot(page, "line-members-found")
    panel.get_by_label("Zoe", exact=True).check()
    panel.get_by_role("button", name="Save", exact=True).click()
    page.locator(".toast", has_text="Saved").wait_for()
    saved = body(client.get(f"/api/v1/integrations/{line['id']}", token=company.owner.token))
    assert saved["settings"]["responsible"]["user_ids"] == [zoe.user_id]
    assert len(reads) == 2, reads
    assert_no_problems(page)
    page.context.close()


def test_the_ticket_and_whose_tasks_pickers_leave_out_a_role_that_reads_neither(browser: Any, live_url: str,
                                                                                 app: Any, screens: Screens) -> None:
    # A repair shop's bookkeeper reads deals only: a ticket given to her was refused (cannot_read_tickets) after
    # the dialog had offered her, and "Whose tasks" listed her though she can hold none.
    client = ApiClient(app)
    company = signup(client, company="Сервис Мастер", **IN_MOSCOW)
    bookkeeper(client, company)
    add_member(client, company, role="agent", name="fixer")

    page = new_page(browser, live_url, viewport=PHONE)
    in_russian(page, company.owner, "Сервис Мастер", "/tickets")
    page.locator("[data-test=new-ticket]").click()
    assignee = page.get_by_role("dialog").get_by_label("Ответственный")
    expect(assignee.locator("option", has_text="Fixer")).to_have_count(1)
    expect(assignee.locator("option", has_text="Bookkeeper")).to_have_count(0)
    fits_the_phone(page, screens, "ticket-assignee-readers-phone")
    page.keyboard.press("Escape")

    page.evaluate("() => { location.hash = '#/tasks'; }")
    page.locator("summary", has_text="Чьи задачи").click()
    whose = page.locator("#whose-pick")
    expect(whose.locator("option", has_text="Fixer")).to_have_count(1)
    expect(whose.locator("option", has_text="Bookkeeper")).to_have_count(0)
    fits_the_phone(page, screens, "whose-tasks-readers-phone")
    assert_no_problems(page)
    page.context.close()


LINE_TEXTS = {
    "en": {"settings": "Settings", "find": "Find a colleague", "why": "cannot read Conversations, Contacts",
           "remove": "Remove", "removed": "Bookkeeper leaves the line when you save.", "save": "Save"},
    "ru": {"settings": "Настройки", "find": "Найти сотрудника", "why": "не даёт читать разделы Переписки, Контакты",
           "remove": "Убрать", "removed": "Bookkeeper выйдет из линии после сохранения.", "save": "Сохранить"},
}


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("ru", PHONE)])
def test_a_line_flags_a_member_whose_role_cannot_read_and_removes_her_in_one_click(
        browser: Any, live_url: str, app: Any, screens: Screens, lang: str, viewport: dict[str, int]) -> None:
    client = ApiClient(app)
    company = signup(client, company="Flag Line")
    desk = add_member(client, company, role="agent", name="desk")
    keeper = bookkeeper(client, company)  # on the line since before her role lost the chats
    crowd(company, 10)  # 13 colleagues: the list gets its Find box
    line = client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Shop WhatsApp", "settings": {
        **WHATSAPP, "responsible": {"mode": "round_robin", "user_ids": [desk.user_id, keeper.user_id]}}},
        token=company.owner.token)
    assert line.status_code == 201, line.body
    words = LINE_TEXTS[lang]

    page = new_page(browser, live_url, viewport=viewport)
    if lang == "ru":
        in_russian(page, company.owner, "Flag Line", "/settings/integrations")
    else:
        log_in(page, company.owner, "Flag Line", at="/settings/integrations")
    panel = page.locator("section[data-integration]", has_text="Shop WhatsApp")
    panel.locator("summary", has_text=words["settings"]).first.click()
    flagged = panel.locator("[data-test=member-flagged]")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Bookkeeper")
    expect(flagged).to_contain_text(words["why"])
    expect(panel.get_by_label("Desk")).to_be_checked()
    panel.get_by_label(words["find"]).fill("book")
    expect(panel.locator(".responsible-users .field-check:visible")).to_have_count(1)
    audit = Audit()
    audit.check(page, "a line's flagged member")  # its hint on the warning tint, its Remove: no serious fault
    audit.assert_clean()
    if lang == "ru":
        fits_the_phone(page, screens, f"line-flagged-member-{lang}")
    else:
        screens.shoot(page, f"line-flagged-member-{lang}")
    flagged.get_by_role("button", name=words["remove"]).click()
    expect(flagged).to_have_count(0)
    expect(panel.get_by_role("status").filter(has_text=words["removed"])).to_have_count(1)
    panel.get_by_role("button", name=words["save"], exact=True).click()
    page.locator(".toast").first.wait_for()
    saved = body(client.get(f"/api/v1/integrations/{body(line)['id']}", token=company.owner.token))
    assert saved["settings"]["responsible"]["user_ids"] == [desk.user_id]
    assert_no_problems(page)
    page.context.close()
