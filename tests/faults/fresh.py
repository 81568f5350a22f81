"""Fresh records of tenant A for the fault suite, and the request shape it sends (Call).

Every case makes the records it acts on, so no case depends on another's leftovers or order.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ulid import ULID

from chalicelib.records import types
from tests.factories import Member, add_member, unique_email
from tests.records.samples import SAMPLES
from tests.security.test_cross_tenant import World
from tests.support import ApiClient, HTTPResponse, body


def unique_key(prefix: str) -> str:
    """A key (role, custom field) no other case uses: the random end of a ULID."""
    return f"{prefix}{str(ULID()).lower()[-10:]}"


@dataclass
class Call:
    """One request, sent as many times as the case needs."""

    method: str
    path: str
    token: str | None
    json_body: Any = None
    raw: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, client: ApiClient) -> HTTPResponse:
        """Send the request (the same one every time)."""
        if self.raw is not None:
            return client.request(self.method, self.path, body=self.raw, headers=self.headers, token=self.token)
        return client.request(self.method, self.path, json_body=self.json_body if self.json_body is not None else {},
                              headers=self.headers, token=self.token)


class Fresh:
    """Makes new records of tenant A for one case, through the API as its owner."""

    def __init__(self, client: ApiClient, world: World) -> None:
        self.client, self.world = client, world
        self.owner = world.a.owner.token

    def post(self, path: str, payload: Any = None, token: str | None = None) -> dict[str, Any]:
        """POST as the owner (or token) and return the created record; the setup must succeed."""
        response = self.client.post(path, payload if payload is not None else {}, token=token or self.owner)
        assert response.status_code in (200, 201, 202), (path, response.body)
        return dict(body(response))

    def get(self, path: str, token: str | None = None) -> dict[str, Any]:
        """GET as the owner and return the record."""
        response = self.client.get(path, token=token or self.owner)
        assert response.status_code == 200, (path, response.body)
        return dict(body(response))

    def record(self, param: str) -> dict[str, Any]:
        """A new record for a path parameter (its id is the parameter's value)."""
        return MAKERS[param](self)

    def member(self, role: str = "agent") -> Member:
        """A new signed-in member of tenant A."""
        return add_member(self.client, self.world.a, role=role, name="faultmember")

    def user(self) -> dict[str, Any]:
        """A new active member of tenant A, as the user resource."""
        return self.get(f"/api/v1/users/{self.member().user_id}")

    def contact(self) -> dict[str, Any]:
        """A new contact with an e-mail address and a sealed value (so answers and merges meet KMS)."""
        return self.post("/api/v1/contacts", {"first_name": "Faulty", "emails": [{"address": unique_email("c")}],
                                              "iban": "DE89 3704 0044 0532 0130 00"})

    def deal(self) -> dict[str, Any]:
        """A new deal in the pipeline of the seed."""
        return self.post("/api/v1/deals", {"title": "Faulty deal", "pipeline_id": self.world.a.extra["pipeline"]["id"]})

    def deleted(self, collection: str) -> dict[str, Any]:
        """A record of collection (a record type's plural) moved to the trash."""
        rtype = types.by_plural(collection)
        assert rtype is not None, collection
        made = self.record(f"{rtype.name}_id")
        response = self.client.delete(f"/api/v1/{collection}/{made['id']}", token=self.owner)
        assert response.status_code in (200, 204), response.body
        return made

    def form_event(self, integration: dict[str, Any]) -> dict[str, Any]:
        """A submission of a fresh form, stored in its inbox."""
        key = integration["webhook_url"].rsplit("/", 1)[1]
        posted = self.client.request("POST", f"/hooks/forms/{key}", body=f"name=Lead&email={unique_email('l')}",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert posted.status_code == 200, posted.body
        return {"id": body(posted)["event_id"]}

    def integration(self) -> dict[str, Any]:
        """A new active form integration."""
        return self.post("/api/v1/integrations", {"type": "form", "name": "Faulty form"})

    def import_preview(self) -> dict[str, Any]:
        """An import uploaded and left in preview."""
        content = base64.b64encode(f"Name,Email\nImportee,{unique_email('i')}\n".encode()).decode()
        return self.post("/api/v1/imports", {"entity": "contact", "filename": "faulty.csv",
                                             "content_base64": content})

    def audit(self) -> dict[str, Any]:
        """The audit record of a team rename (a change that can be reverted)."""
        team = self.post("/api/v1/teams", {"name": "Before revert"})
        renamed = self.client.patch(f"/api/v1/teams/{team['id']}", {"name": "After revert",
                                                                    "version": team["version"]}, token=self.owner)
        assert renamed.status_code == 200, renamed.body
        trail = self.get(f"/api/v1/audit?entity=team&entity_id={team['id']}")
        return dict(trail["items"][0])

    def role(self) -> dict[str, Any]:
        """A new custom role; its key is its id in paths."""
        made = self.post("/api/v1/roles", {"key": unique_key("r"), "name": "Faulty role",
                                           "permissions": ["users:read:all"]})
        return {**made, "id": made["key"]}

    def merge(self) -> dict[str, Any]:
        """A merge of two fresh contacts (one that can be undone)."""
        kept, other = self.contact(), self.contact()
        merged = self.post(f"/api/v1/contacts/{kept['id']}/merge", {"other_id": other["id"], "version": kept["version"],
                                                                    "other_version": other["version"]})
        return {"id": merged["merge_id"]}


def _record_maker(name: str, plural: str) -> Callable[[Fresh], dict[str, Any]]:
    return lambda fresh: SAMPLES[name].made(fresh.client, fresh.owner, plural)


MAKERS: dict[str, Callable[[Fresh], dict[str, Any]]] = {
    **{f"{t.name}_id": _record_maker(t.name, t.plural) for t in types.all_types() if t.name in SAMPLES},
    "contact_id": Fresh.contact,
    "deal_id": Fresh.deal,
    "task_id": lambda f: f.post("/api/v1/tasks", {"title": "Faulty task"}),
    "note_id": lambda f: f.post("/api/v1/notes", {"subject": {"type": "deal", "id": f.deal()["id"]},
                                                  "text": "Faulty note"}),
    "team_id": lambda f: f.post("/api/v1/teams", {"name": "Faulty team"}),
    "role_key": Fresh.role,
    "key_id": lambda f: f.post("/api/v1/api-keys", {"name": "Faulty key", "permissions": ["users:read:all"]}),
    "field_id": lambda f: f.post("/api/v1/custom-fields", {"entity": "contact", "key": unique_key("f"),
                                                           "label": "Faulty field", "type": "text"}),
    "pipeline_id": lambda f: f.post("/api/v1/pipelines", {"name": "Faulty pipeline"}),
    "user_id": Fresh.user,
    "integration_id": Fresh.integration,
    "import_id": Fresh.import_preview,
    "merge_id": Fresh.merge,
    "audit_id": Fresh.audit,
}
