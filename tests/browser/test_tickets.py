"""Tickets and the knowledge base in the browser (#24): a message made into a ticket in one click, the queue with its
SLA badges and the card's status actions and answer; the article editor's preview, the inbox's article picker, the
settings of service hours and the public page: on a PC (1366 px, English) and a phone (375 px, Russian)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import add_member, signup
from tests.messaging.kit import make_conversation
from tests.messaging.mailkit import create_line, deliver
from tests.support import ApiClient, body
from tests.tickets.kit import chat_without_contact, fire, from_message, hand, handed_chat, open_ticket, status
from webhooks import mail

DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def to_russian(page: Any) -> None:
    page.locator("select.lang-select").select_option("ru")
    page.locator("html[lang=ru]").wait_for()


def test_a_message_becomes_a_ticket_worked_in_the_queue_and_card(browser: Any, live_url: str, app: Any,
                                                                 screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Ticket Desk")
    conversation = make_conversation(client, company.owner.token, customer="+79160005511")
    late = open_ticket(client, company.owner.token, subject="Nobody called me back", priority="urgent")
    fire(company.tenant_id, "ticket.first_response", late["id"])
    waiting = open_ticket(client, company.owner.token, subject="Waiting for photos")
    answered = client.post(f"/api/v1/tickets/{waiting['id']}/replies", {"text": "Send photos"},
                           token=company.owner.token)
    status(client, company.owner.token, body(answered), "pending")  # the resolution clock is paused
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Ticket Desk", at=f"/inbox/{conversation['id']}")
    open_screen(page, f"/inbox/{conversation['id']}", "Inbox")
    page.get_by_role("button", name="Make ticket").first.click()
    page.get_by_role("link", name="Open the ticket").click()
    page.locator("#page-title", has_text="Sample hi").wait_for()
    ticket = body(client.get(f"/api/v1/tickets/{page.url.rsplit('/', 1)[-1]}", token=company.owner.token))
    person = body(client.get(f"/api/v1/contacts/{ticket['contact_id']}", token=company.owner.token))
    named = " ".join(filter(None, (person.get("first_name"), person.get("last_name"))))
    expect(page.locator(".ticket-details a[href^='#/contacts/']")).to_have_text(named)  # not "Contact"
    expect(page.locator(".ticket-details a[href^='#/inbox/']")).to_have_text("Chat in WhatsApp")  # not "Conversation"
    page.get_by_role("button", name="Take into work").click()
    page.locator(".ticket-details .badge", has_text="Open").first.wait_for()
    page.get_by_label("Send as").select_option("comment")
    page.locator("[data-test=ticket-reply-text]").fill("Checking the parcel now")
    page.get_by_role("button", name="Send").click()
    page.locator(".ticket-timeline", has_text="Checking the parcel now").wait_for()
    screens.shoot(page, "card-desktop")
    open_screen(page, "/tickets", "Tickets")
    row = page.locator("tr[data-ticket]", has_text="Nobody called me back")
    row.locator("[data-test=sla-breached]").wait_for()
    page.locator("tr[data-ticket]", has_text="Sample hi").wait_for()
    page.get_by_label("Priority").select_option("urgent")
    page.wait_for_url(re.compile(r"priority=urgent"))
    page.locator("tr[data-ticket]").first.wait_for()
    assert page.locator("tr[data-ticket]").count() == 1
    screens.shoot(page, "queue-desktop")

    page.set_viewport_size(PHONE)
    to_russian(page)
    open_screen(page, "/tickets", "Обращения")
    page.locator("tr[data-ticket]", has_text="Nobody called me back").locator("[data-test=sla-breached]",
                                                                             has_text="SLA нарушен").wait_for()
    page.locator("tr[data-ticket]", has_text="Waiting for photos").locator("[data-test=sla-paused]",
                                                                          has_text="паузе").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "queue-phone-ru")
    page.locator("tr[data-ticket] a", has_text="Nobody called me back").click()
    page.locator("[data-test=ticket-actions] button", has_text="Взять в работу").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "card-phone-ru")
    assert_no_problems(page)


def test_the_knowledge_base_editor_picker_settings_and_public_page(browser: Any, live_url: str, app: Any,
                                                                   screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Know How")
    token = company.owner.token
    conversation = make_conversation(client, token, customer="+79160005512")
    site = client.put("/api/v1/kb/site", {"version": 0, "slug": "know-how", "title": "Know How help"}, token=token)
    assert site.status_code == 200, site.body
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Know How", at="/kb/new")
    open_screen(page, "/kb/new", "Article")
    page.get_by_label("Title").fill("Returns and refunds")
    page.get_by_label("Category").fill("Orders")
    page.get_by_label("Visibility").select_option("public")
    page.locator("[data-test=kb-body]").fill("Send the item back within **14 days**.\n\n<script>alert(1)</script>")
    page.locator("[data-test=kb-preview] strong", has_text="14 days").wait_for()
    assert page.locator("[data-test=kb-preview] script").count() == 0
    page.get_by_role("button", name="Save article").click()
    page.locator("#page-title", has_text="Returns and refunds").wait_for()
    screens.shoot(page, "kb-editor-desktop")

    open_screen(page, f"/inbox/{conversation['id']}", "Inbox")
    page.locator("[data-test=kb-insert]").click()
    page.locator("#kb-pick-q").fill("refund")
    page.locator("[data-test=kb-insert-text]").first.click()
    page.wait_for_function("() => document.querySelector('[data-test=reply-text]').value.includes('14 days')")
    assert "**" not in page.locator("[data-test=reply-text]").input_value()  # the customer reads text, not Markdown

    page.set_viewport_size(PHONE)
    to_russian(page)
    open_screen(page, "/kb", "База знаний")
    page.locator("[data-test=kb-list] li", has_text="Returns and refunds").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "kb-list-phone-ru")
    open_screen(page, "/settings/service", "Настройки")
    page.locator(".settings-current", has_text="Сервис и SLA").wait_for()
    page.get_by_label("Срочный: Первый ответ").fill("45")
    page.get_by_label("Начало").fill("22:00")  # a night shift, to 06:00 the next morning
    page.get_by_label("Конец").fill("06:00")
    page.get_by_role("button", name="Сохранить").first.click()
    page.locator(".toast", has_text="Сохранено").wait_for()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "service-settings-phone-ru")
    saved = body(client.get("/api/v1/ticket-settings", token=token))
    assert saved["targets"]["urgent"]["first_response"] == 45
    assert (saved["opens"], saved["closes"]) == ("22:00", "06:00")
    assert_no_problems(page)

    public = new_page(browser, live_url, viewport=PHONE)
    public.goto("/kb/know-how")
    public.get_by_role("link", name="Returns and refunds").click()
    public.locator("article strong", has_text="14 days").wait_for()
    assert public.evaluate(NO_SIDEWAYS)
    screens.shoot(public, "kb-public-phone")
    assert not public.problems, public.problems


def test_a_manager_assigns_an_e_mailed_ticket_to_an_agent_from_its_card(browser: Any, live_url: str, app: Any,
                                                                        screens: Screens) -> None:
    """The card named the assignee but offered no way to change it (the edit dialog has subject, description and
    priority only), so a ticket made from a message stayed with whoever clicked; its e-mail link read 'Chat in
    E-mail' ('Переписка в Почта' in Russian); the answer box of the card had no knowledge base article picker."""
    client = ApiClient(app)
    company = signup(client, company="Assign Desk")
    agent = add_member(client, company, role="agent", name="annaagent")
    line = create_line(client, company)
    who = mail.Correspondent(forward_to=line["settings"]["inbound_address"], sender="vera.wilted@customer.example")
    deliver(mail.message(who, subject="Wilted roses", text="Two roses arrived wilted."))
    [conversation] = body(client.get("/api/v1/conversations?channel=email", token=company.owner.token))["items"]
    ticket = from_message(client, company.owner.token, conversation)
    article = client.post("/api/v1/kb/articles", {"title": "Возврат цветов", "category": "Заказы",
                                                  "body": "Верните букет в течение 14 дней."},
                          token=company.owner.token)
    assert article.status_code == 201, article.body
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Assign Desk", at=f"/tickets/{ticket['id']}")
    open_screen(page, f"/tickets/{ticket['id']}", "Wilted roses")
    side = page.locator(".ticket-details")
    expect(side.locator("a[href^='#/inbox/']")).to_have_text("E-mail thread")
    side.get_by_role("button", name="Reassign").click()
    side.get_by_label("Responsible").select_option(label="Annaagent")
    side.get_by_role("button", name="Assign").click()
    side.locator("[data-test=owner-name]", has_text="Annaagent").wait_for()
    screens.shoot(page, "assigned-desktop")
    assert body(client.get(f"/api/v1/tickets/{ticket['id']}", token=company.owner.token))["owner_id"] == agent.user_id
    assert_no_problems(page)

    phone = new_page(browser, live_url, viewport=PHONE)
    log_in(phone, agent, "Assign Desk")
    to_russian(phone)
    open_screen(phone, f"/tickets/{ticket['id']}", "Wilted roses")
    expect(phone.locator(".ticket-details a[href^='#/inbox/']")).to_have_text("Переписка по почте")
    expect(phone.locator(".ticket-details [data-test=owner-name]")).to_have_text("Annaagent")
    # The customer's contact is the owner's: the agent sees the address the ticket came from, and no link they would
    # follow to 'not found'.
    expect(phone.locator(".ticket-details [data-test=reached-via]")).to_contain_text("vera.wilted@customer.example")
    assert phone.locator(".ticket-details a[href^='#/contacts/']").count() == 0
    assert phone.locator(".ticket-details .owner-change").count() == 0  # an agent may not hand a ticket on
    phone.locator("[data-test=ticket-actions] ~ form [data-test=kb-insert]").click()  # the answer box had no picker
    phone.locator("#kb-pick-q").fill("возврат")
    phone.locator("[data-test=kb-insert-text]").first.click()
    phone.wait_for_function(
        "() => document.querySelector('[data-test=ticket-reply-text]').value.includes('в течение 14 дней')")
    phone.get_by_role("button", name="Отправить").click()
    phone.locator(".ticket-timeline", has_text="в течение 14 дней").wait_for()
    assert phone.evaluate(NO_SIDEWAYS)
    screens.shoot(phone, "assigned-agent-phone-ru")
    assert_no_problems(phone)


