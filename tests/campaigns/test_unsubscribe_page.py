"""The unsubscribe page a campaign message's link opens speaks the company's language (its locale, ``?lang=``
overriding), names the company, shows nothing of the reader, works without script, and unsubscribes once."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from chalicelib.campaigns import tokens
from chalicelib.core.tenancy import TenantContext, bind
from tests.factories import Company, signup
from tests.support import ApiClient, body

SEEN = itertools.count()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _shown(html: str) -> str:
    """The words a reader sees (not the form's field names)."""
    return re.sub(r"<[^>]+>", " ", html)


def _link(client: ApiClient, company: Company) -> tuple[str, str, str]:
    owner = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Zinaida", "last_name": "Readerova", "emails": [
        {"address": f"zina.{next(SEEN)}.{company.tenant_id.lower()}@example.com"}]}, token=owner))
    client.put(f"/api/v1/contacts/{contact['id']}/consent", {"email": "granted"}, token=owner)
    campaign = body(client.post("/api/v1/campaigns", {"name": "News", "channel": "email", "subject": "S",
                                                      "body": "B"}, token=owner))
    ctx = TenantContext(tenant_id=company.tenant_id)
    with bind(ctx):
        token = tokens.make(ctx, kind="u", campaign_id=campaign["id"], contact_id=contact["id"], channel="email")
    return token, contact["id"], campaign["id"]


@pytest.fixture(scope="module")
def russian(app: Any) -> Company:
    return signup(ApiClient(app), company="Цветочная лавка «Роза»", country="RU", locale="ru")


@pytest.fixture(scope="module")
def english(app: Any) -> Company:
    return signup(ApiClient(app), company="Rose & Thorn Ltd", country="GB", locale="en")


def test_a_russian_companys_page_is_russian_only_and_names_it(client: ApiClient, russian: Company) -> None:
    token, contact_id, _ = _link(client, russian)
    page = client.get(f"/m/u/{token}")
    html = page.body.decode()
    assert page.status_code == 200 and '<html lang="ru">' in html
    assert "Отписаться" in _shown(html) and "Unsubscribe" not in _shown(html) and "Stop receiving" not in html
    assert '<p class="company">Цветочная лавка «Роза»</p>' in html
    assert "Zinaida" not in html and "Readerova" not in html and "zina." not in html  # a forwarded link shows no one
    assert "<script" not in html and "script-src" not in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert f'action="/m/u/{token}"' in html  # the button works without script: a plain form
    consent = body(client.get(f"/api/v1/contacts/{contact_id}/consent", token=russian.owner.token))
    assert consent["email"]["status"] == "granted"  # a GET (a mail scanner) unsubscribes no one


def test_an_english_companys_page_is_english_only(client: ApiClient, english: Company) -> None:
    token, _, _ = _link(client, english)
    html = client.get(f"/m/u/{token}").body.decode()
    assert '<html lang="en">' in html and "Unsubscribe" in _shown(html) and "Stop receiving" in html
    assert "Отписаться" not in html and "сообщения" not in html
    assert '<p class="company">Rose &amp; Thorn Ltd</p>' in html  # escaped


def test_lang_overrides_the_companys_language_and_carries_to_the_answer(client: ApiClient, russian: Company) -> None:
    token, _, _ = _link(client, russian)
    html = client.get(f"/m/u/{token}?lang=en").body.decode()
    assert '<html lang="en">' in html and "Отписаться" not in html and f'action="/m/u/{token}?lang=en"' in html
    done = client.post(f"/m/u/{token}?lang=en", body="List-Unsubscribe=One-Click", headers=FORM)
    assert done.status_code == 200 and "Unsubscribed" in done.body.decode()
    unknown = client.get(f"/m/u/{token}?lang=xx")  # a language we do not have: the company's
    assert '<html lang="ru">' in unknown.body.decode()


def test_the_unsubscribe_takes_effect_once_in_the_companys_language(client: ApiClient, russian: Company) -> None:
    token, contact_id, _ = _link(client, russian)
    seen = []
    for _ in range(2):  # the page's button, then a mail client's one-click POST: the same answer, one withdrawal
        done = client.post(f"/m/u/{token}", body="List-Unsubscribe=One-Click", headers=FORM)
        html = done.body.decode()
        assert done.status_code == 200 and "Вы отписались" in html and "Unsubscribed" not in _shown(html)
        assert '<p class="company">Цветочная лавка «Роза»</p>' in html
        seen.append(body(client.get(f"/api/v1/contacts/{contact_id}/consent", token=russian.owner.token))["email"])
    assert seen[0]["status"] == "withdrawn" and seen[0]["source"] == "unsubscribe_link"
    assert seen[1] == seen[0]  # the second changed nothing (the same time of withdrawal)


def test_a_link_not_ours_names_no_company(client: ApiClient, russian: Company) -> None:
    token, _, _ = _link(client, russian)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for answer in (client.get(f"/m/u/{forged}"), client.post(f"/m/u/{forged}", body="", headers=FORM)):
        assert answer.status_code == 404 and "Цветочная" not in answer.body.decode()
    assert "Ссылка недействительна" in client.get(f"/m/u/{forged}?lang=ru").body.decode()
