"""Segments of tenant A for the cross-tenant matrix."""

from __future__ import annotations

from tests.factories import Company
from tests.support import ApiClient, body


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """A segment by a tag of tenant A's; return ids by path parameter and secrets."""
    segment = body(client.post("/api/v1/segments", {"name": "Alpha secret segment", "conditions": [
        {"type": "tag_has", "value": "alphasegmenttag"}]}, token=company.owner.token))
    return {"segment_id": segment["id"]}, [segment["id"], "Alpha secret segment", "alphasegmenttag"]
