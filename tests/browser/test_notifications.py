"""The bell (static/js/bell.js) and #/notifications: the unread count read once when signed in, a new notification
pushed over the live socket (never polled) raises it and is announced, the list marks read; settings in English and
Russian; on a phone."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from playwright.sync_api import expect

from chalicelib.core import db
from chalicelib.core.config import LOCAL_LIVE_PATH
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.live import service as live
from chalicelib.notifications import service
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_live import until
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient


def _notify(tenant_id: str, user_id: str, title: str) -> None:
    ctx = TenantContext(tenant_id=tenant_id, actor_id="events", actor_kind="system", source="job")
    with bind(ctx):
        service.notify(ctx, user_id=user_id, type="deal.assigned", cause=new_id(), at=db.utcnow(),
                       subject_type="deal", subject_id=new_id(), title=title)


def test_the_bell_counts_what_the_socket_brings_and_the_list_marks_read(
        browser: Any, live_url: str, app: Any, monkeypatch: pytest.MonkeyPatch, screens: Screens) -> None:
    management = boto3.client("apigatewaymanagementapi", endpoint_url=live_url + LOCAL_LIVE_PATH,
                              region_name="eu-west-1", config=Config(retries={"max_attempts": 1}))
    monkeypatch.setattr(live, "management_client", lambda: management)
    company = signup(ApiClient(app), company="Bell Bakery")
    _notify(company.tenant_id, company.owner.user_id, "Wedding cake")
    page = new_page(browser, live_url)
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url) if "/api/v1/notifications" in request.url else None)
    log_in(page, company.owner, "Bell Bakery")
    expect(page.locator("[data-test=bell-count]")).to_have_text("1")
    ctx = TenantContext(tenant_id=company.tenant_id)

    def sockets() -> list[Any]:
        with bind(ctx):
            return live.connections(ctx, company.owner.user_id)

    until(sockets, "the tab's socket")
    _notify(company.tenant_id, company.owner.user_id, "Birthday cake")  # pushed, not fetched
    expect(page.locator("[data-test=bell-count]")).to_have_text("2")
    expect(page.get_by_text("A deal is yours now: Birthday cake")).to_be_visible()
    assert len(calls) == 1  # the count was read once, at sign-in; the push brought the rest

    page.locator("[data-test=bell]").click()
    expect(page.locator("[data-test=notification]")).to_have_count(2)
    expect(page.locator("[data-test=notification]").first).to_contain_text("Birthday cake")
    page.locator("[data-test=read-all]").click()
    expect(page.locator("[data-test=bell-count]")).to_be_hidden()
    assert_fits_a_phone(page, screens, "notifications")
    assert_no_problems(page)


def test_a_missed_call_answered_after_all_leaves_the_bell_and_a_caller_not_saved_is_told(
        browser: Any, live_url: str, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    management = boto3.client("apigatewaymanagementapi", endpoint_url=live_url + LOCAL_LIVE_PATH,
                              region_name="eu-west-1", config=Config(retries={"max_attempts": 1}))
    monkeypatch.setattr(live, "management_client", lambda: management)
    company = signup(ApiClient(app), company="Phone Bakery")
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="events", actor_kind="system", source="job")
    owner, call_id, start = company.owner.user_id, new_id(), db.utcnow()
    with bind(ctx):
        service.notify(ctx, user_id=owner, type="call.missed", cause=new_id(), at=db.utcnow(), subject_type="call",
                       subject_id=call_id, title="+7 916 123-45-67")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Phone Bakery")
    expect(page.locator("[data-test=bell-count]")).to_have_text("1")

    def sockets() -> list[Any]:
        with bind(ctx):
            return live.connections(ctx, owner)

    until(sockets, "the tab's socket")
    with bind(ctx):
        service.notify(ctx, user_id=owner, type="call.contact_skipped", cause=new_id(), at=db.utcnow(),
                       subject_type="call", subject_id=new_id(), title="+7 916 123-45-68")
    expect(page.locator("[data-test=bell-count]")).to_have_text("2")
    with bind(ctx):  # the provider's late end: the missed call was answered after all
        assert service.mark_read_about(ctx, owner, type="call.missed", subject_id=call_id, since=start) == 1
    expect(page.locator("[data-test=bell-count]")).to_have_text("1")  # pushed, not fetched
    page.locator("[data-test=bell]").click()
    expect(page.locator("[data-test=notification]").first).to_contain_text(
        "A caller was not saved as a contact: your plan’s contact limit is reached")  # noqa: RUF001
    assert_no_problems(page)


def test_notification_settings_in_russian(browser: Any, live_url: str, app: Any) -> None:
    company = signup(ApiClient(app), company="Настройки")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Настройки")
    page.select_option(".lang-select", "ru")
    page.evaluate("() => { location.hash = '#/settings/notifications'; }")
    expect(page.get_by_label("Почта")).to_have_value("digest")
    page.get_by_label("Почта").select_option("immediate")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Сохранено")).to_be_visible()
    with bind(TenantContext(tenant_id=company.tenant_id)):
        saved = service.get_settings(TenantContext(tenant_id=company.tenant_id), company.owner.user_id)
    assert saved.email == "immediate"
    assert_no_problems(page)


def test_a_ticket_given_and_customers_not_saved_as_contacts_read_in_russian_on_a_phone(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    company = signup(ApiClient(app), company="Обращения")
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="events", actor_kind="system", source="job")
    owner, task_id, ticket_id, conversation_id, deal_id = company.owner.user_id, new_id(), new_id(), new_id(), new_id()
    with bind(ctx):
        for kind, subject_type, subject_id, title in (
                ("task.assigned", "task", task_id, "Доставить розы на Арбат"),
                ("ticket.assigned", "ticket", ticket_id, "Разбитая ваза"),
                ("conversation.contact_skipped", "conversation", conversation_id, "Павел Смирнов"),
                ("lead.contact_skipped", "deal", deal_id, "Заявка с сайта: Анна Петрова")):  # noqa: RUF001
            service.notify(ctx, user_id=owner, type=kind, cause=new_id(), at=db.utcnow(), subject_type=subject_type,
                           subject_id=subject_id, title=title)
    page = new_page(browser, live_url, viewport={"width": 375, "height": 740})
    log_in(page, company.owner, "Обращения")
    page.select_option(".lang-select", "ru")
    page.locator("[data-test=bell]").click()
    items = page.locator("[data-test=notification]")
    expect(items).to_have_count(4)
    for text, path in (
            ("Вам поставлена задача", f"#/tasks?task={task_id}"),  # opened on the tab it is on
            ("Вам назначено обращение", f"#/tickets/{ticket_id}"),
            ("Написавший клиент не сохранён как контакт: достигнут лимит контактов вашего тарифа",
             f"#/inbox/{conversation_id}"),
            ("Клиент из заявки с сайта не сохранён как контакт: достигнут лимит контактов вашего тарифа",  # noqa: RUF001
             f"#/deals/{deal_id}")):
        item = items.filter(has_text=text)
        expect(item).to_have_count(1)
        assert item.locator("a").get_attribute("href") == path
    assert_fits_a_phone(page, screens, "notifications-ru")
    assert_no_problems(page)