def test_a_ticket_opened_by_hand_names_its_customer(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    """A customer on the phone: the New ticket dialog (and Change) had no contact, so a ticket opened by hand could
    never be linked to whose request it was, nor show on their card."""
    client = ApiClient(app)
    company = signup(client, company="Phone Desk")
    token = company.owner.token
    vera = body(client.post("/api/v1/contacts", {"first_name": "Vera", "last_name": "Lind"}, token=token))
    body(client.post("/api/v1/contacts", {"first_name": "Oleg", "last_name": "Popov"}, token=token))
    page = new_page(browser, live_url, viewport=DESKTOP)
    log_in(page, company.owner, "Phone Desk", at="/tickets")
    open_screen(page, "/tickets", "Tickets")
    page.get_by_role("button", name="+ Ticket").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Subject").fill("Bouquet delivered to the wrong door")
    dialog.get_by_label("Channel").select_option("phone")
    dialog.get_by_role("combobox", name="Contact").fill("Vera")
    dialog.get_by_role("option", name="Vera Lind").click()
    dialog.locator(".picker-chip", has_text="Vera Lind").wait_for()
    screens.shoot(page, "new-ticket-desktop")
    dialog.get_by_role("button", name="Open ticket").click()
    page.locator("#page-title", has_text="Bouquet delivered to the wrong door").wait_for()
    expect(page.locator(".ticket-details a[href^='#/contacts/']")).to_have_text("Vera Lind")
    ticket_id = page.url.rsplit("/", 1)[-1]
    assert body(client.get(f"/api/v1/tickets/{ticket_id}", token=token))["contact_id"] == vera["id"]
    card = body(client.get(f"/api/v1/contacts/{vera['id']}", token=token))
    assert ticket_id in [link["id"] for link in card["links"]["ticket"]]

    page.set_viewport_size(PHONE)
    to_russian(page)
    page.get_by_role("button", name="Изменить").click()
    dialog = page.locator("dialog[open]")
    dialog.locator(".picker-chip", has_text="Vera Lind").wait_for()
    dialog.get_by_role("button", name="Убрать: Vera Lind").click()
    dialog.get_by_role("combobox", name="Контакт").fill("Oleg")
    dialog.get_by_role("option", name="Oleg Popov").click()
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "change-contact-phone-ru")
    dialog.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".ticket-details a[href^='#/contacts/']")).to_have_text("Oleg Popov")
    assert_no_problems(page)


