"""The deal card moves, wins and loses a deal (where the owner had to go back to the board and find its card): the
pipeline's open stages as a bar, the current one marked, with Won and Lost (Lost asks the reason as the board does),
and Reopen on a closed deal, back to the last open stage it stood in. On a phone in Russian an agent works her own
deal through to "Create order"; someone who moved it meanwhile is said and shown; a read-only user sees the stages
and no button; on a laptop in English the same bar."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PHONE, Screens, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import Company, Member, add_member, signup
from tests.support import ApiClient, body

LAPTOP = {"width": 1366, "height": 800}


def seed(client: ApiClient, company: Company, member: Member, title: str) -> dict[str, Any]:
    """A deal of the member's in the default pipeline's first stage; returns the deal."""
    pipeline = body(client.get("/api/v1/pipelines", token=member.token))["items"][0]
    made = client.post("/api/v1/deals", {"title": title, "pipeline_id": pipeline["id"],
                                         "stage_id": pipeline["stages"][0]["id"],
                                         "amount": {"minor": 4500000, "currency": "RUB"}, "source": "whatsapp",
                                         "utm": {"source": "instagram", "campaign": "svadba"}}, token=member.token)
    assert made.status_code == 201, made.body
    return dict(body(made), pipeline=pipeline)


def current(page: Any) -> str:
    return str(page.locator('[data-test="stage-bar"] [aria-current="step"]').inner_text())


def fits(page: Any) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "no sideways page"
    for box in page.locator('[data-test="stage-bar"] button').evaluate_all(
            "(els) => els.map((el) => el.getBoundingClientRect().toJSON())"):
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_an_agent_moves_loses_reopens_and_wins_her_deal_on_a_phone_in_russian(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветочная лавка", country="RU", locale="ru")
    agent = add_member(client, company, role="agent", name="annaagent")
    deal = seed(client, company, agent, "Свадебные букеты")
    stages = [stage["name"] for stage in deal["pipeline"]["stages"]]
    assert stages[:2] == ["Новая", "Квалификация"]

    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, agent, "Цветочная лавка")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/deals/{deal['id']}")
    bar = page.locator('[data-test="stage-bar"]')
    bar.wait_for()
    assert current(page) == "Новая"
    facts = page.locator("dl.props").first.inner_text()
    assert "Источник\nиз WhatsApp" in facts and "instagram / svadba" in facts  # the channel that made the deal
    # The open stages only: won and lost are the buttons, not steps.
    assert bar.locator(".stage-step").all_inner_texts() == ["Новая", "Квалификация", "Предложение", "Переговоры"]
    fits(page)
    screens.shoot(page, "card-stage-bar-ru")

    bar.get_by_role("button", name="Квалификация").click()
    page.locator(".toast", has_text="«Свадебные букеты» перемещена на этап «Квалификация»").wait_for()
    page.locator('[data-test="stage-bar"] [aria-current="step"]', has_text="Квалификация").wait_for()
    # The card reloaded: its timeline has the move.
    page.locator("ol.timeline li[data-kind=stage_change]", has_text="Новая → Квалификация").wait_for()

    page.locator('[data-test="deal-lost"]').click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Причина").select_option("Цена")
    dialog.get_by_role("button", name="Отметить проигранной").click()
    page.locator(".toast", has_text="«Свадебные букеты» проиграна").wait_for()
    page.locator('[data-test="deal-status"]', has_text="Проиграна").wait_for()
    assert page.locator('[data-test="stage-bar"] [aria-current]').count() == 0
    assert page.locator('[data-test="stage-bar"] button.stage-step').count() == 0
    assert page.locator("dl.props", has_text="Цена").count() == 1
    stored = body(client.get(f"/api/v1/deals/{deal['id']}", token=agent.token))["deal"]
    assert (stored["status"], stored["lost_reason"]) == ("lost", "Цена")

    # Reopen: back to the last open stage it stood in.
    page.locator('[data-test="deal-reopen"]').click()
    page.locator(".toast", has_text="«Свадебные букеты» снова в работе, на этапе «Квалификация»").wait_for()
    page.locator('[data-test="stage-bar"] [aria-current="step"]', has_text="Квалификация").wait_for()
    assert page.locator('[data-test="create-order"]').count() == 0

    page.locator('[data-test="deal-won"]').click()
    page.locator(".toast", has_text="«Свадебные букеты» выиграна").wait_for()
    page.locator('[data-test="create-order"]').wait_for()
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=agent.token))["deal"]["status"] == "won"
    fits(page)
    screens.shoot(page, "card-won-ru")
    assert_no_problems(page)
    page.context.close()


def test_a_move_meanwhile_is_said_and_shown(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Цветы на углу", country="RU", locale="ru")
    agent = add_member(client, company, role="agent", name="ninaagent")
    deal = seed(client, company, agent, "Букет к юбилею")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, agent, "Цветы на углу")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.goto(f"/#/deals/{deal['id']}")
    page.locator('[data-test="stage-bar"]').wait_for()
    proposal = deal["pipeline"]["stages"][2]
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": proposal["id"], "version": deal["version"]},
                        token=company.owner.token)
    assert moved.status_code == 200, moved.body

    page.get_by_role("button", name="Квалификация").click()
    page.locator(".toast", has_text="Изменено кем-то другим — данные обновлены").wait_for()
    page.locator('[data-test="stage-bar"] [aria-current="step"]', has_text="Предложение").wait_for()
    stored = body(client.get(f"/api/v1/deals/{deal['id']}", token=agent.token))["deal"]
    assert stored["stage_id"] == proposal["id"]  # the tap moved nothing over the other move
    assert_no_problems(page)
    page.context.close()


def test_on_a_laptop_in_english_the_same_bar_and_a_read_only_user_sees_no_buttons(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Corner Florist")
    reader = add_member(client, company, role="read_only", name="rosareader")
    deal = seed(client, company, company.owner, "Hotel lobby flowers")

    page = new_page(browser, live_url, viewport=LAPTOP)
    log_in(page, company.owner, "Corner Florist", at=f"/deals/{deal['id']}")
    bar = page.get_by_role("region", name="Stages")
    bar.wait_for()
    assert bar.locator(".stage-step").all_inner_texts() == ["New", "Qualified", "Proposal", "Negotiation"]
    assert current(page) == "New"
    bar.get_by_role("button", name="Qualified").focus()  # keyboard: a button, Enter moves
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="“Hotel lobby flowers” moved to Qualified").wait_for()
    page.locator('[data-test="stage-bar"] [aria-current="step"]', has_text="Qualified").wait_for()
    # The bar drawn anew keeps the keyboard on it: on the stage the deal is in now.
    page.wait_for_function("() => document.activeElement?.getAttribute('aria-current') === 'step'")
    assert bar.get_by_role("button", name="Won").is_visible()
    assert bar.get_by_role("button", name="Mark as lost").is_visible()
    fits(page)
    screens.shoot(page, "card-stage-bar-en")
    assert_no_problems(page)
    page.context.close()

    page = new_page(browser, live_url, viewport=LAPTOP)
    log_in(page, reader, "Corner Florist", at=f"/deals/{deal['id']}")
    bar = page.locator('[data-test="stage-bar"]')
    bar.wait_for()
    assert bar.locator(".stage-step").all_inner_texts() == ["New", "Qualified", "Proposal", "Negotiation"]
    assert current(page) == "Qualified"
    assert bar.locator("button").count() == 0
    screens.shoot(page, "card-read-only-en")
    assert_no_problems(page)
    page.context.close()
