"""What a new company starts with in its own terms (#20 items 3 and 4): its time zone, asked at sign-up or the usual
one of its country, and its first funnel named in its language."""

from __future__ import annotations

import pytest

from chalicelib.identity import zones
from tests.factories import PASSWORD, signup, unique_email
from tests.support import ApiClient, body


def _signup(client: ApiClient, **extra: object) -> dict:
    answer = client.post("/api/v1/auth/signup", {"company_name": "Букет и Ко", "name": "Ольга",  # noqa: RUF001
                                                 "email": unique_email("zone"), "password": PASSWORD, **extra})
    assert answer.status_code == 201, answer.body
    return body(answer)


def test_signup_keeps_the_time_zone_it_is_given(client: ApiClient) -> None:
    made = _signup(client, country="RU", locale="ru", timezone="Asia/Yekaterinburg")
    assert made["tenant"]["timezone"] == "Asia/Yekaterinburg"
    me = body(client.get("/api/v1/me", token=made["access_token"]))
    assert me["tenant"]["timezone"] == "Asia/Yekaterinburg"


@pytest.mark.parametrize(("country", "zone"), [("RU", "Europe/Moscow"), ("KZ", "Asia/Almaty"), ("DE", "Europe/Berlin"),
                                               ("US", "America/New_York"), ("AQ", "UTC")])
def test_without_one_a_company_keeps_its_countrys_usual_hours(client: ApiClient, country: str, zone: str) -> None:
    assert _signup(client, country=country)["tenant"]["timezone"] == zone


def test_an_older_client_signing_up_without_country_or_zone_still_gets_a_zone(client: ApiClient) -> None:
    assert _signup(client)["tenant"]["timezone"] == "America/New_York"  # the country defaults to US, as before


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "../../etc/passwd", "Europe/Moscow" * 10, 3])
def test_an_unknown_time_zone_is_refused_and_nothing_is_made(client: ApiClient, bad: object) -> None:
    email = unique_email("badzone")
    answer = client.post("/api/v1/auth/signup", {"company_name": "X", "name": "Y", "email": email,
                                                 "password": PASSWORD, "timezone": bad})
    assert answer.status_code == 422, answer.body
    assert body(answer)["error"]["details"][0]["loc"][-1] == "timezone"
    assert client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 401


def test_the_company_settings_refuse_an_unknown_time_zone(client: ApiClient) -> None:
    company = signup(client, company="Zone Bakery")
    tenant = body(client.get("/api/v1/tenant", token=company.owner.token))
    refused = client.patch("/api/v1/tenant", {"version": tenant["version"], "timezone": "Moon/Base"},
                           token=company.owner.token)
    assert refused.status_code == 422, refused.body
    saved = client.patch("/api/v1/tenant", {"version": tenant["version"], "timezone": "Asia/Novosibirsk"},
                         token=company.owner.token)
    assert saved.status_code == 200 and body(saved)["timezone"] == "Asia/Novosibirsk"


def test_every_countrys_usual_zone_is_a_zone() -> None:
    from zoneinfo import ZoneInfo

    for zone in zones.COUNTRY_ZONES.values():
        ZoneInfo(zone)


def test_a_russian_company_starts_with_its_funnel_in_russian(client: ApiClient) -> None:
    made = _signup(client, country="RU", locale="ru")
    pipeline = body(client.get("/api/v1/pipelines", token=made["access_token"]))["items"][0]
    assert pipeline["name"] == "Продажи"
    assert [stage["name"] for stage in pipeline["stages"]] == [
        "Новая", "Квалификация", "Предложение", "Переговоры", "Успешно", "Не реализовано"]  # noqa: RUF001
    assert [stage["kind"] for stage in pipeline["stages"]][-2:] == ["won", "lost"]
    assert "Цена" in pipeline["lost_reasons"]


def test_an_english_company_starts_with_its_funnel_in_english(client: ApiClient) -> None:
    made = _signup(client, country="GB", locale="en")
    pipeline = body(client.get("/api/v1/pipelines", token=made["access_token"]))["items"][0]
    assert [stage["name"] for stage in pipeline["stages"]][:3] == ["New", "Qualified", "Proposal"]


def test_the_sign_up_screen_presets_the_same_zones_as_the_server() -> None:
    import json
    import re
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "chalicelib/ui/static/screens/zones.js").read_text(encoding="utf-8")
    found = re.search(r"export const COUNTRY_ZONE = (\{.*?\});", script)
    assert found is not None
    assert json.loads(found.group(1).replace("'", '"')) == zones.COUNTRY_ZONES