def test_a_lead_opens_a_ticket_for_an_agent_on_a_phone(browser: Any, live_url: str, app: Any,
                                                       screens: Screens) -> None:
    """A customer called the owner about an order an agent handles: the New ticket dialog had no assignee, so the
    ticket was the owner's until reassigned on its card. It names one now; an agent (their own tickets only) gets
    no choice to make and opens tickets for themselves."""
    client = ApiClient(app)
    company = signup(client, company="Hand Desk")
    agent = add_member(client, company, role="agent", name="ninaagent")
    page = new_page(browser, live_url, viewport=PHONE)
    log_in(page, company.owner, "Hand Desk")
    to_russian(page)
    open_screen(page, "/tickets", "Обращения")
    page.get_by_role("button", name="+ Обращение").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Тема").fill("Перезвонить по заказу 1043")
    expect(dialog.get_by_label("Ответственный")).to_have_value(company.owner.user_id)  # the caller, unless changed
    dialog.get_by_label("Ответственный").select_option(label="Ninaagent")
    assert page.evaluate(NO_SIDEWAYS)
    screens.shoot(page, "new-ticket-for-agent-phone-ru")
    dialog.get_by_role("button", name="Создать").click()
    page.locator("#page-title", has_text="Перезвонить по заказу 1043").wait_for()
    expect(page.locator(".ticket-details [data-test=owner-name]")).to_have_text("Ninaagent")
    page.locator(".ticket-timeline", has_text="Назначено: Ninaagent").wait_for()  # whom it was given to, and by whom
    ticket_id = page.url.rsplit("/", 1)[-1]
    assert body(client.get(f"/api/v1/tickets/{ticket_id}", token=company.owner.token))["owner_id"] == agent.user_id
    assert_no_problems(page)

    phone = new_page(browser, live_url, viewport=PHONE)
    log_in(phone, agent, "Hand Desk")
    to_russian(phone)
    open_screen(phone, "/tickets?view=mine", "Обращения")
    phone.locator(f"[data-ticket='{ticket_id}']").wait_for()
    open_screen(phone, f"/tickets/{ticket_id}", "Перезвонить по заказу 1043")
    phone.locator(".ticket-timeline", has_text="Назначено: Ninaagent").wait_for()
    screens.shoot(phone, "given-ticket-agent-phone-ru")
    open_screen(phone, "/tickets", "Обращения")
    phone.get_by_role("button", name="+ Обращение").click()
    phone.locator("dialog[open]").get_by_label("Тема").wait_for()
    assert phone.locator("dialog[open] select[name=owner_id]").count() == 0
    assert_no_problems(phone)


