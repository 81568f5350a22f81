"""A person's rights over her data: its export (GDPR Art. 15/20) and its erasure (Art. 17, 152-FZ art. 21).

A customer, Anna, is seeded through the real routes and hooks, the domain-event feed delivered: a note, a task, a
deal, consent, a website form's post (a lead deal titled with her name, its call-back task), a telephone call through
the PBX webhook, a WhatsApp message through its webhook, a ticket, an order with an invoice, a campaign delivery, a
segment, an automation rule's notification, run and task, a mention quoting her on the deal and a task on the deal
naming her, given to a colleague. Her export holds each; her erasure removes each (read from the table itself: no
item of the tenant keeps her id or her phone's or e-mail's blind index, and none, its sealed values opened, her
names, e-mails, number or passport, but the kept order's history and its invoice), keeps the invoice and the order,
leaves every other audit chain verifiable, writes a record without personal data, and leaves a second customer,
Boris, as he was.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.core import crypto
from chalicelib.core.tenancy import TenantContext, bind
from chalicelib.dataio import jobs
from tests.dataio.kit import run as import_run
from tests.events.conftest import open_feed
from tests.factories import Company, add_member, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.messaging.kit import APP_SECRET, WHATSAPP, create_line
from tests.messaging.kit import play as play_messages
from tests.seeds.dataio import ensure_bucket
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony
from tests.telephony.kit import play as play_calls
from tests.tenantdata.table import of_tenant
from webhooks.messengers import Chat, whatsapp_message, whatsapp_post
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim

ANNA = {"first_name": "Annabella", "last_name": "Quenneville", "phones": [{"number": "+7 916 111-00-22"}],
        "emails": [{"address": "annabella.q@example.org"}], "passport_number": "4510 123456"}
BORIS = {"first_name": "Borislav", "last_name": "Trenchard", "phones": [{"number": "+7 916 333-44-55"}],
         "emails": [{"address": "borislav.t@example.org"}]}
ANNA_E164, BORIS_E164 = "+79161110022", "+79163334455"


def _made(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(body(response))


class World:
    """A company with Anna's and Boris's histories, and an agent, a manager and another company's owner."""

    def __init__(self, client: ApiClient) -> None:
        self.company: Company = signup(client, company="Erasure Florists")
        self.other: Company = signup(client, company="Other Florists")
        self.agent = add_member(client, self.company, role="agent", name="agent")
        self.manager = add_member(client, self.company, role="manager", name="manager")
        token = self.company.owner.token
        with open_feed() as feed:  # the feed's consumers make notifications, automation runs and timers of it
            self._seed(client, token)
            assert feed.deliver() == {"batchItemFailures": []}

    def _seed(self, client: ApiClient, token: str) -> None:
        _made(client.post("/api/v1/automations", {  # a rule greeting each new contact, and a task to call her
            "name": "Welcome", "trigger": {"type": "record.created", "entity": "contact"},
            "actions": [{"type": "notify", "users": ["owner"]},
                        {"type": "create_task", "title": "Call back {title}", "due_in_minutes": 600}]}, token=token))
        self.firm = _made(client.post("/api/v1/companies", {"name": "Peony Events"}, token=token))
        self.anna = _made(client.post("/api/v1/contacts", {**ANNA, "company_ids": [self.firm["id"]]}, token=token,
                                      headers={"Idempotency-Key": "anna-1"}))
        self.boris = _made(client.post("/api/v1/contacts", BORIS, token=token))
        self.twin = twin = _made(client.post("/api/v1/contacts", {"first_name": "Annabella", "last_name": "Q",
                                                      "emails": [{"address": "a.quenneville@example.net"}]},
                                 token=token))  # her duplicate, merged into her: it lives on hidden, naming her
        merged = client.post(f"/api/v1/contacts/{self.anna['id']}/merge", {
            "other_id": twin["id"], "version": self.anna["version"], "other_version": twin["version"]}, token=token)
        assert merged.status_code == 200, merged.body
        self.deal = _made(client.post("/api/v1/deals", {"title": "Wedding flowers",
                                                        "contact_ids": [self.anna["id"], self.boris["id"]]},
                                      token=token))
        _made(client.post("/api/v1/tasks", {"title": "Call Annabella back",
                                            "related": {"type": "contact", "id": self.anna["id"]}}, token=token))
        _made(client.post("/api/v1/notes", {"subject": {"type": "contact", "id": self.anna["id"]},
                                            "text": "Prefers white peonies"}, token=token))
        _made(client.post("/api/v1/notes", {"subject": {"type": "deal", "id": self.deal["id"]},  # a mention
                                            "text": f"@{self.manager.user_id} Annabella Quenneville wants them "
                                                    "by Friday"}, token=token))
        self.company_task = _made(client.post("/api/v1/tasks", {  # about her company, naming her
            "title": "Send Annabella the Peony Events catalogue",
            "related": {"type": "company", "id": self.firm["id"]}}, token=token))
        _made(client.post("/api/v1/notes", {"subject": {"type": "company", "id": self.firm["id"]},
                                            "text": "Ordered through annabella.q@example.org"}, token=token))
        self.named_task = _made(client.post("/api/v1/tasks", {  # about the deal, naming her: the agent is told
            "title": "Call back Annabella Quenneville (+7 916 111-00-22)", "assignee_id": self.agent.user_id,
            "related": {"type": "deal", "id": self.deal["id"]}}, token=token))
        _made(client.put(f"/api/v1/contacts/{self.anna['id']}/consent", {"email": "granted"}, token=token), 200)
        form = create_form(client, self.company)
        assert post_form(client, form, {"name": "Annabella", "email": ANNA["emails"][0]["address"],  # type: ignore[index]
                                        "message": "A bouquet for Friday"}).status_code == 200
        assert [e["status"] for e in events(client, self.company, form)] == ["processed"]
        line = create_telephony(client, self.company, "pbx", extensions={"101": self.company.owner.user_id})
        for customer in (ANNA_E164, BORIS_E164):
            answers = play_calls(client, line, pbx_sim.requests("answered", line["webhook_url"], key=None,
                                                                secret=line["secret"],
                                                                call=Call(customer=customer, talk_seconds=42)))
            assert {a.status_code for a in answers} == {200}
        missed = play_calls(client, line, pbx_sim.requests("missed", line["webhook_url"], key=None,
                                                           secret=line["secret"], call=Call(customer=ANNA_E164)))
        assert {a.status_code for a in missed} == {200}  # she waits to be called back
        whatsapp = _made(client.post("/api/v1/integrations", {"type": "whatsapp", "name": "Shop WhatsApp",
                                                              "settings": WHATSAPP}, token=token))
        chat = Chat(customer=ANNA_E164, name="Annabella Q")
        asked = whatsapp_message(chat, 1, "text", {"body": "Are peonies in?"})
        [answer] = play_messages(client, [whatsapp_post(whatsapp["webhook_url"], APP_SECRET, asked)])
        assert answer.status_code == 200, answer.body
        telegram = create_line(client, self.company, "telegram")  # a deep link to bind her chat, never followed
        _made(client.post(f"/api/v1/contacts/{self.anna['id']}/telegram-link", {"integration_id": telegram["id"]},
                          token=token), 200)
        _made(client.post("/api/v1/tickets", {"subject": "Wilted roses", "contact_id": self.anna["id"]}, token=token))
        trashed = _made(client.post("/api/v1/tickets", {"subject": "Wrong address", "contact_id": self.anna["id"]},
                                    token=token))  # in the trash, it still names her
        assert client.delete(f"/api/v1/tickets/{trashed['id']}", token=token).status_code in (200, 204)
        self.order = _made(client.post("/api/v1/orders", {
            "currency": "EUR", "contact_id": self.anna["id"],
            "lines": [{"description": "Peony bouquet", "quantity": "1", "unit_price_minor": 4500, "tax_rate": "19"}],
            "shipping": {"address": {"line1": "Rosenweg 3", "city": "Bonn"}}}, token=token))
        confirmed = client.post(f"/api/v1/orders/{self.order['id']}/status",
                                {"status": "confirmed", "version": self.order["version"]}, token=token)
        assert confirmed.status_code == 200, confirmed.body
        self.invoice = _made(client.post(f"/api/v1/orders/{self.order['id']}/documents", {"type": "invoice"},
                                         token=token))
        ensure_bucket()  # a file with her row imported again: the import keeps her as a duplicate
        imported = import_run(client, token, self.company.tenant_id,
                              "Name,Email\nAnnabella Quenneville,annabella.q@example.org\nNew Person,new@example.org\n")
        assert imported["progress"]["duplicates"] == 1, imported["progress"]
        self.export = _made(client.post("/api/v1/exports", {"entity": "contact", "format": "csv",
                                                            "filters": {"q": "Annabella"}}, token=token), 202)
        while self.export["status"] != "done":  # a contacts file listing her, made before her erasure
            jobs.run_job("export", self.company.tenant_id, self.export["id"], seconds=30.0)
            self.export = _made(client.get(f"/api/v1/exports/{self.export['id']}", token=token), 200)


