"""A dental clinic's walk: the inbox's «Отвечает» offered «Бухгалтер», whose custom role reads deals and orders, not
chats, and a patient's chat handed to her sat unread. On a phone in Russian the picker now offers only colleagues
whose role reads conversations (390 px)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import NO_SIDEWAYS, _line, _write, in_russian
from tests.factories import IN_MOSCOW, add_member, signup
from tests.support import ApiClient, body
from webhooks.messengers import Chat


def test_the_inbox_picker_offers_only_colleagues_who_can_read_chats(browser: Any, live_url: str, app: Any,
                                                                    screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Стоматология Улыбка", **IN_MOSCOW)
    role = client.post("/api/v1/roles", {"key": "accountant", "name": "Бухгалтер",
                                         "permissions": ["deals:read:all", "orders:read:all", "users:read:all"]},
                       token=company.owner.token)
    assert role.status_code == 201, role.body
    add_member(client, company, role="accountant", name="bookkeeper")
    add_member(client, company, role="agent", name="receptionist")
    line = _line(client, company.owner.token)
    _write(client, line, Chat(customer="+79214445566", name="Пациент"), 1, "Можно перенести приём?")
    [conversation] = body(client.get("/api/v1/conversations", token=company.owner.token))["items"]

    page = new_page(browser, live_url, viewport={"width": 390, "height": 780})
    in_russian(page, company.owner, "Стоматология Улыбка", f"/inbox/{conversation['id']}")
    page.locator(".bubble-in", has_text="Можно перенести приём?").wait_for()
    picker = page.locator("[data-test=assignee]")
    expect(picker.locator("option", has_text="Receptionist")).to_have_count(1)
    offered = picker.locator("option").all_inner_texts()
    assert "Bookkeeper" not in offered, offered  # she was offered, and the chat went to someone who cannot open it
    assert picker.input_value() == company.owner.user_id
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "inbox-assignee-readers-phone")
    assert_no_problems(page)