def test_an_agent_given_a_colleague_s_customer_s_ticket_sees_whom_to_answer(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    """An agent (their own contacts only) handed a ticket about the owner's WhatsApp customer opened it on a phone
    and read 'Контакт коллеги': no name, no number, nothing to answer by. The card names the customer and the number
    the ticket came through, with no link to the contact's card they may not open, and the answer goes to the
    customer on the conversation handed with the ticket (390 px, Russian)."""
    client = ApiClient(app)
    company, agent, conversation, ticket = handed_chat(client, "Requester Phone Desk", agent="idaagent",
                                                       customer="+79160007766")
    assert client.get(f"/api/v1/contacts/{ticket['contact_id']}", token=agent.token).status_code == 404

    phone = new_page(browser, live_url, viewport={"width": 390, "height": 780})
    log_in(phone, agent, "Requester Phone Desk")
    to_russian(phone)
    open_screen(phone, f"/tickets/{ticket['id']}", "Sample hi")
    side = phone.locator(".ticket-details")
    expect(side.locator("[data-test=contact-name]")).to_have_text("Sample Customer")
    assert side.locator("a[href^='#/contacts/']").count() == 0
    assert side.locator("[data-test=contact-hidden]").count() == 0
    expect(side.locator("a[href^='tel:']")).to_have_text("+7 916 000-77-66")
    expect(side.locator("[data-test=reached-via]")).to_have_text("Переписка в WhatsApp · +7 916 000-77-66")
    expect(side.locator("[data-test=reached-via] a[href^='#/inbox/']")).to_have_text("Переписка в WhatsApp")
    assert phone.evaluate(NO_SIDEWAYS)
    # Whom they answer is also said above the answer box, where the details are below it on a phone.
    who = phone.locator("[data-test=ticket-who]")
    expect(who).to_have_text("Sample Customer · +7 916 000-77-66 · WhatsApp")
    assert who.bounding_box()["y"] < phone.locator("[data-test=ticket-reply-text]").bounding_box()["y"]
    screens.shoot(phone, "customer-for-agent-phone-ru")
    expect(phone.get_by_label("Отправить как")).to_have_value("conversation")
    phone.locator("[data-test=ticket-reply-text]").fill("Курьер будет через час")
    phone.get_by_role("button", name="Отправить").click()
    phone.locator(".ticket-timeline", has_text="Курьер будет через час").wait_for()
    sent = [m["text"] for m in body(client.get(f"/api/v1/conversations/{conversation['id']}/messages",
                                               token=agent.token))["items"] if m["direction"] == "out"]
    assert sent == ["Курьер будет через час"]
    assert_no_problems(phone)

    # the owner takes the conversation back: the agent still sees whom the ticket is from, and may leave a comment
    current = body(client.get(f"/api/v1/conversations/{conversation['id']}", token=company.owner.token))
    taken = client.post(f"/api/v1/conversations/{conversation['id']}/assign",
                        {"version": current["version"], "assignee_id": company.owner.user_id},
                        token=company.owner.token)
    assert taken.status_code == 200, taken.body
    phone.reload()
    phone.locator("#page-title", has_text="Sample hi").wait_for()
    expect(side.locator("[data-test=contact-name]")).to_have_text("Sample Customer")
    assert side.locator("a[href^='#/inbox/']").count() == 0
    phone.locator("[data-test=reply-comment-only]").wait_for()
    assert phone.locator("select[name=via]").count() == 0
    assert phone.evaluate(NO_SIDEWAYS)
    assert_no_problems(phone)


def test_the_queue_names_each_ticket_s_customer_on_a_phone(browser: Any, live_url: str, app: Any,
                                                           screens: Screens) -> None:
    """A support agent triaging the queue saw subjects only. Each row now says whom it is from and how (the
    customer's name as it is now, a colleague's customer's too, and the channel), in Russian on a phone (390 px)."""
    client = ApiClient(app)
    company, agent, _, chat = handed_chat(client, "Queue Names Desk", agent="queueagent",
                                          customer="+79160007799")
    open_ticket(client, company.owner.token, subject="Who wrote this?", owner_id=agent.user_id)
    unsaved = chat_without_contact(client, company, customer="+79160007798", name="Marta Kowalska",
                                   text="Not saved yet")  # a chat's customer who is no contact: the inbox's name
    hand(client, company.owner.token, from_message(client, company.owner.token, unsaved), agent.user_id)
    contact = body(client.get(f"/api/v1/contacts/{chat['contact_id']}", token=company.owner.token))
    renamed = client.patch(f"/api/v1/contacts/{contact['id']}", {"version": contact["version"],
                                                                  "first_name": "Ida", "last_name": "Brandt"},
                           token=company.owner.token)
    assert renamed.status_code == 200, renamed.body

    phone = new_page(browser, live_url, viewport={"width": 390, "height": 780})
    log_in(phone, agent, "Queue Names Desk")
    to_russian(phone)
    open_screen(phone, "/tickets", "Обращения")
    row = phone.locator("tr[data-ticket]", has_text="Sample hi")
    expect(row.locator(".ticket-customer")).to_have_text("Ida Brandt · WhatsApp")
    expect(row.locator("[data-test=ticket-customer]")).to_have_text("Ida Brandt")
    expect(phone.locator("tr[data-ticket]", has_text="Not saved yet").locator("[data-test=ticket-customer]")
           ).to_have_text("Marta Kowalska")
    nameless = phone.locator("tr[data-ticket]", has_text="Who wrote this?")
    expect(nameless.locator(".ticket-customer")).to_have_text("Без контакта · Вручную")
    assert phone.evaluate(NO_SIDEWAYS)
    screens.shoot(phone, "queue-customers-phone-ru")
    assert_no_problems(phone)