@pytest.fixture(scope="module")
def world(app: Any) -> World:
    return World(ApiClient(app))


def _export(client: ApiClient, world: World, contact_id: str) -> dict[str, Any]:
    return _made(client.get(f"/api/v1/contacts/{contact_id}/personal-data", token=world.company.owner.token), 200)


def test_the_export_holds_each_kind_of_her_data(client: ApiClient, world: World) -> None:
    data = _export(client, world, world.anna["id"])
    assert data["contact"]["first_name"] == "Annabella"
    assert data["contact"]["passport_number"] == "4510 123456"  # her sensitive value, in clear
    assert data["contact"]["emails"][0]["address"] == "annabella.q@example.org"
    call, missed = sorted(data["calls"], key=lambda c: c["status"])
    assert (call["direction"], call["duration_seconds"], call["customer_number"]) == ("inbound", 42, ANNA_E164)
    assert missed["status"] == "missed"
    [conversation] = data["conversations"]
    assert conversation["channel"] == "whatsapp"
    assert [m["text"] for m in conversation["conversation_message"]] == ["Are peonies in?"]
    [order] = data["orders"]
    assert order["total_minor"] > 0
    assert [d["number"] for d in data["documents"]] == [world.invoice["number"]]
    assert sorted(ticket["subject"] for ticket in data["tickets"]) == ["Wilted roses", "Wrong address"]
    assert {"Call Annabella back", world.named_task["title"], world.company_task["title"]} \
        <= {task["title"] for task in data["tasks"]}
    assert {"automation", "message.received", "task.assigned"} <= {n["type"] for n in data["notifications"]}
    assert {run["subject_id"] for run in data["automation_runs"]} == {world.anna["id"], world.twin["id"]}
    assert {"task.reminder", "ticket.first_response"} <= {timer["timer_kind"] for timer in data["timers"]}
    assert "Wedding flowers" in [deal["name"] for deal in data["deals"]]
    kinds = {entry["entry_kind"] for entry in data["timeline"]}
    assert {"note", "form_submission", "call"} <= kinds, kinds
    assert data["consent"][0]["channels"]["email"]["status"] == "granted"
    assert any(e["integration_type"] == "form" for e in data["form_and_provider_deliveries"])
    assert {r["action"] for r in data["audit_history"]} >= {"create"}
    assert "Borislav" not in json.dumps(data["contact"])


