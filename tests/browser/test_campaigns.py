"""Segments, campaigns and consent in the browser (#24): the segment builder's live count and members, the campaign
wizard (content, the preview, a test send to yourself, send now) and its results with each message's delivery as
SES reported it, consent on the contact card; on a PC (1366 px, English) and a phone (375 px, Russian)."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.segments import jobs
from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.campaigns.helpers import queue
from tests.factories import signup
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _delivered(tenant_id: str, campaign_id: str, contact_id: str, address: str) -> None:
    """SES's Delivery event of the campaign's e-mail, as SNS delivers it to app.campaign_mail_events (#24)."""
    from chalice.app import SQSEvent

    from chalicelib.campaigns import mail_events
    from tests.campaigns.helpers import parsed
    from tests.factories import outbox
    from webhooks import ses_events

    message_id = [m.id for m in outbox() if hasattr(m, "raw_data") and str(parsed(m)["To"]) == address][-1]
    record = ses_events.event("delivery", message_id=message_id, tenant_id=tenant_id, campaign_id=campaign_id,
                              contact_id=contact_id, recipient=address)
    handled = mail_events.queued_events(SQSEvent({"Records": [{"messageId": "m", "receiptHandle": "r",
                                                                "body": json.dumps(record)}]}, None))
    assert handled == {"batchItemFailures": []}


def test_segment_builder_campaign_wizard_results_and_consent(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Tulip Mail")
    anna = body(client.post("/api/v1/contacts", {"first_name": "Anna", "tags": ["news"],
                                                 "emails": [{"address": "anna@tulip-mail.example"}]},
                            token=company.owner.token))
    client.put(f"/api/v1/contacts/{anna['id']}/consent", {"email": "granted", "source": "web_form"},
               token=company.owner.token)
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Tulip Mail")
    # No segment yet: the wizard says what a campaign goes to and leads to making one; so does the segments list.
    open_screen(page, "/campaigns/new", "Campaign")
    page.locator("[data-test=no-segments]", has_text="A campaign goes to a segment").wait_for()
    page.locator("[data-test=no-segments] [data-test=create-segment]").wait_for()
    open_screen(page, "/segments", "Segments")
    page.locator(".empty", has_text="campaigns are sent to it").get_by_role("link", name="Create a segment").click()
    page.locator("#page-title", has_text="Segment").wait_for()
    page.get_by_label("Name").fill("Newsletter")
    page.locator("[data-test=condition-value]").fill("news")
    page.get_by_role("button", name="+ Condition").click()  # "Owner is" offers the company's users by name
    page.get_by_role("button", name="Save segment").click()  # its value left empty: said here, nothing sent
    page.locator(".form-status", has_text="Fill in every condition").wait_for()
    assert page.locator("[data-test=condition-value][aria-invalid=true]").count() == 1
    page.locator("[data-test=condition-type]").nth(1).select_option("owner_is")
    page.locator("[data-test=condition-owner]").nth(1).select_option(label="Olga Owner")
    page.locator("[data-test=live-count]", has_text="0 contacts").or_(
        page.locator("[data-test=live-count]", has_text="1 contacts")).wait_for()
    page.get_by_role("button", name="Save segment").click()
    page.wait_for_url(re.compile(r"#/segments/[0-9A-Z]{26}$"))
    segment_id = page.url.rsplit("/", 1)[1]
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        assert jobs.build(ctx, segment_id)
    page.reload()
    page.locator("[data-test=segment-members]", has_text="Anna").wait_for()
    ensure_bucket()
    page.locator("[data-test=segment-export-button]").click()  # an export job, its file behind a link
    page.locator("[data-test=segment-export-link]", has_text="(1 contacts)").wait_for()
    screens.shoot(page, "segment-desktop")

    open_screen(page, "/campaigns/new", "Campaign")
    page.get_by_label("Name").fill("Spring tulips")
    page.get_by_label("Segment").select_option(segment_id)
    page.get_by_label("Subject").fill("Tulips for {first_name}")
    page.locator("[data-test=campaign-body]").fill("Hello {first_name}! https://tulips.example/spring")
    page.get_by_role("button", name="Save draft").click()
    page.locator("[data-test=campaign-preview]", has_text="Tulips for Anna").wait_for()
    assert page.locator("[data-test=send-now]").is_disabled()
    page.locator("[data-test=test-send]").click()
    page.locator("[data-test=send-now]:not([disabled])").wait_for()
    screens.shoot(page, "wizard-desktop")
    campaigns = queue()
    page.locator("[data-test=send-now]").click()
    # how many it goes to, and that those without consent are skipped (it read "Send this campaign to  contacts")
    asked = re.compile(r"contacts \(1\)\? Those who have not agreed to receive it are skipped")
    page.locator("dialog", has_text=asked).wait_for()
    page.locator("dialog").get_by_role("button", name="Send now").click()
    page.locator("[data-test=campaign-results]").wait_for()
    page.locator("[data-status=sending]").wait_for()
    campaign_id = page.url.rsplit("/", 1)[1]
    campaigns.drain()
    _delivered(company.tenant_id, campaign_id, anna["id"], "anna@tulip-mail.example")  # SES's Delivery event
    page.reload()
    page.locator("[data-test=campaign-messages] [data-delivery=delivered]", has_text="Delivered").wait_for()
    assert page.locator("[data-stat=delivered] .stat-value").inner_text() == "1"
    page.locator("[data-test=message-filter]").select_option("bounced")
    page.get_by_text("No messages in this state.").wait_for()
    screens.shoot(page, "results-desktop")

    open_screen(page, f"/contacts/{anna['id']}", "Anna")
    page.locator("[data-test=consent-panel] summary").click()
    assert page.locator("[data-test=consent-email]").input_value() == "granted"
    page.locator("[data-test=consent-sms]").select_option("withdrawn")
    page.locator("[data-test=consent-save]").click()
    page.locator("[data-test=consent-panel]", has_text="Entered on the card").wait_for()

    page.set_viewport_size(PHONE)
    page.locator("select.lang-select").select_option("ru")
    page.locator("html[lang=ru]").wait_for()
    open_screen(page, "/campaigns", "Рассылки")
    page.locator("[data-test=campaign-list]", has_text="Spring tulips").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "campaigns-phone-ru")
    open_screen(page, f"/campaigns/{campaign_id}", "Spring tulips")
    page.locator("[data-test=campaign-messages] [data-delivery=delivered]", has_text="Доставлено").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "results-phone-ru")
    open_screen(page, f"/segments/{segment_id}", "Newsletter")
    page.locator("[data-test=live-count]", has_text="Контактов").wait_for()
    owner = page.locator("[data-test=condition-owner]").nth(1)
    assert owner.locator("option:checked").inner_text() == "Olga Owner"
    assert page.locator("[data-test=condition-type]").nth(1).locator("option:checked").inner_text() == "Ответственный"
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "segment-phone-ru")
    assert_no_problems(page)


