"""A customer who wrote to an Almaty shop on WhatsApp and to its Telegram bot is two contacts until a manager
merges them: the one kept has both messengers, and her Telegram username still finds her."""

from __future__ import annotations

from typing import Any

from chalicelib.contacts import service
from chalicelib.core import tenancy
from tests.contacts.helpers import card, context, new_contact
from tests.factories import signup
from tests.support import ApiClient, body


def test_the_kept_contact_keeps_the_other_s_telegram_beside_its_whatsapp(app: Any) -> None:
    # The kept contact (from WhatsApp) had a messenger already, so the other's Telegram username was dropped:
    # the card no longer said @asel_k, and a form naming her username found nobody.
    client = ApiClient(app)
    shop = signup(client, company="Алма Декор Дубли", locale="ru", country="KZ", timezone="Asia/Almaty")
    token = shop.owner.token
    kept = new_contact(client, token, first_name="Әсел", last_name="Қайратқызы",
                       phones=[{"number": "8 701 123 45 67"}], messengers={"whatsapp": "+77011234567"})
    other = new_contact(client, token, first_name="Әсел", last_name="Қайратқызы",
                        messengers={"telegram_id": "5550101", "telegram_username": "asel_k"})
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": other["id"], "version": kept["version"], "other_version": other["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    assert body(merged)["contact"]["messengers"] == {"whatsapp": "+77011234567", "telegram_id": "5550101",
                                                     "telegram_username": "asel_k"}
    assert card(client, token, kept["id"])["messengers"]["telegram_username"] == "asel_k"
    with tenancy.bind(ctx := context(shop)):
        found = service.find_by_telegram(ctx, "asel_k")
    assert found is not None and found.contact_id == kept["id"]


def test_the_kept_contact_s_own_messengers_win(app: Any) -> None:
    client = ApiClient(app)
    shop = signup(client, company="Алма Декор Дубли 2", locale="ru", country="KZ", timezone="Asia/Almaty")
    token = shop.owner.token
    kept = new_contact(client, token, first_name="Ерлан", messengers={"whatsapp": "+77477654321"})
    other = new_contact(client, token, first_name="Ерлан", messengers={"whatsapp": "+77010000001",
                                                                        "telegram_username": "erlan_a"})
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": other["id"], "version": kept["version"], "other_version": other["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    assert body(merged)["contact"]["messengers"] == {"whatsapp": "+77477654321", "telegram_username": "erlan_a"}
