# ruff: noqa: RUF001
"""A Yekaterinburg fastener wholesaler («УралКрепёж») leaving Bitrix24 imports its contacts, companies and deals
exports as Bitrix24 writes them: CSV in UTF-8 with its BOM, every cell quoted, ";" after each, including the last,
and Bitrix24's own column names for its multi-fields ("Рабочий e-mail", "Частный e-mail", "Корпоративный сайт",
"Контакт Telegram" ...), its deals' "Стадия сделки" with the closed stages «Сделка успешна» / «Сделка провалена»,
"Направление" and "Предполагаемая дата закрытия"."""

from __future__ import annotations

import html
from typing import Any

import pytest

from chalicelib.dataio import importing
from tests.dataio.kit import named_member, run
from tests.factories import IN_MOSCOW, Company, signup
from tests.support import ApiClient, body


def bitrix_csv(*lines: list[str]) -> str:
    """A file as Bitrix24's CSV export writes it: each cell quoted, each followed by ";"."""
    return "".join("".join(f'"{cell}";' for cell in line) + "\n" for line in lines)


COMPANIES = bitrix_csv(
    ["ID", "Название компании", "Тип компании", "Сфера деятельности", "Рабочий телефон", "Корпоративный сайт",
     "Рабочий e-mail", "Адрес", "Ответственный", "Дата создания", "Комментарий", "ИНН", "КПП"],
    ["55", "ООО «СтройМонтаж»", "Клиент", "Строительство", "+7 (343) 310-20-30", "stroymontazh.ru",
     "info@stroymontazh.ru", "620014, г. Екатеринбург, ул. Малышева, 51", "Ирина Соколова", "01.02.2024 09:00:00",
     "Ключевой клиент", "6671234567", "667101001"])
CONTACTS = bitrix_csv(
    ["ID", "Обращение", "Имя", "Фамилия", "Отчество", "Рабочий телефон", "Мобильный телефон", "Телефон для рассылок",
     "Рабочий e-mail", "Частный e-mail", "E-mail для рассылок", "Другой e-mail", "Контакт Telegram", "Компания",
     "Должность", "Ответственный", "Дата создания", "Комментарий", "Тип контакта"],
    ["101", "г-н", "Сергей", "Волков", "Петрович", "+7 (343) 310-20-31", "+7 912 600-11-22", "",
     "volkov@stroymontazh.ru", "s.volkov@mail.ru", "", "", "@volkov_sp", "ООО «СтройМонтаж»", "Главный инженер",
     "Ирина Соколова", "14.02.2024 10:15:00", "Берёт анкеры оптом", "Клиенты"],
    ["102", "", "Ольга", "Нестерова", "", "", "", "+7 922 100-20-30", "", "", "zakupki@stroymontazh.ru",
     "nesterova@yandex.ru", "", "ООО «СтройМонтаж»", "Снабженец", "", "15.02.2024 11:00:00", "", ""])


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="УралКрепёж", **IN_MOSCOW)
    named_member(client, company, "irina", "Ирина Соколова")
    return company


def imported(client: ApiClient, company: Company) -> tuple[dict[str, Any], dict[str, Any]]:
    """The companies and contacts exports imported, once for the module: the imports as they ended."""
    if "imported" not in company.extra:
        token = company.owner.token
        company.extra["imported"] = (
            run(client, token, company.tenant_id, COMPANIES, "company", filename="company.csv"),
            run(client, token, company.tenant_id, CONTACTS, filename="contact.csv"))
    return company.extra["imported"]


