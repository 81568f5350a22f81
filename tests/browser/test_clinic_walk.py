# ruff: noqa: RUF001
"""A Saint Petersburg dental clinic on phones (390 px, Russian): the administrator at the desk books a patient's first
visit with a doctor on the patient's deal, and reads on the card which doctor each visit is with."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import Company, Member, add_member, link_token, refresh_cookie, signup, unique_email
from tests.support import ApiClient, body

PHONE = {"width": 390, "height": 844}


def _clinic(client: ApiClient, name: str) -> Company:
    """A clinic in Saint Petersburg: Russian, on Moscow's clock."""
    return signup(client, company=name, locale="ru", country="RU", timezone="Europe/Moscow")


def _at(browser: Any, live_url: str, who: Member, clinic: str, nav: str, path: str) -> Any:
    """Someone of the clinic on their phone, in Russian, at a screen once the app's menu (naming ``nav``) is drawn."""
    page = russian_phone(browser, live_url, who, clinic)
    page.locator(".main-nav", has_text=nav).wait_for()
    page.goto(f"/#{path}")
    return page


def _desk_chat(client: ApiClient, company: Company, desk_name: str, chat: Any,
               texts: list[str]) -> tuple[Member, dict[str, Any]]:
    """The clinic's administrator at the desk, and the WhatsApp conversation of a patient who wrote ``texts``."""
    from tests.messaging.kit import APP_SECRET, create_line, play
    from webhooks.messengers import whatsapp_message, whatsapp_post

    desk = add_member(client, company, role="admin", name=desk_name)
    line = create_line(client, company, "whatsapp")
    answers = play(client, [whatsapp_post(line["webhook_url"], APP_SECRET,
                                          whatsapp_message(chat, n, "text", {"body": text}))
                            for n, text in enumerate(texts, start=1)])
    assert [a.status_code for a in answers] == [200] * len(texts), [a.body for a in answers]
    [conversation] = body(client.get("/api/v1/conversations", token=desk.token))["items"]
    return desk, conversation


def _doctor(client: ApiClient, company: Company, name: str) -> Member:
    """A doctor of the clinic (an agent) by their Russian name."""
    email = unique_email("doctor")
    invited = client.post("/api/v1/users", {"email": email, "name": name, "role": "agent"}, token=company.owner.token)
    assert invited.status_code == 201, invited.body
    accepted = client.post("/api/v1/auth/accept-invitation", {"token": link_token(email, "accept"),
                                                               "password": company.owner.password})
    assert accepted.status_code == 200, accepted.body
    data = body(accepted)
    return Member(user_id=data["user"]["id"], email=email, token=data["access_token"],
                  refresh_token=refresh_cookie(accepted), role="agent")


def test_the_desk_reads_on_the_patient_s_deal_which_doctor_the_visit_is_with(browser: Any, live_url: str, app: Any,
                                                                              screens: Screens) -> None:
    client = ApiClient(app)
    company = _clinic(client, "Стоматология Улыбка")
    desk = add_member(client, company, role="admin", name="deskadmin")
    _doctor(client, company, "Андрей Петров")
    token = desk.token
    patient = body(client.post("/api/v1/contacts", {"first_name": "Наталья", "last_name": "Иванова",
                                                     "phones": [{"number": "+79214445566"}]}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Имплантация: Наталья Иванова",
                                              "contact_ids": [patient["id"]]}, token=token))
    page = _at(browser, live_url, desk, "Стоматология Улыбка", "Сделки", f"/deals/{deal['id']}")
    booking = page.locator("form[aria-label='Новая задача']")
    booking.get_by_label("Что сделать").fill("Первичная консультация")
    booking.get_by_label("Тип").select_option("meeting")
    booking.get_by_label("Где").fill("Кабинет 2")
    doctor = booking.get_by_label("Исполнитель")
    doctor.locator("option", has_text="Андрей Петров").wait_for(state="attached")
    doctor.select_option(label="Андрей Петров")
    booking.get_by_role("button", name="Добавить задачу").click()
    visit = page.locator("[data-links=task] li", has_text="Первичная консультация")
    # the card listed the visit with its room and time, and nothing of whom it was with
    visit.locator("[data-test=task-who]", has_text="Андрей Петров").wait_for()
    fits_the_phone(page, screens, "clinic-visit-doctor-phone-ru")
    assert_no_problems(page)


def test_the_owner_sets_the_reminder_to_reach_patients_who_never_wrote_on_whatsapp(browser: Any, live_url: str,
                                                                                  app: Any, screens: Screens) -> None:
    # A patient who booked by phone or on the site has no WhatsApp chat: the ready-made reminder, set to WhatsApp,
    # failed for every such patient ("no conversation on that channel yet"), and the builder had no way to name the
    # clinic's line to start one on, nor the template's variables
    from tests.messaging.kit import create_line

    client = ApiClient(app)
    company = _clinic(client, "Стоматология Улыбка Напоминания")
    line = create_line(client, company, "whatsapp")
    page = _at(browser, live_url, company.owner, "Стоматология Улыбка Напоминания", "Настройки",
               "/settings/automations")
    page.locator("[data-test=recipe-remind]").click()
    rule = page.locator("dialog")
    rule.get_by_label("Канал").select_option("whatsapp")
    rule.get_by_label("Линия").select_option(label=line["name"])
    rule.get_by_label("Шаблон WhatsApp (после 24 часов)").fill("appointment_reminder")
    rule.locator("[data-test=template-parameters]").fill("{first_name}\n{when}\n{assignee}")
    fits_the_phone(page, screens, "clinic-reminder-line-phone-ru")
    rule.locator("[data-test=rule-save]").click()
    page.locator(".toast", has_text="Правило сохранено").wait_for()
    [saved] = [r for r in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
               if r["trigger"]["type"] == "task.due_soon"]
    [action] = saved["actions"]
    assert (action["channel"], action["integration_id"]) == ("whatsapp", line["id"])
    assert action["template"] == {"name": "appointment_reminder", "language": "ru",
                                  "parameters": ["{first_name}", "{when}", "{assignee}"]}
    assert_no_problems(page)


