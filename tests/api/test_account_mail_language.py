"""The account e-mails speak the reader's language: a Russian owner's confirmation, the invitation a Russian
company sends, and a password reset of its account are in Russian; an English company's stay in English.

A walk's flower shop signed up in Russian and got 'Confirm your e-mail address for ...', and its courier, invited in
a Russian company, 'You are invited to ...'.
"""

from __future__ import annotations

import re

from tests.factories import add_member, link_token, outbox, signup, unique_email
from tests.support import ApiClient, body


def _last(to: str) -> tuple[str, str]:
    message = outbox(to)[-1]
    return message.subject, message.body


def test_a_russian_company_mails_confirmation_invitation_and_reset_in_russian(client: ApiClient) -> None:
    company = signup(client, company="Цветы на Арбате", country="RU", locale="ru", confirm=False)
    subject, text = _last(company.owner.email)
    assert subject == "Подтвердите адрес электронной почты для «Цветы на Арбате»"
    assert "в течение 7 дней" in text and re.search(r"/#/confirm-email\?token=\S+", text)
    courier = unique_email("courier")
    invited = client.post("/api/v1/users", {"email": courier, "name": "Иван", "role": "agent"},
                          token=company.owner.token)
    assert invited.status_code == 201, invited.body
    subject, text = _last(courier)
    assert subject == "Приглашение в «Цветы на Арбате»"
    assert text.startswith("Здравствуйте, Иван!") and "действует 7 дней" in text and link_token(courier, "accept")
    assert client.post("/api/v1/auth/password-reset", {"email": company.owner.email}).status_code == 202
    subject, text = _last(company.owner.email)
    assert subject == "Сброс пароля для «Цветы на Арбате»" and "в течение часа" in text  # noqa: RUF001
    assert link_token(company.owner.email, "reset")


def test_an_english_company_mails_in_english(client: ApiClient) -> None:
    company = signup(client, company="Flowers Ltd", country="GB", locale="en", confirm=False)
    assert _last(company.owner.email)[0] == "Confirm your e-mail address for Flowers Ltd"
    member = unique_email("member")
    assert client.post("/api/v1/users", {"email": member, "name": "Mary", "role": "agent"},
                       token=company.owner.token).status_code == 201
    assert _last(member)[0] == "You are invited to Flowers Ltd"
    assert client.post("/api/v1/auth/password-reset", {"email": company.owner.email}).status_code == 202
    assert _last(company.owner.email)[0] == "Reset your password for Flowers Ltd"


def test_a_colleague_who_chose_english_gets_the_reset_in_english(client: ApiClient) -> None:
    company = signup(client, company="Цветы на Арбате", country="RU", locale="ru")
    mary = add_member(client, company, role="agent", name="mary")
    version = body(client.get("/api/v1/me", token=mary.token))["user"]["version"]
    chose = client.patch(f"/api/v1/users/{mary.user_id}", {"locale": "en", "version": version}, token=mary.token)
    assert chose.status_code == 200, chose.body
    assert client.post("/api/v1/auth/password-reset", {"email": mary.email}).status_code == 202
    assert _last(mary.email)[0] == "Reset your password for Цветы на Арбате"


def test_an_invitation_speaks_the_language_the_inviter_chose_for_the_colleague(client: ApiClient) -> None:
    # A Russian flower shop's English-speaking assistant got her invitation in Russian: nothing asked her language.
    company = signup(client, company="Цветы на Арбате", country="RU", locale="ru")
    mary = unique_email("mary")
    invited = client.post("/api/v1/users", {"email": mary, "name": "Mary", "role": "agent", "locale": "en"},
                          token=company.owner.token)
    assert invited.status_code == 201 and body(invited)["locale"] == "en", invited.body
    subject, text = _last(mary)
    assert subject == "You are invited to Цветы на Арбате" and text.startswith("Hello Mary,")
    wrong = client.post("/api/v1/users", {"email": unique_email("x"), "name": "X", "role": "agent", "locale": "de"},
                        token=company.owner.token)
    assert wrong.status_code == 422, wrong.body  # a language the app does not speak: nothing made, nothing sent
