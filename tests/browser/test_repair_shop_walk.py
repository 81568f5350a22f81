"""What a walk of a car-repair shop found on a phone in Russian: Settings -> Roles ran to some 7,000 px in the order
of the English keys, report tables were cut at the right, a read-only mechanic was told to drag deals, and the
Managers report named a front-desk agent who had left as if she were still there."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.reports import counters
from tests.browser.conftest import NARROW, PHONE, Screens
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import add_member, signup
from tests.support import ApiClient, body

MECHANIC = ["contacts:read:all", "deals:read:all"]
SIDEWAYS = """() => [document.documentElement, ...document.querySelectorAll('main .table-wrap')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.className || el.tagName)"""
LEFT_EDGES = """tables => tables.map((table) => [...table.querySelectorAll('thead th')]
    .map((th) => Math.round(th.getBoundingClientRect().left)))"""


def test_the_roles_grid_on_a_phone_folds_into_groups_in_the_menus_order(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Роли", locale="ru", country="RU")
    made = client.post("/api/v1/roles", {"key": "mechanic", "name": "Механик", "permissions": MECHANIC},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    page = russian_phone(browser, live_url, company.owner, "Автосервис Роли")
    page.goto("/#/settings/roles")
    create = page.locator("section.panel", has=page.get_by_role("heading", name="Новая роль"))
    groups = create.locator("details.permission-group")
    expect(groups.first).to_be_visible()
    # the menu's record types first, then Settings' groups in its order; each closed on a phone
    assert groups.evaluate_all("all => all.map((d) => d.dataset.group)") == ["work", "team", "sales", "connect",
                                                                            "company"]
    assert groups.evaluate_all("all => all.map((d) => d.open)") == [False] * 5
    expect(groups.first.locator("summary")).to_contain_text("Работа \u0441 клиентами")
    expect(groups.first.locator("summary")).to_contain_text("Ничего не выдано")
    names = groups.first.locator("tbody th").evaluate_all("all => all.map((th) => th.textContent)")
    assert names[:4] == ["Задачи", "Контакты", "Компании", "Сделки"], names
    assert create.locator(".permission-field").bounding_box()["height"] < 700  # was some 5,000 px of boxes
    screens.shoot(page, "roles-folded")

    groups.first.locator("summary").click()
    create.get_by_role("checkbox", name="Контакты: Просмотр").check()
    create.get_by_role("checkbox", name="Сделки: Просмотр").check()
    expect(groups.first.locator(".permission-granted")).to_have_text("Контакты: просмотр; Сделки: просмотр")
    row = groups.first.locator("tbody tr", has_text="Контакты")
    assert row.bounding_box()["height"] < 130  # a compact row: name and whose records, then the boxes
    assert page.evaluate(SIDEWAYS) == []
    page.set_viewport_size(NARROW)
    assert page.evaluate(SIDEWAYS) == [], "the smallest phone too"
    screens.shoot(page, "roles-open-narrow")
    page.set_viewport_size(PHONE)

    # an existing role says what it grants while folded
    page.locator(".list li", has_text="Механик").get_by_role("button", name="Изменить").click()
    edit = page.locator("section.panel", has=page.get_by_role("heading", name="Изменить роль Механик"))
    expect(edit.locator("details.permission-group[data-group=work] .permission-granted")).to_have_text(
        "Контакты: просмотр; Сделки: просмотр")
    expect(edit.locator("details.permission-group[data-group=team] .permission-granted")).to_have_text(
        "Ничего не выдано")

    # on a laptop the groups are open, their columns lined up from one group's table to the next
    page.set_viewport_size({"width": 1366, "height": 768})
    page.reload()
    create = page.locator("section.panel", has=page.get_by_role("heading", name="Новая роль"))
    expect(create.locator("details.permission-group[open]")).to_have_count(5)
    columns = create.locator("table.permission-grid").evaluate_all(LEFT_EDGES)
    assert all(column == columns[0] for column in columns), columns
    assert_no_problems(page)
    page.context.close()


def test_report_tables_fit_a_phone_and_mark_a_manager_who_left(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Отчёт", locale="ru", country="RU")
    owner = company.owner.user_id
    anna = add_member(client, company, role="agent", name="anna")
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        tally = counters.Tally(ctx, cause=new_id(), at=db.utcnow())
        tally.add("managers", {"owner_id": owner, "currency": "RUB"}, won=2, revenue=4_500_000)
        tally.add("managers", {"owner_id": anna.user_id, "currency": "RUB"}, won=1, revenue=1_200_000)
        tally.add("sources", {"source": "manual", "owner_id": owner}, leads=3)
        assert tally.commit()
    gone = client.post(f"/api/v1/users/{anna.user_id}/deactivate", {}, token=company.owner.token)
    assert gone.status_code == 200, gone.body

    page = russian_phone(browser, live_url, company.owner, "Автосервис Отчёт")
    page.goto("/#/reports")
    managers = page.locator("[data-test=report-managers]")
    expect(managers.locator("tbody tr")).to_have_count(2)
    expect(managers.locator("tbody tr", has_text="Anna")).to_contain_text("Anna (отключён)")
    expect(managers.locator("tbody tr").filter(has_not_text="Anna")).not_to_contain_text("отключён")
    # nothing is cut at the right: each row's figures are named and stay on the screen
    assert page.evaluate(SIDEWAYS) == []
    revenue = managers.locator("tbody tr", has_text="Anna").locator("td[data-label='Выручка по сделкам']")
    expect(revenue).to_be_visible()
    box = revenue.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], box
    screens.shoot(page, "reports-phone")

    page.select_option(".lang-select", "en")
    expect(managers.locator("tbody tr", has_text="Anna")).to_contain_text("Anna (deactivated)")
    assert_no_problems(page)
    page.context.close()


def test_a_read_only_role_is_not_offered_to_move_deals_on_the_board(browser: Any, live_url: str, app: Any,
                                                                     screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Автосервис Доска", locale="ru", country="RU")
    token = company.owner.token
    made = client.post("/api/v1/roles", {"key": "mechanic", "name": "Механик", "permissions": MECHANIC}, token=token)
    assert made.status_code == 201, made.body
    pipeline = body(client.get("/api/v1/pipelines", token=token))["items"][0]
    deal = client.post("/api/v1/deals", {"title": "Замена ремня ГРМ, Kia Rio", "pipeline_id": pipeline["id"],
                                         "stage_id": pipeline["stages"][0]["id"]}, token=token)
    assert deal.status_code == 201, deal.body
    mechanic = add_member(client, company, role="mechanic", name="mechanic")

    page = russian_phone(browser, live_url, mechanic, "Автосервис Доска")
    page.goto("/#/deals")
    card = page.locator(".board .deal", has_text="Замена ремня ГРМ")
    expect(card).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Перетащите")
    expect(card.locator("select")).to_have_count(0)
    assert card.get_attribute("draggable") == "false"
    screens.shoot(page, "board-read-only")
    page.context.close()

    page = russian_phone(browser, live_url, company.owner, "Автосервис Доска")  # who may move deals is told how
    page.goto("/#/deals")
    expect(page.locator("main")).to_contain_text("Перетащите карточку")
    expect(page.locator(".board .deal", has_text="Замена ремня ГРМ").locator("select")).to_have_count(1)
    assert_no_problems(page)
    page.context.close()