def test_the_desk_recognises_a_returning_patient_writing_under_a_nickname(browser: Any, live_url: str, app: Any,
                                                                         screens: Screens) -> None:
    # Наталья Иванова, a patient of the clinic, writes on WhatsApp as "Natasha": the thread was headed "Natasha" with
    # a "Карточка контакта" button, so the administrator could not tell who wrote without opening the card
    from webhooks.messengers import Chat

    client = ApiClient(app)
    company = _clinic(client, "Стоматология Улыбка Чаты")
    patient = body(client.post("/api/v1/contacts", {"first_name": "Наталья", "last_name": "Иванова",
                                                     "phones": [{"number": "8 921 444-55-66"}]},
                               token=company.owner.token))
    desk, conversation = _desk_chat(client, company, "deskchat", Chat(customer="+79214445566", name="Natasha"),
                                    ["Можно перенести приём на пятницу?"])
    page = _at(browser, live_url, desk, "Стоматология Улыбка Чаты", "Чаты", f"/inbox/{conversation['id']}")
    page.locator(".bubble-in", has_text="Можно перенести приём на пятницу?").wait_for()
    card = page.locator(".thread-actions [data-test=thread-contact]")
    card.filter(has_text="Контакт: Наталья Иванова").wait_for()
    assert card.get_attribute("href") == f"#/contacts/{patient['id']}"
    fits_the_phone(page, screens, "clinic-thread-patient-phone-ru")
    assert_no_problems(page)


def test_the_desk_reads_in_the_chat_that_the_patient_asked_not_to_be_written_to(browser: Any, live_url: str,
                                                                                app: Any, screens: Screens) -> None:
    # Павел wrote "не пишите мне" and a colleague withdrew his WhatsApp consent on his card: the next administrator
    # opening his chat saw nothing of it above the reply box
    from webhooks.messengers import Chat

    client = ApiClient(app)
    company = _clinic(client, "Стоматология Улыбка Согласие")
    desk, conversation = _desk_chat(client, company, "deskconsent", Chat(customer="+79313332211", name="Павел Сидоров"),
                                    ["Можно на чистку?", "Не пишите мне больше, пожалуйста"])
    withdrawn = client.put(f"/api/v1/contacts/{conversation['contact_id']}/consent",
                           {"whatsapp": "withdrawn", "source": "written"}, token=company.owner.token)
    assert withdrawn.status_code == 200, withdrawn.body
    page = _at(browser, live_url, desk, "Стоматология Улыбка Согласие", "Чаты", f"/inbox/{conversation['id']}")
    page.locator(".bubble-in", has_text="Не пишите мне больше").wait_for()
    page.locator("[data-test=consent-withdrawn]",
                 has_text="Клиент отозвал согласие на сообщения в этом канале (WhatsApp)").wait_for()
    fits_the_phone(page, screens, "clinic-thread-consent-phone-ru")
    assert_no_problems(page)


def test_a_doctor_taps_the_notice_of_tomorrow_s_visit_and_finds_it(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    # The desk booked Андрей Петров a visit for tomorrow; his "Вам поставлена задача" opened today's tasks, where
    # tomorrow's visit is not, so on his phone he found nothing to tap
    from datetime import timedelta

    from chalicelib.core import db
    from chalicelib.core.tenancy import TenantContext, bind
    from chalicelib.notifications import service as notifications

    client = ApiClient(app)
    company = _clinic(client, "Стоматология Улыбка Врачи")
    desk = add_member(client, company, role="admin", name="deskbook")
    doctor = _doctor(client, company, "Андрей Петров")
    patient = body(client.post("/api/v1/contacts", {"first_name": "Наталья", "last_name": "Иванова"},
                               token=desk.token))
    visit = client.post("/api/v1/tasks", {
        "title": "Первичная консультация", "kind": "meeting", "assignee_id": doctor.user_id,
        "due_at": (db.utcnow() + timedelta(days=1)).replace(microsecond=0).isoformat(),
        "related": {"type": "contact", "id": patient["id"]}}, token=desk.token)
    assert visit.status_code == 201, visit.body
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id="events", actor_kind="system", source="job")
    with bind(ctx):  # the change feed's notice of the task given to him (it runs beside the app)
        notifications.notify(ctx, user_id=doctor.user_id, type="task.assigned", cause=body(visit)["id"],
                             at=db.utcnow(), subject_type="task", subject_id=body(visit)["id"],
                             title="Первичная консультация", actor_id=desk.user_id)
    page = _at(browser, live_url, doctor, "Стоматология Улыбка Врачи", "Задачи", "/notifications")
    page.locator("[data-test=notification] a", has_text="Первичная консультация").click()
    page.locator(f"li[data-task='{body(visit)['id']}']", has_text="Первичная консультация").wait_for()
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "Предстоящие"
    fits_the_phone(page, screens, "clinic-doctor-notice-visit-phone-ru")
    assert_no_problems(page)