def test_a_segment_of_a_products_buyers_is_built_by_the_products_name_on_a_phone(browser: Any, live_url: str,
                                                                                  app: Any) -> None:
    # "Bought within N days" asked a Russian owner on her phone for the product's id (a 26-letter ULID nobody knows);
    # the product is now found by its name or SKU and shown by name when the segment is opened again.
    from playwright.sync_api import expect

    client = ApiClient(app)
    company = signup(client, company="Снабжение сегменты", locale="ru", country="RU")
    token = company.owner.token
    gloves = body(client.post("/api/v1/products", {"name": "Перчатки нитриловые", "sku": "GLV-100",
                                                   "price": {"minor": 150050, "currency": "RUB"}}, token=token))
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    log_in(page, company.owner, "Снабжение сегменты")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Рассылки").wait_for()
    page.goto("/#/segments/new")
    page.locator("input[name=name]").fill("Купили перчатки")
    page.locator("[data-test=condition-type]").select_option("bought_within_days")
    page.locator("[data-test=condition-value]").fill("30")
    picker = page.locator("[data-test=condition-product]")
    picker.get_by_placeholder(re.compile("Какой товар")).fill("перчат")
    picker.get_by_role("button", name="Перчатки нитриловые · GLV-100").click()
    expect(picker.locator("[data-test=picked-product]")).to_have_text("Перчатки нитриловые · GLV-100")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Сохранить сегмент").click()
    page.wait_for_url(re.compile(r"#/segments/[0-9A-Z]{26}$"))
    segment_id = page.url.rsplit("/", 1)[1]
    saved = body(client.get(f"/api/v1/segments/{segment_id}", token=token))
    assert saved["conditions"] == [{"type": "bought_within_days", "value": 30, "product_id": gloves["id"]}]
    page.reload()
    picker = page.locator("[data-test=condition-product]")
    expect(picker.locator("[data-test=picked-product]")).to_have_text("Перчатки нитриловые · GLV-100")
    picker.get_by_role("button", name="Любой товар").click()  # back to any product
    page.get_by_role("button", name="Сохранить сегмент").click()
    page.locator(".toast", has_text="Сегмент сохранён").wait_for()
    assert body(client.get(f"/api/v1/segments/{segment_id}", token=token))["conditions"] == [
        {"type": "bought_within_days", "value": 30}]
    assert_no_problems(page)