def test_the_export_is_recorded_as_a_clear_read(client: ApiClient, world: World) -> None:
    _export(client, world, world.boris["id"])
    reads = _export(client, world, world.boris["id"])["sensitive_reads"]
    assert "personal_data_export" in {read["field"] for read in reads}


def test_only_administrators_export_or_erase(client: ApiClient, world: World) -> None:
    for member in (world.agent, world.manager):
        refused = client.get(f"/api/v1/contacts/{world.anna['id']}/personal-data", token=member.token)
        assert refused.status_code == 403, refused.body
        assert body(refused)["error"]["code"] == "personal_data_admin_only"
        refused = client.post(f"/api/v1/contacts/{world.anna['id']}/erase", {"confirm": True}, token=member.token)
        assert refused.status_code == 403
        assert body(refused)["error"]["code"] == "personal_data_admin_only"


@pytest.mark.parametrize("rule", ["contacts.phones:hidden", None])
def test_a_role_kept_from_some_of_her_fields_does_not_export_them(app: Any, client: ApiClient, world: World,
                                                                   rule: str | None) -> None:
    """A custom role may purge every contact yet be kept from phones by a field rule, or see sensitive values only
    masked: the export would have given it all of them in clear."""
    key = "purger_" + ("rule" if rule else "masked")
    grants = ["contacts:read:all", "contacts:update:all", "contacts:delete:all"]
    made = client.post("/api/v1/roles", {"key": key, "name": key.title(), "permissions": [
        *grants, *([rule, "sensitive:read:all"] if rule else [])]}, token=world.company.owner.token)
    assert made.status_code == 201, made.body
    member = add_member(ApiClient(app), world.company, role=key, name=key)
    refused = client.get(f"/api/v1/contacts/{world.anna['id']}/personal-data", token=member.token)
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "personal_data_fields_hidden"
    assert world.anna["phones"][0]["number"] not in refused.body.decode()


