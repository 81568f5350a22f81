"""The trail offers Revert (``revertable``) on exactly the records a revert may undo: a deal's change that touched a
sensitive custom value, a record a contact merge repointed, a custom field's fixed settings and an integration's
key or creation are refused whatever the state, and say so in the list; a pipeline's removed stage comes back."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import audit
from chalicelib.core.tenancy import bind
from chalicelib.identity.service import system_context
from tests.factories import Company, signup
from tests.integrations.helpers import create_form
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return signup(ApiClient(app), company="Revert Offered Ltd")


def newest(client: ApiClient, company: Company, entity: str, entity_id: str) -> dict[str, Any]:
    found = body(client.get(f"/api/v1/audit?entity={entity}&entity_id={entity_id}", token=company.owner.token))
    return dict(found["items"][0])


def refused(client: ApiClient, company: Company, record: dict[str, Any]) -> str:
    """The reason a revert of the record answers (forced: the refusal comes before "changed since")."""
    answer = client.post(f"/api/v1/audit/{record['id']}/revert", {"force": True}, token=company.owner.token)
    assert answer.status_code == 409 and body(answer)["error"]["code"] == "not_revertable", answer.body
    return str(body(answer)["error"]["message"])


def test_a_deal_change_touching_a_sensitive_custom_value_is_not_offered(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    made = client.post("/api/v1/custom-fields", {"entity": "deal", "key": "secret_terms", "label": "Terms",
                                                 "type": "text", "sensitive": True}, token=owner)
    assert made.status_code == 201, made.body
    deal = body(client.post("/api/v1/deals", {"title": "Sealed", "custom": {"secret_terms": "net 90"}}, token=owner))
    plain = body(client.patch(f"/api/v1/deals/{deal['id']}", {"title": "Sealed 2", "version": deal["version"]},
                              token=owner))
    assert newest(client, company, "deal", deal["id"])["revertable"] is True  # the title alone can go back
    client.patch(f"/api/v1/deals/{deal['id']}", {"custom": {"secret_terms": "net 30"}, "version": plain["version"]},
                 token=owner)
    sealed = newest(client, company, "deal", deal["id"])
    assert sealed["revertable"] is False
    assert "sensitive custom value" in refused(client, company, sealed)


def test_a_record_a_contact_merge_repointed_is_not_offered(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    kept = body(client.post("/api/v1/contacts", {"first_name": "Kept"}, token=owner))
    other = body(client.post("/api/v1/contacts", {"first_name": "Absorbed"}, token=owner))
    deal = body(client.post("/api/v1/deals", {"title": "Repointed", "contact_ids": [other["id"]]}, token=owner))
    merged = client.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": other["id"], "version": kept["version"],
                                                                   "other_version": other["version"]}, token=owner)
    assert merged.status_code == 200, merged.body
    repointed = newest(client, company, "deal", deal["id"])
    assert repointed["action"] == "contact_merge" and repointed["revertable"] is False
    assert "undo" in refused(client, company, repointed)
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=owner))["deal"]["contact_ids"] == [kept["id"]]


def test_a_removed_stage_comes_back_under_its_id(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    pipeline = body(client.post("/api/v1/pipelines", {"name": "Shrinking"}, token=owner))
    removed = pipeline["stages"][1]
    kept = [{"id": st["id"], "name": st["name"], "kind": st["kind"]} for st in pipeline["stages"] if st != removed]
    changed = client.patch(f"/api/v1/pipelines/{pipeline['id']}", {"stages": kept, "version": pipeline["version"]},
                           token=owner)
    assert changed.status_code == 200, changed.body
    removal = newest(client, company, "pipeline", pipeline["id"])
    assert removal["revertable"] is True
    reverted = client.post(f"/api/v1/audit/{removal['id']}/revert", {}, token=owner)
    assert reverted.status_code == 200, reverted.body
    stages = body(client.get(f"/api/v1/pipelines/{pipeline['id']}", token=owner))["stages"]
    assert [(st["id"], st["name"]) for st in stages] == [(st["id"], st["name"]) for st in pipeline["stages"]]


def test_a_custom_field_s_fixed_settings_are_not_offered(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    field = body(client.post("/api/v1/custom-fields", {"entity": "contact", "key": "shoe_size", "label": "Shoe",
                                                       "type": "text"}, token=owner))
    client.patch(f"/api/v1/custom-fields/{field['id']}", {"label": "Shoe size", "version": field["version"]},
                 token=owner)
    assert newest(client, company, "custom_field", field["id"])["revertable"] is True
    ctx = system_context(company.tenant_id, actor_id=company.owner.user_id)
    with bind(ctx):  # no route changes a type: a record that says it did (imported, or written before) is refused
        record = audit.chain_records(ctx, "custom_field", field["id"])[-1]  # the edit, oldest first
        record.changes = {"field_type": {"before": "number", "after": "text"}}
        record.save()
    retyped = newest(client, company, "custom_field", field["id"])
    assert retyped["revertable"] is False
    assert "never change" in refused(client, company, retyped)


def test_an_integration_s_creation_and_key_are_not_offered(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, name="Offered form")
    created = newest(client, company, "integration", form["id"])
    assert created["revertable"] is False
    assert "rotated again" in refused(client, company, created)
    client.patch(f"/api/v1/integrations/{form['id']}", {"name": "Renamed", "version": form["version"]},
                 token=company.owner.token)
    assert newest(client, company, "integration", form["id"])["revertable"] is True


def test_the_default_pipeline_s_creation_is_not_offered(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    default = next(p for p in body(client.get("/api/v1/pipelines", token=owner))["items"] if p["is_default"])
    creation = newest(client, company, "pipeline", default["id"])
    assert creation["action"] == "create" and creation["revertable"] is False
    assert refused(client, company, creation) == "The default pipeline cannot be deleted."
    other = body(client.post("/api/v1/pipelines", {"name": "Another"}, token=owner))
    assert newest(client, company, "pipeline", other["id"])["revertable"] is True  # any other one is deleted


def test_a_ticket_s_status_change_is_not_offered(client: ApiClient, company: Company) -> None:
    owner = company.owner.token
    ticket = body(client.post("/api/v1/tickets", {"subject": "Wilted roses"}, token=owner))
    edited = client.patch(f"/api/v1/tickets/{ticket['id']}", {"subject": "Wilted roses again",
                                                               "version": ticket["version"]}, token=owner)
    assert edited.status_code == 200, edited.body
    assert newest(client, company, "ticket", ticket["id"])["revertable"] is True  # its subject goes back
    moved = client.post(f"/api/v1/tickets/{ticket['id']}/status", {"status": "resolved",
                                                                    "version": body(edited)["version"]}, token=owner)
    assert moved.status_code == 200, moved.body
    resolved = newest(client, company, "ticket", ticket["id"])
    assert resolved["revertable"] is False, resolved["changes"]
    assert "ticket itself" in refused(client, company, resolved)