def test_bitrix24_s_e_mail_site_and_telegram_columns_come_over(client: ApiClient, company: Company) -> None:
    """Bitrix24 heads a contact's e-mails "Рабочий e-mail", "Частный e-mail", "E-mail для рассылок" and "Другой
    e-mail", a company's site "Корпоративный сайт", a Telegram username "Контакт Telegram": they were left in a note,
    so the imported clients had no e-mail to send an invoice to and no site to find them by."""
    token = company.owner.token
    companies, contacts = imported(client, company)
    assert (companies["mapping"]["Корпоративный сайт"], companies["mapping"]["Рабочий e-mail"]) == ("website", "email")
    assert companies["progress"]["created"] == 1 and companies["progress"]["errors"] == [], companies["progress"]
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(companies['id'], 2)}", token=token))
    assert firm["website"] == "https://stroymontazh.ru"
    assert [e["address"] for e in firm["emails"]] == ["info@stroymontazh.ru"]
    assert [contacts["mapping"][h] for h in ("Рабочий e-mail", "Частный e-mail", "E-mail для рассылок",
                                             "Другой e-mail", "Телефон для рассылок", "Контакт Telegram")] == [
        "email", "email", "email", "email", "phone", "telegram"]
    assert contacts["progress"]["created"] == 2 and contacts["progress"]["errors"] == [], contacts["progress"]
    volkov = body(client.get(f"/api/v1/contacts/{importing.record_id(contacts['id'], 2)}", token=token))
    assert [e["address"] for e in volkov["emails"]] == ["volkov@stroymontazh.ru", "s.volkov@mail.ru"]
    assert volkov["messengers"]["telegram_username"] == "volkov_sp" and volkov["company_ids"] == [firm["id"]]
    nesterova = body(client.get(f"/api/v1/contacts/{importing.record_id(contacts['id'], 3)}", token=token))
    assert [e["address"] for e in nesterova["emails"]] == ["zakupki@stroymontazh.ru", "nesterova@yandex.ru"]
    assert [p["number"] for p in nesterova["phones"]] == ["+79221002030"]


DEALS = bitrix_csv(
    ["ID", "Название сделки", "Стадия сделки", "Направление", "Сумма", "Валюта", "Предполагаемая дата закрытия",
     "Контакт", "Компания", "Ответственный", "Дата создания", "Сделка закрыта", "Тип", "Источник"],
    ["7", "Анкеры М12, 500 шт", "Сделка успешна", "Общая", "48 500.00", "RUB", "20.03.2024", "Ольга Нестерова",
     "ООО «СтройМонтаж»", "Ирина Соколова", "01.03.2024 11:20:00", "Да", "Продажа", "Звонок"],
    ["8", "Саморезы, пробная партия", "Сделка провалена", "Общая", "12 000.00", "RUB", "22.03.2024",
     "Ольга Нестерова", "ООО «СтройМонтаж»", "Ирина Соколова", "02.03.2024 11:20:00", "Да", "Продажа", ""],
    ["9", "Болты М16, квартальный заказ", "Новая", "Общая", "150000", "RUB", "25.01.2027", "Ольга Нестерова",
     "ООО «СтройМонтаж»", "Ирина Соколова", "03.03.2024 11:20:00", "Нет", "Продажа", ""])


def test_bitrix24_s_deals_come_over_in_their_stages_with_their_closing_dates(client: ApiClient,
                                                                           company: Company) -> None:
    """Bitrix24 heads a deal's stage "Стадия сделки" (its closed ones «Сделка успешна» and «Сделка провалена»), its
    pipeline "Направление" and its expected close date "Предполагаемая дата закрытия": every deal landed in the first
    stage, the won and lost ones open, with no close date."""
    token = company.owner.token
    imported(client, company)
    job = run(client, token, company.tenant_id, DEALS, "deal", filename="deal.csv")
    assert [job["mapping"][h] for h in ("Стадия сделки", "Направление", "Предполагаемая дата закрытия")] == [
        "stage", "pipeline", "expected_close_on"]
    assert job["progress"]["created"] == 3, job["progress"]
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    kinds = {stage["id"]: stage["kind"] for stage in pipeline["stages"]}
    won, lost, new = (body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))
                      for row in (2, 3, 4))
    won, lost, new = (deal.get("deal", deal) for deal in (won, lost, new))
    assert [(kinds[d["stage_id"]], d["status"]) for d in (won, lost, new)] == [
        ("won", "won"), ("lost", "lost"), ("open", "open")]
    assert (won["expected_close_on"], new["expected_close_on"]) == ("2024-03-20", "2027-01-25")
    assert won["amount"]["minor"] == 4_850_000 and new["company_id"]


