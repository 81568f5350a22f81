"""A client company's КПП and ОГРН on its card: typed in its edit form and shown among its facts, "KPP (RU)" and
"Registration number" in English, "КПП" and "ОГРН" in Russian; a КПП that is not one is said at the field and
nothing is saved."""
# ruff: noqa: RUF001 (Russian company names)

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_app import assert_no_problems
from tests.browser.test_eu_invoice import on_a_laptop
from tests.browser.test_sensitive import russian_phone
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_company_card_keeps_its_kpp_and_ogrn_in_english_and_in_russian(browser: Any, live_url: str,
                                                                            app: Any) -> None:
    client = ApiClient(app)
    shop = signup(client, company="Northwind Supplies", country="GB", timezone="Europe/London")
    firm = body(client.post("/api/v1/companies", {"name": "Romashka LLC"}, token=shop.owner.token))
    page = on_a_laptop(browser, live_url, shop.owner, "Northwind Supplies", f"/#/companies/{firm['id']}")
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("KPP (RU)").fill("7701ab001")  # typed in small letters: sent as the capitals it has
    page.get_by_label("Registration number").fill("1027700132195")
    page.get_by_role("button", name="Save").click()
    facts = page.locator("dl.props").first
    expect(facts).to_contain_text("KPP (RU)")
    expect(facts).to_contain_text("7701AB001")
    expect(facts).to_contain_text("Registration number")
    expect(facts).to_contain_text("1027700132195")
    read = body(client.get(f"/api/v1/companies/{firm['id']}", token=shop.owner.token))
    assert (read["kpp"], read["registration_number"]) == ("7701AB001", "1027700132195")
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("KPP (RU)").fill("7701")  # not NNNNPPNNN: said at the field, nothing saved
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("KPP (RU)")).to_have_attribute("aria-invalid", "true")
    assert body(client.get(f"/api/v1/companies/{firm['id']}", token=shop.owner.token))["kpp"] == "7701AB001"
    assert_no_problems(page)
    page.context.close()

    wholesaler = signup(client, company="Оптовик Лилия", locale="ru", country="RU", timezone="Europe/Moscow")
    buyer = body(client.post("/api/v1/companies", {"name": "ООО Лютик"}, token=wholesaler.owner.token))
    page = russian_phone(browser, live_url, wholesaler.owner, "Оптовик Лилия")
    page.goto(f"/#/companies/{buyer['id']}")
    page.locator("summary", has_text="Изменить").click()
    page.get_by_label("КПП", exact=True).fill("165501001")
    page.get_by_label("ОГРН", exact=True).fill("1021602841391")
    page.get_by_role("button", name="Сохранить").click()
    facts = page.locator("dl.props").first
    expect(facts).to_contain_text("КПП")
    expect(facts).to_contain_text("165501001")
    expect(facts).to_contain_text("1021602841391")
    read = body(client.get(f"/api/v1/companies/{buyer['id']}", token=wholesaler.owner.token))
    assert (read["kpp"], read["registration_number"]) == ("165501001", "1021602841391")
    assert_no_problems(page)
    page.context.close()
