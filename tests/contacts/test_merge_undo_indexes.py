"""An undone merge gives both contacts back with every lookup their values give now, not only those their copies
from the merge's time held: a contact saved before Telegram usernames were indexed, merged away and given its index
by the hourly pass while in the trash, came back from the undo without it (her next message to the bot made a
second contact and a lead), and the contact kept lost the index the pass had given it too."""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.contacts import derived, profile, service
from chalicelib.contacts.models import Contact, ContactLookup
from chalicelib.core import db, tenancy
from chalicelib.housekeeping import telegram_index
from chalicelib.housekeeping.models import TenantPass
from tests.billing import helpers
from tests.contacts.helpers import context, listed
from tests.factories import signup
from tests.support import ApiClient, body


def _saved_before(client: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch, **fields: Any) -> dict[str, Any]:
    """A contact saved as the code before the Telegram index wrote it (no blind index, no lookup)."""
    with monkeypatch.context() as patched:
        patched.setattr(profile, "index_telegram", lambda ctx, contact: None)
        made = client.post("/api/v1/contacts", fields, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _blind(ctx: tenancy.TenantContext, contact_id: str) -> dict[str, str]:
    found = db.get(ctx, Contact, derived.contact_pk(ctx, contact_id), derived.PROFILE_SK)
    assert found is not None
    return dict(found.blind or {})


def test_an_undone_merge_gives_back_the_index_the_pass_gave_meanwhile(app: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    client = ApiClient(app)
    shop = signup(client, company="Алма Декор Отмена", locale="ru", country="KZ", timezone="Asia/Almaty")
    token = shop.owner.token
    kept = _saved_before(client, token, monkeypatch, first_name="Әсел", phones=[{"number": "+77011234567"}],
                         messengers={"telegram_username": "asel_shop"})
    other = _saved_before(client, token, monkeypatch, first_name="Гүлнұр", last_name="Сейіт",
                          phones=[{"number": "+77017654321"}], emails=[{"address": "gulnur@example.kz"}],
                          messengers={"telegram_username": "gulnur_s"}, tax_id="123456789012")
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {
        "other_id": other["id"], "version": kept["version"], "other_version": other["version"]}, token=token)
    assert merged.status_code == 200, merged.body
    # The pass walks the live contacts and the trash: both get their index (the version stays).
    tenant = helpers.tenant(shop)
    TenantPass(telegram_index.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()
    assert telegram_index.run(deadline=time.monotonic() + 600) >= 1

    undone = client.post(f"/api/v1/merges/{body(merged)['merge_id']}/undo", token=token)
    assert undone.status_code == 200, undone.body

    with tenancy.bind(ctx := context(shop)):
        her = service.find_by_telegram(ctx, "gulnur_s")  # her next message to the bot finds her
        assert her is not None and her.contact_id == other["id"]
        kept_again = service.find_by_telegram(ctx, "@Asel_Shop")
        assert kept_again is not None and kept_again.contact_id == kept["id"]
        by_phone = service.find_by_phone(ctx, "+77017654321")  # her call finds her
        assert by_phone is not None and by_phone.contact_id == other["id"]
        by_email = service.find_by_email(ctx, "gulnur@example.kz")
        assert by_email is not None and by_email.contact_id == other["id"]
        blind = _blind(ctx, other["id"])
        assert blind[profile.TELEGRAM] == profile.telegram_digest(ctx, "gulnur_s") and "tax_id" in blind
        found = ContactLookup.query(derived.blind_key(ctx, "tax_id", blind["tax_id"]))
        assert [item.contact_id for item in found] == [other["id"]]
        assert profile.TELEGRAM in _blind(ctx, kept["id"])
    # a search finds her, the Kazakh spelling and as a Russian keyboard types it
    assert other["id"] in listed(client, token, "?q=Гүлнұр")
    assert other["id"] in listed(client, token, "?q=гулнур")
    assert other["id"] in listed(client, token, "?q=4321")  # the tail of her number