def test_a_bitrix24_deal_finds_its_contact_by_name_without_or_with_the_patronymic(client: ApiClient,
                                                                                company: Company) -> None:
    """Bitrix24 writes a deal's contact by the portal's name format, "Сергей Волков" or "Волков Сергей Петрович",
    while the contacts import keeps the patronymic with the first name (Сергей Петрович Волков): no deal found
    him, and the file could not be imported at all."""
    token = company.owner.token
    imported(client, company)
    volkov = importing.record_id(imported(client, company)[1]["id"], 2)
    deals = bitrix_csv(["Название сделки", "Стадия сделки", "Сумма", "Контакт"],
                       ["Анкеры М10", "Новая", "9 800", "Сергей Волков"],
                       ["Шпильки М8", "Новая", "4 100", "Волков Сергей Петрович"])
    job = run(client, token, company.tenant_id, deals, "deal", filename="deal.csv")
    assert job["progress"]["created"] == 2 and job["progress"]["errors"] == [], job["progress"]
    for row in (2, 3):
        deal = body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))
        assert deal.get("deal", deal)["contact_ids"] == [volkov]


def bitrix_excel(*lines: list[str]) -> str:
    """A file as Bitrix24's "Export to Excel" writes it (contacts.xls): an HTML table, its values' quotes as
    entities."""
    cells = ["<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in line) + "</tr>" for line in lines[1:]]
    head = "<tr>" + "".join(f"<th>{cell}</th>" for cell in lines[0]) + "</tr>"
    return ('<meta http-equiv="Content-type" content="text/html;charset=UTF-8" />\n<table border="1">\n<thead>\n'
            f"\t\t\t{head}\t\t</thead>\n\t\t<tbody>{''.join(cells)}</tbody></table>")


def test_bitrix24_s_excel_export_an_html_table_is_read_as_its_rows(client: ApiClient) -> None:
    """Bitrix24's "Экспорт в Excel" saves an HTML table as contacts.xls: the import read it as a CSV of tags and
    found no column."""
    shop = signup(client, company="УралКрепёж Excel", **IN_MOSCOW)
    text = bitrix_excel(["ID", "Имя", "Фамилия", "Отчество", "Мобильный телефон", "Рабочий e-mail", "Компания"],
                        ["101", "Сергей", "Волков", "Петрович", "+7 912 600-11-22", "volkov@stroymontazh.ru",
                         'ООО "СтройМонтаж"'])
    job = run(client, shop.owner.token, shop.tenant_id, text, filename="contacts.xls")
    assert job["file_format"] == "html"
    assert job["mapping"] == {"ID": None, "Имя": "first_name", "Фамилия": "last_name", "Отчество": "middle_name",
                              "Мобильный телефон": "phone", "Рабочий e-mail": "email", "Компания": "company"}
    assert job["progress"]["created"] == 1 and job["progress"]["errors"] == [], job["progress"]
    volkov = body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], 2)}", token=shop.owner.token))
    assert [p["number"] for p in volkov["phones"]] == ["+79126001122"]
    assert [link["summary"]["name"] for link in volkov["links"]["company"]] == ['ООО "СтройМонтаж"']


