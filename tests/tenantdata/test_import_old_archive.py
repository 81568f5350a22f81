"""An archive exported before the one-off passes of the hourly tick (Telegram usernames' index, jobs' sealed customer
data, tasks on everyone's list ...) is imported the same as one exported after: the import computes every index
from the records themselves and does for the new tenant what those passes did for the others, which have long been
through and never walk a tenant made after them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.contacts import profile
from chalicelib.contacts import service as contacts_service
from chalicelib.core import aws, crypto, db, tenancy
from chalicelib.core.config import settings
from chalicelib.identity.service import system_context
from chalicelib.tasks.models import Task, task_pk
from tenants import importer
from tenants.__main__ import main
from tests.factories import Company, signup
from tests.seeds.dataio import ensure_bucket, upload
from tests.support import ApiClient, body

CSV = "First name,Phone\nZinaida,+7 999 321-54-76\n"


def _raw(tenant_id: str, pk: str, sk: str) -> dict[str, Any]:
    with tenancy.bind(system_context(tenant_id)):
        found = aws.client("dynamodb").get_item(TableName=settings.table_name, ConsistentRead=True,
                                                Key={"pk": {"S": pk}, "sk": {"S": sk}})
    return dict(found["Item"])


def _put(tenant_id: str, item: dict[str, Any]) -> None:
    with tenancy.bind(system_context(tenant_id)):
        aws.client("dynamodb").put_item(TableName=settings.table_name, Item=item)


@pytest.fixture
def old_company(client: ApiClient, monkeypatch: pytest.MonkeyPatch) -> Company:
    """A tenant as the code before the passes left it: a contact's Telegram username without its index, an import
    job in clear, a task only on its assignee's list."""
    ensure_bucket()
    company = signup(client, company="Old Archive Ltd", country="RU", locale="ru")
    token = company.owner.token
    with monkeypatch.context() as patched:
        patched.setattr(profile, "index_telegram", lambda ctx, contact: None)
        made = client.post("/api/v1/contacts", {"first_name": "Zinaida", "phones": [{"number": "+79993215476"}],
                                                "messengers": {"telegram_username": "zina_old"}}, token=token)
    assert made.status_code == 201, made.body
    job = upload(client, token, CSV, filename="clients_Zinaida.csv")
    assert job.status_code == 201, job.body
    job_key = (f"T#{company.tenant_id}#IMPORT", body(job)["id"])
    _put(company.tenant_id, db.open_personal(_raw(company.tenant_id, *job_key)))  # written in clear
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    task = client.post("/api/v1/tasks", {"title": "Call Zinaida back", "due_at": due}, token=token)
    assert task.status_code == 201, task.body
    ctx = system_context(company.tenant_id)
    with tenancy.bind(ctx):
        Task._get_connection().update_item(task_pk(ctx, body(task)["id"]), "#TASK",
                                           actions=[Task.gsi2pk.remove(), Task.gsi2sk.remove()])
    company.extra.update(contact=body(made), job=body(job), task=body(task))
    return company


def _lines(path: Path, kind: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as bundle:
        return [json.loads(line) for line in bundle.read(f"items/{kind}.jsonl").decode().splitlines()]


def test_an_archive_made_before_the_passes_comes_in_as_a_new_one_would(client: ApiClient, old_company: Company,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "old.zip"
    assert main(["export", "--tenant", old_company.tenant_id, "--out", str(path)], out=io.StringIO()) == 0
    [contact] = [line["item"] for line in _lines(path, "contact")]
    assert "telegram" not in json.loads(contact.get("blind", {}).get("S", "{}"))  # shaped like an old one
    [job] = _lines(path, "import_job")
    assert not any(entry.get("personal") for entry in job["sealed"])

    summary = importer.import_archive(str(path))
    new = system_context(summary.tenant_id)
    with tenancy.bind(new):  # her first message to the bot finds her, as in a tenant whose pass went through
        found = contacts_service.find_by_telegram(new, "@Zina_Old")
        assert found is not None and found.contact_id == old_company.extra["contact"]["id"]
        by_phone = contacts_service.find_by_phone(new, "+79993215476")
        assert by_phone is not None and by_phone.contact_id == found.contact_id
    stored = _raw(summary.tenant_id, f"T#{summary.tenant_id}#IMPORT", old_company.extra["job"]["id"])
    assert crypto.PERSONAL_FIELD in stored and "filename" not in stored and "Zinaida" not in str(stored)
    with tenancy.bind(new):
        assert db.open_personal(stored)["filename"] == {"S": "clients_Zinaida.csv"}
        task = Task.get(task_pk(new, old_company.extra["task"]["id"]), "#TASK", consistent_read=True)
    assert task.gsi2pk == f"T#{summary.tenant_id}#TASKS#DUE" and task.gsi2sk
