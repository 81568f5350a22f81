"""What the import tests do over and over: upload a file for its preview, run an import to its end, and give a
member the full name a file's "responsible person" column names."""

from __future__ import annotations

import base64
from typing import Any

from chalicelib.dataio import jobs
from tests.factories import Company, Member, add_member
from tests.support import ApiClient, body


def upload(client: ApiClient, token: str, text: str, entity: str = "contact", *, filename: str = "import.csv",
           **extra: Any) -> dict[str, Any]:
    """The import's preview of a file (UTF-8 with its BOM, as a spreadsheet saves one)."""
    content = base64.b64encode(text.encode("utf-8-sig")).decode()
    made = client.post("/api/v1/imports", {"entity": entity, "filename": filename, "content_base64": content,
                                           **extra}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def run(client: ApiClient, token: str, tenant_id: str, text: str, entity: str = "contact", *,
        filename: str = "import.csv") -> dict[str, Any]:
    """A file imported to its end: the import as read then, with the preview's mapping."""
    job = upload(client, token, text, entity, filename=filename)
    started = client.post(f"/api/v1/imports/{job['id']}/start", {"version": job["version"]}, token=token)
    assert started.status_code == 202, started.body
    assert jobs.run_job("import", tenant_id, job["id"], seconds=120) == "done"
    return {**body(client.get(f"/api/v1/imports/{job['id']}", token=token)), "mapping": job["mapping"]}


def named_member(client: ApiClient, company: Company, key: str, name: str, *, role: str = "agent") -> Member:
    """A member called by a full name ("Sarah Collins"), as a file's responsible-person column writes them."""
    member = add_member(client, company, role=role, name=key)
    user = body(client.get(f"/api/v1/users/{member.user_id}", token=company.owner.token))
    renamed = client.patch(f"/api/v1/users/{member.user_id}", {"version": user["version"], "name": name},
                           token=company.owner.token)
    assert renamed.status_code == 200, renamed.body
    return member