def test_a_phone_column_s_name_gives_its_numbers_their_kind(client: ApiClient) -> None:
    """Bitrix24 writes each kind of phone in a column of its own ("Рабочий телефон", "Мобильный телефон", "Домашний
    телефон", "Номер факса"): every imported number was a mobile, the company's switchboard and its fax too."""
    shop = signup(client, company="УралКрепёж Телефоны", **IN_MOSCOW)
    token = shop.owner.token
    companies = bitrix_csv(["Название компании", "Рабочий телефон", "Номер факса"],
                           ["ООО «СтройМонтаж»", "+7 (343) 310-20-30", "+7 (343) 310-20-39"])
    job = run(client, token, shop.tenant_id, companies, "company", filename="company.csv")
    assert job["mapping"]["Номер факса"] == "phone" and job["progress"]["errors"] == [], job["progress"]
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], 2)}", token=token))
    assert [(p["number"], p["kind"]) for p in firm["phones"]] == [("+73433102030", "work"), ("+73433102039", "fax")]
    contacts = bitrix_csv(["Имя", "Фамилия", "Рабочий телефон", "Мобильный телефон", "Домашний телефон"],
                          ["Сергей", "Волков", "+7 (343) 310-20-31", "+7 912 600-11-22 (моб)", "+7 343 222-33-44"],
                          ["Ольга", "Нестерова", "+7 922 100-20-30 (мобильный)", "", ""])
    job = run(client, token, shop.tenant_id, contacts, filename="contact.csv")
    volkov, nesterova = (body(client.get(f"/api/v1/contacts/{importing.record_id(job['id'], row)}", token=token))
                         for row in (2, 3))
    assert [(p["number"], p["kind"]) for p in volkov["phones"]] == [
        ("+73433102031", "work"), ("+79126001122", "mobile"), ("+73432223344", "home")]
    assert [p["kind"] for p in nesterova["phones"]] == ["mobile"]  # the number's own remark says what it is


def test_a_won_or_lost_bitrix24_deal_closed_on_its_close_date(client: ApiClient, company: Company) -> None:
    """Bitrix24 sets a deal's "Предполагаемая дата закрытия" to the day it was won or lost, and writes no other
    closing time: the imported deals were closed on the day of the import, so March's sales read as December's."""
    token = company.owner.token
    imported(client, company)
    deals = bitrix_csv(["Название сделки", "Стадия сделки", "Сумма", "Предполагаемая дата закрытия"],
                       ["Анкеры М12", "Сделка успешна", "48 500", "20.03.2024"],
                       ["Саморезы", "Сделка провалена", "12 000", "22.03.2024 00:00:00"],
                       ["Болты М16", "Новая", "150 000", "25.01.2027"])
    job = run(client, token, company.tenant_id, deals, "deal", filename="deal.csv")
    assert job["progress"]["created"] == 3, job["progress"]
    won, lost, open_ = (body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))
                        for row in (2, 3, 4))
    won, lost, open_ = (deal.get("deal", deal) for deal in (won, lost, open_))
    # midnight on the company's clock (Moscow, UTC+3)
    assert (won["closed_at"][:16], lost["closed_at"][:16]) == ("2024-03-19T21:00", "2024-03-21T21:00")
    assert won["expected_close_on"] == "2024-03-20" and open_["closed_at"] is None


def test_bitrix24_s_contact_and_company_types_are_tags(client: ApiClient, company: Company) -> None:
    """Bitrix24's "Тип контакта" («Клиенты», «Поставщики») and "Тип компании" («Клиент», «Конкурент») sort a
    wholesaler's book; they were left in a note, so no list could be filtered by them."""
    token = company.owner.token
    companies, contacts = imported(client, company)
    assert companies["mapping"]["Тип компании"] == "tags" and contacts["mapping"]["Тип контакта"] == "tags"
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(companies['id'], 2)}", token=token))
    volkov = body(client.get(f"/api/v1/contacts/{importing.record_id(contacts['id'], 2)}", token=token))
    assert (firm["tags"], volkov["tags"]) == (["клиент"], ["клиенты"])


