"""Integrations and inbox events of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A form integration given to the agent, with one processed submission; ids by path parameter and secrets."""
    owner, agent = company.owner.token, company.extra["agent"]
    form = body(client.post("/api/v1/integrations", {"type": "form", "name": "Alpha landing form", "settings": {
        "responsible": {"mode": "fixed", "user_ids": [agent.user_id]}}}, token=owner))
    key = form["webhook_url"].rsplit("/", 1)[1]
    posted = client.request("POST", f"/hooks/forms/{key}", body="name=Alphaformlead&email=alpha.lead%40example.com",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert posted.status_code == 200, posted.body
    event_id = body(posted)["event_id"]
    company.extra.update({"form": form, "form_event_id": event_id})
    ids = {"integration_id": form["id"], "event_id": event_id, "key": key}
    secrets = [form["id"], "Alpha landing form", key, form["secret"], event_id, "Alphaformlead",
               "alpha.lead@example.com"]
    return ids, secrets
