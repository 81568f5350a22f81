"""An Almaty online shop of home goods on phones in Russian (390 px): its managers read prices in tenge as
Kazakhstan writes them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import Company, signup
from tests.messaging.kit import create_line
from tests.support import ApiClient, body

PHONE = {"width": 390, "height": 844}


def shop(client: ApiClient, name: str) -> Company:
    """A shop in Almaty: Russian, tenge, on Almaty's clock (UTC+5 since March 2024)."""
    company = signup(client, company=name, locale="ru", country="KZ", timezone="Asia/Almaty")
    company.extra["name"] = name
    return company


def _owner_at(browser: Any, live_url: str, company: Company, path: str) -> Any:
    """The shop's owner on her phone, in Russian, at a screen of the app."""
    page = russian_phone(browser, live_url, company.owner, company.extra["name"])
    page.goto(f"/#{path}")
    return page


def _done(page: Any, screens: Screens | None = None, shot: str | None = None, *, fits: bool = False) -> None:
    """The screen's shot (checked to scroll only downwards when ``fits``), no console problem, the phone put away."""
    if shot and fits:
        fits_the_phone(page, screens, shot)
    elif shot:
        screens.shoot(page, shot)  # type: ignore[union-attr]
    assert_no_problems(page)
    page.context.close()