def test_bitrix24_s_currency_names_are_read_as_their_codes(client: ApiClient, company: Company) -> None:
    """Bitrix24's deals export writes a deal's "Валюта" by the portal's name of it («Российский рубль», «Доллар
    США», «Евро»), not its code: every row failed as no ISO 4217 currency."""
    token = company.owner.token
    deals = bitrix_csv(["Название сделки", "Стадия сделки", "Сумма", "Валюта"],
                       ["Анкеры М12", "Новая", "48500.00", "Российский рубль"],
                       ["Крепёж для Astana Build", "Новая", "1200.00", "Доллар США"],
                       ["Дюбели для Минска", "Новая", "900.50", "Евро"])
    job = run(client, token, company.tenant_id, deals, "deal", filename="deal.csv")
    assert job["progress"]["created"] == 3 and job["progress"]["errors"] == [], job["progress"]
    amounts = [body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))
               for row in (2, 3, 4)]
    assert [(d.get("deal", d)["amount"]["minor"], d.get("deal", d)["amount"]["currency"]) for d in amounts] == [
        (4_850_000, "RUB"), (120_000, "USD"), (90_050, "EUR")]


def test_a_mango_call_from_an_imported_client_s_switchboard_finds_the_company_and_its_deal(
        client: ApiClient, company: Company) -> None:
    """The first week: «СтройМонтаж» rings from its switchboard, as Bitrix24's "Рабочий телефон" held it; the Mango
    line's call is the imported company's, with its open deal, and makes no new contact."""
    from tests.telephony.kit import calls, create_telephony, play
    from webhooks.providers import Call
    from webhooks.providers import mango as mango_sim

    token = company.owner.token
    companies, _ = imported(client, company)
    firm = importing.record_id(companies["id"], 2)
    deal = body(client.post("/api/v1/deals", {"title": "Анкеры М16, повторный заказ", "company_id": firm},
                            token=token))
    line = create_telephony(client, company, "mango", extensions={"101": company.owner.user_id})
    contacts_before = len(body(client.get("/api/v1/contacts?limit=100", token=token))["items"])
    requests = mango_sim.requests("answered", line["webhook_url"], key="mango-key-0001", secret="mango-salt-0001",
                                  call=Call(customer="+73433102030", extension="101"))
    assert all(answer.status_code == 200 for answer in play(client, line, requests))
    [call] = calls(client, company)
    call = body(client.get(f"/api/v1/calls/{call['id']}", token=token))
    assert (call["company_id"], call["contact_id"], call["deal_id"]) == (firm, None, deal["id"])
    assert len(body(client.get("/api/v1/contacts?limit=100", token=token))["items"]) == contacts_before


def run_encoded(client: ApiClient, company: Company, text: str, entity: str, encoding: str) -> dict[str, Any]:
    """A file imported to its end, saved in the encoding given (Bitrix24 writes a portal's CSV in windows-1251 when
    the portal's site encoding is, else in UTF-8 with its BOM)."""
    if encoding == "utf-8-sig":
        return run(client, company.owner.token, company.tenant_id, text, entity, filename=f"{entity}.csv")
    import base64

    from chalicelib.dataio import jobs

    token = company.owner.token
    made = client.post("/api/v1/imports", {"entity": entity, "filename": f"{entity}.csv",
                                           "content_base64": base64.b64encode(text.encode(encoding)).decode()},
                       token=token)
    assert made.status_code == 201, made.body
    job = body(made)
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", company.tenant_id, job["id"], seconds=120) == "done"
    return {**body(client.get(f"/api/v1/imports/{job['id']}", token=token)), "mapping": job["mapping"]}


def test_bitrix24_s_kpp_column_is_the_companys_kpp(client: ApiClient, company: Company) -> None:
    """Bitrix24's requisites columns "ИНН" and "КПП": the КПП was folded into the company's note, off its invoices."""
    companies, _contacts = imported(client, company)
    assert (companies["mapping"]["ИНН"], companies["mapping"]["КПП"]) == ("inn", "kpp")
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(companies['id'], 2)}", token=company.owner.token))
    assert (firm["tax_number"], firm["kpp"]) == ("6671234567", "667101001")
    assert all("667101001" not in text for text in timeline_notes(client, company.owner.token, "companies",
                                                                   firm["id"]))