def test_another_company_finds_no_such_person(client: ApiClient, world: World) -> None:
    token = world.other.owner.token
    assert client.get(f"/api/v1/contacts/{world.anna['id']}/personal-data", token=token).status_code == 404
    assert client.post(f"/api/v1/contacts/{world.anna['id']}/erase", {"confirm": True},
                       token=token).status_code == 404


def test_erasure_needs_its_confirmation(client: ApiClient, world: World) -> None:
    token = world.company.owner.token
    for sent in ({}, {"confirm": False}, {"confirm": "yes"}):
        assert client.post(f"/api/v1/contacts/{world.anna['id']}/erase", sent, token=token).status_code == 422
    assert client.get(f"/api/v1/contacts/{world.anna['id']}", token=token).status_code == 200


def _blind_keys(world: World, e164: str, email: str) -> list[str]:
    ctx = TenantContext(tenant_id=world.company.tenant_id)
    with bind(ctx):
        return [crypto.blind_key(ctx, kind="phone", value=e164), crypto.blind_key(ctx, kind="email", value=email)]


def _recordings(world: World) -> list[str]:
    """What the company keeps in the bucket of kept files (call recordings, documents' PDFs), every version."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    found = aws.client("s3").list_object_versions(Bucket=settings.recordings_bucket,
                                                  Prefix=f"tenants/{world.company.tenant_id}/")
    return [v["Key"] for v in found.get("Versions", [])]


def _anchor(world: World, *entities: tuple[str, str]) -> None:
    """Expire every record of these chains so far (the retention's job): each chain then starts from its anchor."""
    from datetime import UTC, datetime

    from chalicelib.housekeeping import retention

    ctx = TenantContext(tenant_id=world.company.tenant_id)
    with bind(ctx):
        for entity, entity_id in entities:
            assert retention.expire_chain(ctx, entity=entity, entity_id=entity_id, cutoff=datetime.now(UTC)) > 0


def _exported_files(world: World) -> list[str]:
    """The company's export files (every version)."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    found = aws.client("s3").list_object_versions(Bucket=settings.export_bucket,
                                                  Prefix=f"exports/{world.company.tenant_id}/")
    return [v["Key"] for v in found.get("Versions", [])]


# What of her an item may hold, in clear or sealed: her names, her e-mails, her number as typed, stored and read.
HER_VALUES = ("annabella", "quenneville", "annabella.q@example.org", "a.quenneville@example.net", ANNA_E164,
              "9161110022", "916 111-00-22", "916 111 00 22", "4510 123456")


def _opened(world: World, item: dict[str, Any]) -> str:
    """An item as its values, its sealed ones opened (as the export opens them), folded, for a search."""
    from chalicelib.core import db
    from chalicelib.tenantdata import archive

    ctx = TenantContext(tenant_id=world.company.tenant_id)
    with bind(ctx):  # the registry's sealed values (custom fields, snapshots), then the item's personal token
        opened = db.open_personal(archive.open_item(ctx, item)[0])
    return json.dumps(opened, default=str, ensure_ascii=False).casefold()


def _assert_nothing_names(world: World, items: dict[Any, dict[str, Any]], erasures: set[Any]) -> None:
    """No item of the tenant holds her name, e-mail, number or passport, in clear or sealed."""
    naming = []
    for key, item in items.items():
        if key in erasures:
            continue
        said = _opened(world, item)
        found = [value for value in (*HER_VALUES, world.anna["id"], world.twin["id"]) if value.casefold() in said]
        if found:
            naming.append((key, item.get("kind", {}).get("S"), found))
    assert naming == [], "\n".join(map(str, naming))


def test_erasure_removes_her_and_keeps_what_the_law_requires(client: ApiClient, world: World) -> None:
    token, anna_id, boris_id = world.company.owner.token, world.anna["id"], world.boris["id"]
    _anchor(world, ("contact", anna_id), ("deal", world.deal["id"]))  # chains whose oldest records expired
    boris_before = _export(client, world, boris_id)
    recordings_before = _recordings(world)
    assert any(key.endswith(".csv") for key in _exported_files(world))
    with open_feed() as feed:  # what the domain-event feed's consumers then do must not bring her back
        erased = _made(client.post(f"/api/v1/contacts/{anna_id}/erase", {"confirm": True}, token=token), 200)
        assert feed.deliver() == {"batchItemFailures": []}
    assert erased["contact_id"] == anna_id and erased["removed"]["telegram_links"] == 1
    assert erased["removed"]["replay_answers"] == 1  # her creation's answer, kept for a replay, repeated her data
    assert erased["removed"]["export_filters"] == 1  # the export searched her name
    assert erased["removed"]["contacts"] == 2 and erased["removed"]["calls"] == 2  # she and her merged twin
    assert erased["removed"]["conversations"] == 1 and erased["removed"]["tickets"] == 2
    assert {part["what"] for part in erased["kept"]} == {"orders", "documents", "deals"}
    # the bell (her creation, her missed call and message, the mention quoting her, the task naming her), the rules'
    # runs about her and her twin, their timers and the tasks' reminders, the lead deal's title of her name
    assert erased["removed"]["notifications"] >= 4 and erased["removed"]["automation_runs"] == 2
    assert erased["removed"]["timers"] >= 2 and erased["removed"]["deal_titles"] == 1

    items = of_tenant(world.company.tenant_id)
    blinds = [*_blind_keys(world, ANNA_E164, "annabella.q@example.org"),
              *_blind_keys(world, ANNA_E164, "a.quenneville@example.net")]  # her twin's address too
    erasures = {key for key, item in items.items() if item.get("kind", {}).get("S") == "erasure"
                or key[0].endswith(f"#AUDIT#erasure#{erased['erasure_id']}")}
    for key, item in items.items():
        if key in erasures:
            continue
        said = json.dumps(item, default=str)
        assert anna_id not in said, (key, item.get("kind"))
        assert not any(blind in said for blind in blinds), key

    kept = {key for key in items if key[0].endswith((f"#AUDIT#order#{world.order['id']}",  # the law keeps them
                                                      f"#DOC#{world.invoice['id']}"))}
    _assert_nothing_names(world, items, erasures | kept)

    [job] = _made(client.get("/api/v1/imports", token=token), 200)["items"]  # its counts stay, her row went
    job = _made(client.get(f"/api/v1/imports/{job['id']}", token=token), 200)
    assert (job["preview"]["duplicates"], job["preview"]["duplicate_rows"], job["progress"]["duplicate_rows"]) \
        == (1, [], [])
    recordings_after = _recordings(world)  # her call's recording went, his stayed, and so did her invoice's PDF
    assert [len([k for k in keys if "/calls/" in k]) for keys in (recordings_before, recordings_after)] == [2, 1]
    assert [k for k in recordings_after if "/documents/" in k] == [k for k in recordings_before if "/documents/" in k]
    assert _exported_files(world) == []  # the file that listed her went; the job stays, audited (who exported what)
    assert _made(client.get(f"/api/v1/exports/{world.export['id']}", token=token), 200)["status"] == "done"
    order = _made(client.get(f"/api/v1/orders/{world.order['id']}", token=token), 200)
    assert order["contact_id"] is None and order["totals"]["total_minor"] > 0
    assert _made(client.get(f"/api/v1/documents/{world.invoice['id']}", token=token), 200)["number"] \
        == world.invoice["number"]
    deal = _made(client.get(f"/api/v1/deals/{world.deal['id']}", token=token), 200)
    assert [c["id"] for c in deal["contacts"]] == [boris_id]

    [record] = [item for key, item in items.items() if item.get("kind", {}).get("S") == "erasure"]
    for value in ("Annabella", "Quenneville", "annabella", "9161110022", "4510 123456", "peonies"):
        assert value not in json.dumps(record, default=str)

    cursor: str | None = ""
    while cursor is not None:  # every chain of the trail, page by page
        verified = _made(client.get(f"/api/v1/audit/verify?limit=50{cursor}", token=token), 200)
        assert verified["ok"] is True, [c for c in verified["chains"] if not c["ok"] or c["head_ok"] is False]
        cursor = f"&cursor={verified['next_cursor']}" if verified["next_cursor"] else None
    boris_chain = _made(client.get(f"/api/v1/audit/verify?entity=contact&entity_id={boris_id}", token=token), 200)
    assert boris_chain["ok"] is True
    deal_chain = _made(client.get(f"/api/v1/audit/verify?entity=deal&entity_id={world.deal['id']}", token=token), 200)
    assert deal_chain["ok"] is True and deal_chain["chains"][0]["anchor"] is not None  # from its anchor, detached

    boris_after = _export(client, world, boris_id)  # the other customer is as he was, but for the task naming her
    assert [link["ref_id"] for link in boris_before["links"] if link not in boris_after["links"]] \
        == [world.named_task["id"]]
    boris_before["links"] = [link for link in boris_before["links"] if link["ref_id"] != world.named_task["id"]]
    for section in ("contact", "calls", "timeline", "links", "audit_history"):
        for found in (boris_before, boris_after):  # a recording's link is signed anew at each read
            found[section] = [{k: v for k, v in e.items() if k != "recording"} for e in found[section]] \
                if isinstance(found[section], list) else found[section]
        assert boris_after[section] == boris_before[section], section
    assert [deal["name"] for deal in boris_after["deals"]] == ["Wedding flowers"]
    assert len(boris_after["calls"]) == 1

    for task in (world.named_task, world.company_task):
        assert client.get(f"/api/v1/tasks/{task['id']}", token=token).status_code == 404
    assert _made(client.get(f"/api/v1/companies/{world.firm['id']}", token=token), 200)["name"] == "Peony Events"
    titles = [deal["title"] for deal in _made(client.get("/api/v1/deals", token=token), 200)["items"]]
    assert len(titles) == 2 and not any("Annabella" in title for title in titles), titles  # the lead's deal stays

    again = client.post(f"/api/v1/contacts/{anna_id}/erase", {"confirm": True}, token=token)
    assert again.status_code == 404
    assert client.get(f"/api/v1/contacts/{anna_id}/personal-data", token=token).status_code == 404


def test_a_lambda_that_loaded_no_messaging_route_still_opens_conversations() -> None:
    """The tenant-data catalogue alone declares where conversations and messages keep sealed values: the export of a
    person (or of a company) runs in a Lambda that may have loaded no messaging route."""
    import subprocess
    import sys

    probe = ("from chalicelib.tenantdata import registry, walk\n"
             "assert registry.sealed('conversation') and registry.sealed('conversation_message')\n"
             "import sys; assert 'chalicelib.messaging.routes' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_a_person_in_the_trash_is_erased_too(client: ApiClient, world: World) -> None:
    token = world.company.owner.token
    carla = _made(client.post("/api/v1/contacts", {"first_name": "Carlotta",
                                                   "phones": [{"number": "+7 916 555-66-77"}]}, token=token))
    assert client.delete(f"/api/v1/contacts/{carla['id']}", token=token).status_code in (200, 204)
    erased = _made(client.post(f"/api/v1/contacts/{carla['id']}/erase", {"confirm": True}, token=token), 200)
    assert erased["removed"]["contacts"] == 1 and erased["kept"] == []
    assert client.delete(f"/api/v1/trash/contacts/{carla['id']}", token=token).status_code == 404
    holders = [item["kind"]["S"] for item in of_tenant(world.company.tenant_id).values()
               if carla["id"] in json.dumps(item, default=str)]
    assert holders == ["erasure"]  # her id stays in the erasure record alone
