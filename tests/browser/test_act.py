"""An act of services rendered from a phone (390 px, in Russian): a dental clinic's administrator closes a treatment
with "Сделать акт" on the deal's card, sees "Акт № 1" (the acts' own series, after the clinic's invoice № 1), finds
it in the card's documents and on its timeline, and Settings → Requisites offers the acts' number prefix."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens
from tests.browser.test_app import assert_no_problems
from tests.browser.test_documents import SALON_PHONE, deal_documents_in_russian
from tests.documents.test_documents import REQUISITES
from tests.factories import signup
from tests.support import ApiClient, body


def test_a_clinic_closes_a_treatment_with_an_act_on_a_phone(browser: Any, live_url: str, app: Any,
                                                             screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Клиника Улыбка", locale="ru", country="RU", timezone="Europe/Moscow")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0},
                      token=token).status_code == 200
    deal = body(client.post("/api/v1/deals", {"title": "Лечение кариеса",
                                              "amount": {"minor": 1234550, "currency": "RUB"}}, token=token))
    assert body(client.post(f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"}, token=token))["number"] == "1"
    page, panel = deal_documents_in_russian(browser, live_url, company, "Клиника Улыбка", deal["id"], SALON_PHONE)
    create = panel.get_by_role("button", name="Сделать акт")
    expect(create).to_be_visible()
    create.click()
    dialog = page.locator("dialog.doc-dialog")
    expect(dialog.locator("h2")).to_have_text("Акт № 1", timeout=15_000)
    dialog.get_by_role("button", name="Закрыть").click()
    row = panel.locator(".doc-row", has_text="Акт № 1")
    expect(row).to_contain_text("12 345,50")
    expect(panel.locator(".doc-row", has_text="Счёт № 1")).to_have_count(1)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SALON_PHONE["width"]
    screens.shoot(page, "act-390-ru")
    page.reload()
    expect(page.locator(".timeline").first).to_contain_text("Акт № 1")

    page.goto("/#/settings/requisites")
    form = page.get_by_role("form", name="Реквизиты")
    expect(form.get_by_label("Префикс номера акта")).to_have_value("")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SALON_PHONE["width"]
    assert_no_problems(page)