def timeline_notes(client: ApiClient, token: str, plural: str, record_id: str) -> list[str]:
    entries = body(client.get(f"/api/v1/{plural}/{record_id}/timeline?limit=50", token=token))["items"]
    return [entry["data"]["text"] for entry in entries if entry["kind"] == "note"]


# crm.deal.list's CSV with "Товар" among the columns: a row per product, the deal's own cells repeated under its ID,
# "Сумма" the product's price times quantity. Deal 31's third product is written after deal 32 (a file sorted by
# hand, or two pages of a step-by-step export): its rows are one deal wherever they are.
DEALS_WITH_PRODUCTS = [
    ["ID", "Название сделки", "Стадия сделки", "Направление", "Товар", "Цена", "Количество", "Сумма", "Валюта",
     "Компания", "Ответственный", "Дата создания", "Комментарий"],
    ["31", "Крепёж для ЖК «Северный»", "Новая", "Общая", "Анкер клиновой М12х100", "97", "500", "48500",
     "Российский рубль", "", "", "05.03.2024 10:00:00", "Доставка на объект"],
    ["31", "Крепёж для ЖК «Северный»", "Новая", "Общая", "Шпилька резьбовая М12, 1 м", "85.5", "40", "3420",
     "Российский рубль", "", "", "05.03.2024 10:00:00", "Доставка на объект"],
    ["32", "Болты М16, пробная партия", "Новая", "Общая", "Болт М16х80 DIN 933", "24.9", "200", "4980",
     "Российский рубль", "", "", "06.03.2024 12:30:00", ""],
    ["31", "Крепёж для ЖК «Северный»", "Новая", "Общая", "Гайка М12 DIN 934", "3.2", "1000", "3200",
     "Российский рубль", "", "", "05.03.2024 10:00:00", "Доставка на объект"],
    ["33", "Консультация по анкеровке", "Новая", "Общая", "", "", "", "15000", "Российский рубль", "", "",
     "07.03.2024 09:00:00", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_a_bitrix24_deal_exported_with_its_products_is_one_deal_with_its_amount_and_products(
        client: ApiClient, encoding: str) -> None:
    """Bitrix24's deals export with "all fields" writes a row per product of a deal, under the deal's ID, each row's
    "Сумма" that product's share: a deal of three products came over as three deals, each with a third of the
    amount and no word of what was sold."""
    shop = signup(client, company=f"УралКрепёж Товары {encoding}", country="RU", locale="ru",
                  timezone="Europe/Moscow")
    token = shop.owner.token
    job = run_encoded(client, shop, bitrix_csv(*DEALS_WITH_PRODUCTS), "deal", encoding)
    assert (job["total_rows"], job["progress"]["created"], job["progress"]["failed"]) == (3, 3, 0), job["progress"]
    northern, trial, advice = (body(client.get(f"/api/v1/deals/{importing.record_id(job['id'], row)}", token=token))
                               for row in (2, 4, 6))
    northern, trial, advice = (deal.get("deal", deal) for deal in (northern, trial, advice))
    assert (northern["title"], northern["amount"]) == ("Крепёж для ЖК «Северный»", {"minor": 5_512_000,
                                                                                   "currency": "RUB"})
    assert (trial["amount"]["minor"], advice["amount"]["minor"]) == (498_000, 1_500_000)
    note = "\n\n".join(timeline_notes(client, token, "deals", northern["id"]))  # "Комментарий" is a note of its own
    assert "Анкер клиновой М12х100 — 500 × 97 = 48500\nШпилька резьбовая М12, 1 м — 40 × 85.5 = 3420\n" \
           "Гайка М12 DIN 934 — 1000 × 3.2 = 3200" in note
    assert "Доставка на объект" in note and note.count("Доставка на объект") == 1
    assert "Болт М16х80 DIN 933 — 200 × 24.9 = 4980" in timeline_notes(client, token, "deals", trial["id"])[0]
    assert all("Товар" not in text for text in timeline_notes(client, token, "deals", advice["id"]))


# crm.company.list's CSV with "requisites on several lines": a company's further requisites on rows whose company
# columns are all empty.
COMPANIES_WITH_REQUISITES = [
    ["ID", "Название компании", "Тип компании", "Рабочий телефон", "Название реквизита", "ИНН", "КПП"],
    ["61", "ООО «СтройМонтаж»", "Клиент", "+7 (343) 310-20-30", "Организация", "6671234567", "667101001"],
    ["", "", "", "", "Обособленное подразделение", "6671234567", "667143001"],
    ["62", "ИП Кузнецов А. В.", "Клиент", "+7 (343) 222-11-00", "ИП", "667000112233", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_a_bitrix24_company_s_requisites_on_several_lines_stay_with_the_company(client: ApiClient,
                                                                                encoding: str) -> None:
    """Bitrix24's companies export with "requisites on several lines" writes a company's second requisite on a row
    of its own, the company's columns empty: the row failed as a company with no name, and the requisite was lost."""
    shop = signup(client, company=f"УралКрепёж Реквизиты {encoding}", country="RU", locale="ru",
                  timezone="Europe/Moscow")
    token = shop.owner.token
    job = run_encoded(client, shop, bitrix_csv(*COMPANIES_WITH_REQUISITES), "company", encoding)
    progress = job["progress"]
    assert (job["total_rows"], progress["created"], progress["failed"]) == (2, 2, 0), progress["errors"]
    assert job["mapping"]["Ещё реквизиты"] is None  # no field holds them: the company's note keeps them
    firm = body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], 2)}", token=token))
    assert (firm["name"], firm["tax_number"]) == ("ООО «СтройМонтаж»", "6671234567")
    [note] = timeline_notes(client, token, "companies", firm["id"])
    assert "Ещё реквизиты: Название реквизита: Обособленное подразделение; ИНН: 6671234567; КПП: 667143001" in note
    sole = body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], 4)}", token=token))
    assert sole["name"] == "ИП Кузнецов А. В." and "Обособленное" not in " ".join(
        timeline_notes(client, token, "companies", sole["id"]))


