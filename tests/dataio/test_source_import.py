# ruff: noqa: RUF001
"""Where an imported lead came from comes over. An English school moving from amoCRM brought its leads export, whose
utm_source, utm_medium and utm_campaign columns and its own 'Источник' say where each parent came from (VK ads, the
site, a partner), and the import's preview skipped them: every imported deal read as made by hand, and a September
campaign to 'the parents who came from VK' had nothing to select by. A contacts file's 'Source' and 'UTM ...' columns
(as our own export writes them) come over the same way."""

from __future__ import annotations

from tests.dataio.kit import run, upload
from tests.factories import signup
from tests.support import ApiClient, body

LEADS = ("Название сделки;Бюджет;Этап сделки;Источник;utm_source;utm_medium;utm_campaign\n"
         "Пробный: Елена;0;Новая;Сайт;vk;cpc;september_group\n"
         "Пробный: Ирина;0;Новая;Партнёр: школа №5;;;\n")
CONTACTS = ("First name;Last name;Phone;Source;UTM source;UTM campaign\n"
            "Olga;Smirnova;+7 912 111-22-33;Instagram;ig;spring\n")


def test_the_leads_source_and_utm_columns_come_over(client: ApiClient) -> None:
    company = signup(client, company="Английский с Анной", country="RU", timezone="Asia/Yekaterinburg", locale="ru")
    token = company.owner.token
    preview = upload(client, token, LEADS, "deal")
    assert {column: preview["mapping"][column] for column in ("Источник", "utm_source", "utm_campaign")} == {
        "Источник": "source", "utm_source": "utm_source", "utm_campaign": "utm_campaign"}
    done = run(client, token, company.tenant_id, LEADS, "deal")
    assert done["status"] == "done" and done["progress"]["created"] == 2, done["progress"]
    deals = {row["title"]: body(client.get(f"/api/v1/deals/{row['id']}", token=token))["deal"]
             for row in body(client.get("/api/v1/deals", token=token))["items"]}
    assert (deals["Пробный: Елена"]["source"], deals["Пробный: Елена"]["utm"]) == (
        "Сайт", {"source": "vk", "medium": "cpc", "campaign": "september_group"})
    assert (deals["Пробный: Ирина"]["source"], deals["Пробный: Ирина"]["utm"]) == ("Партнёр: школа №5", None)

    done = run(client, token, company.tenant_id, CONTACTS)
    assert done["progress"]["created"] == 1, done["progress"]
    [row] = [row for row in body(client.get("/api/v1/contacts", token=token))["items"] if row["first_name"] == "Olga"]
    olga = body(client.get(f"/api/v1/contacts/{row['id']}", token=token))
    assert (olga["source"], olga["utm"]) == ("Instagram", {"source": "ig", "campaign": "spring"})