def _spaced(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_the_board_shows_tenge_with_its_sign_and_whole_tenge_without_tiyn(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    # The board read '0,00 KZT' and '8 900,00 KZT': the code for the sign a Kazakh shop prints, and tiyn that no
    # price of theirs has. A whole amount now reads '8 900 ₸'; one with tiyn keeps them.
    client = ApiClient(app)
    company = shop(client, "Алма Декор Доска")
    token = company.owner.token
    assert body(client.get("/api/v1/tenant", token=token))["currency"] == "KZT"
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    for title, minor in (("Подушка «Степь»", 890000), ("Ваза Шаңырақ", 1275050)):
        made = client.post("/api/v1/deals", {"title": title, "pipeline_id": pipeline["id"],
                                             "stage_id": pipeline["stages"][0]["id"],
                                             "amount": {"minor": minor, "currency": "KZT"}}, token=token)
        assert made.status_code == 201, made.body
    page = _owner_at(browser, live_url, company, "/deals")
    pillow = page.locator(".board .deal", has_text="Подушка «Степь»").locator(".amount")
    expect(pillow).to_be_visible()
    assert _spaced(pillow.inner_text()) == "8 900 ₸"
    vase = page.locator(".board .deal", has_text="Ваза Шаңырақ").locator(".amount")
    assert _spaced(vase.inner_text()) == "12 750,50 ₸"
    total = page.get_by_role("region", name="Квалификация").locator("[data-test=stage-total]")
    assert _spaced(total.inner_text()) == "0 ₸"
    total = page.get_by_role("region", name="Новая").locator("[data-test=stage-total]")
    assert _spaced(total.inner_text()) == "21 650,50 ₸"
    expect(page.locator("main")).not_to_contain_text("KZT")
    _done(page, screens, "board-tenge")


def test_the_owner_fills_in_the_bin_and_the_iik_where_the_form_names_them(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    # Settings -> Requisites asked a Kazakh company for its ИНН, ОГРН / КПП, расчётный and корреспондентский счёт:
    # a Russian company's words. It now asks for the БИН / ИИН and the ИИК, and no correspondent account.
    client = ApiClient(app)
    company = shop(client, "Алма Декор Реквизиты")
    page = _owner_at(browser, live_url, company, "/settings/requisites")
    page.get_by_label("БИН / ИИН").fill("180540012345")
    page.get_by_label("ИИК", exact=True).fill("KZ86722S000012345678")
    expect(page.get_by_label("ИНН", exact=True)).to_have_count(0)
    expect(page.get_by_label("ОГРН / КПП")).to_have_count(0)
    expect(page.get_by_label("Корреспондентский счёт")).to_have_count(0)
    page.get_by_role("button", name="Сохранить").click()
    page.locator(".toast", has_text="Сохранено").wait_for()
    saved = body(client.get("/api/v1/document-settings/requisites", token=company.owner.token))
    assert (saved["tax_id"], saved["bank_account"]) == ("180540012345", "KZ86722S000012345678")
    _done(page, screens, "requisites-kz", fits=True)


def test_a_new_whatsapp_campaign_s_template_is_in_the_company_s_language(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    # The campaign wizard offered the template's language as 'en': the shop's template, approved by Meta in Russian,
    # would be refused for every customer as a template that does not exist in English. It starts at the company's
    # language, as a rule's reminder does.
    client = ApiClient(app)
    company = shop(client, "Алма Декор Рассылка")
    token = company.owner.token
    line = create_line(client, company, "whatsapp")
    segment = body(client.post("/api/v1/segments", {"name": "Покупатели пледов", "conditions": [
        {"type": "tag_has", "value": "плед"}]}, token=token))
    page = _owner_at(browser, live_url, company, "/campaigns/new")
    page.get_by_label("Название", exact=True).fill("Декабрьские пледы")
    page.get_by_label("Канал").select_option("whatsapp")
    expect(page.get_by_label("Язык шаблона")).to_have_value("ru")
    page.get_by_label("Название одобренного шаблона").fill("december_sale")
    page.get_by_label("Сегмент").select_option(segment["id"])
    page.get_by_role("button", name="Сохранить черновик").click()
    page.locator(".toast", has_text="Черновик сохранён").wait_for()
    saved = body(client.get("/api/v1/campaigns", token=token))["items"][0]
    assert (saved["integration_id"], saved["template"]["language"]) == (line["id"], "ru")
    _done(page, screens, "campaign-template-language")


def test_the_payment_form_offers_the_amount_due_in_whole_tenge(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    # The order card's payment form offered '9968,00' and the deal's amount box '8900,00': tiyn again, in the boxes
    # a manager types over. A whole amount is offered as '9968'.
    client = ApiClient(app)
    company = shop(client, "Алма Декор Оплата")
    token = company.owner.token
    customer = body(client.post("/api/v1/contacts", {"first_name": "Гүлнұр"}, token=token))
    order = body(client.post("/api/v1/orders", {"currency": "KZT", "contact_id": customer["id"], "lines": [
        {"description": "Подушка «Степь»", "quantity": "1", "unit_price_minor": 890000, "tax_rate": "12"}]},
        token=token))
    confirmed = client.post(f"/api/v1/orders/{order['id']}/status", {"status": "confirmed",
                                                                      "version": order["version"]}, token=token)
    assert confirmed.status_code == 200, confirmed.body
    page = _owner_at(browser, live_url, company, f"/orders/{order['id']}")
    expect(page.locator("input[name=amount]")).to_have_value("9968")
    page.locator("input[name=amount]").fill("5000")
    page.get_by_role("button", name="Внести оплату").click()
    expect(page.locator("main")).to_contain_text(re.compile(r"К оплате: 4\s968\s₸"))  # noqa: RUF001
    assert body(client.get(f"/api/v1/orders/{order['id']}", token=token))["paid_minor"] == 500000
    _done(page, screens, "payment-tenge")


def test_the_card_reads_times_on_almaty_s_clock_at_utc_plus_5(browser: Any, live_url: str, app: Any,
                                                              screens: Screens) -> None:
    # Kazakhstan moved to UTC+5 on 1 March 2024: the browser's zone data and the server's must both say so, or a
    # customer's message written at 20:25 reads 21:25 on the card while the reports count it by the server's clock
    client = ApiClient(app)
    company = shop(client, "Алма Декор Время")
    contact = body(client.post("/api/v1/contacts", {"first_name": "Әсел", "last_name": "Қайратқызы"},
                               token=company.owner.token))
    made = datetime.fromisoformat(contact["created_at"].replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Almaty"))
    assert made.utcoffset() is not None and made.utcoffset().total_seconds() == 5 * 3600
    page = _owner_at(browser, live_url, company, f"/contacts/{contact['id']}")
    created = page.locator("dt:has-text('Создано') + dd")
    expect(created).to_contain_text(made.strftime("%H:%M"))
    expect(created).to_contain_text(str(made.year))
    _done(page)