def test_rows_of_a_deal_with_a_sum_not_read_or_of_another_file_stay_as_they_are() -> None:
    """Only Bitrix24's product rows are one deal: a file without "ID" and "Товар" keeps each row a deal, and a deal
    whose "Сумма" is no plain number keeps its rows (their amounts are not added up wrongly, nothing is lost)."""
    from chalicelib.dataio import bitrix_rows
    from chalicelib.dataio.sheets import Sheet

    headers = ["ID", "Название сделки", "Товар", "Цена", "Количество", "Сумма"]
    rows = [["5", "Анкеры", "Анкер М10", "50", "2", "100"], ["5", "Анкеры", "Анкер М12", "60", "1", "60"],
            ["6", "Болты", "Болт М8", "1,234.50", "1", "1,234.50"], ["6", "Болты", "Болт М10", "10", "1", "10"]]
    sheet = bitrix_rows.deal_products(Sheet(headers, rows, "csv", numbers=[2, 3, 4, 5]))
    assert sheet.numbers == [2, 4, 5]
    assert sheet.rows[0] == ["5", "Анкеры", "Анкер М10 — 2 × 50 = 100\nАнкер М12 — 1 × 60 = 60", "", "", "160"]
    assert sheet.rows[1:] == rows[2:]
    plain = Sheet(headers[1:], [row[1:] for row in rows], "csv", numbers=[2, 3, 4, 5])
    assert bitrix_rows.deal_products(plain) is plain
