"""Everyone's tasks in one list: a dispatcher sees all her technicians' visits for today at once, as Pipedrive's
"Everyone" and Bitrix24's task list show them, where she had to open each colleague's list in turn. One Query
(everyone's partition, gsi2), as far as the caller's scope reaches; tasks written before it get their place from the
hourly housekeeping tick, once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core import tenancy
from chalicelib.housekeeping import task_index
from chalicelib.housekeeping.models import TaskIndexPass
from chalicelib.tasks.models import Task, task_pk
from tests.billing import helpers
from tests.deals.helpers import member, staffed_company
from tests.factories import Company
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Dispatch Ltd")


def _give(client: ApiClient, company: Company, to: str, title: str, *, days: int = 3) -> dict[str, Any]:
    due = (datetime.now(UTC) + timedelta(days=days)).isoformat()  # upcoming on any clock
    made = client.post("/api/v1/tasks", {"title": title, "due_at": due, "assignee_id": member(company, to).user_id},
                       token=company.owner.token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _everyone(client: ApiClient, token: str, view: str = "upcoming") -> list[str]:
    answer = client.get(f"/api/v1/tasks?view={view}&everyone=true&limit=200", token=token)
    assert answer.status_code == 200, answer.body
    return [task["title"] for task in body(answer)["items"]]


def test_the_dispatcher_sees_her_teams_tasks_in_one_list_by_time(client: ApiClient, company: Company,
                                                                  tenancy_watcher: Any) -> None:
    _give(client, company, "agent", "Visit A", days=3)
    _give(client, company, "agent2", "Visit B", days=2)
    _give(client, company, "manager", "Visit C", days=4)
    _give(client, company, "outsider", "Visit D", days=2)  # another team's agent
    done = _give(client, company, "agent", "Visit E", days=2)
    assert client.post(f"/api/v1/tasks/{done['id']}/complete", {"version": done["version"]},
                       token=member(company, "agent").token).status_code == 200

    tenancy_watcher.reset()
    assert _everyone(client, member(company, "manager").token) == ["Visit B", "Visit A", "Visit C"]
    assert [operation for operation, _ in tenancy_watcher.requests].count("Query") == 1
    assert _everyone(client, company.owner.token) == ["Visit B", "Visit D", "Visit A", "Visit C"] or \
        _everyone(client, company.owner.token) == ["Visit D", "Visit B", "Visit A", "Visit C"]
    assert _everyone(client, member(company, "agent").token) == ["Visit A"]  # an agent reads only their own
    done_ones = client.get("/api/v1/tasks?view=all&status=done&everyone=true", token=company.owner.token)
    assert [task["title"] for task in body(done_ones)["items"]] == ["Visit E"]


def test_everyone_or_one_colleague_not_both(client: ApiClient, company: Company) -> None:
    both = client.get(f"/api/v1/tasks?everyone=true&assignee_id={member(company, 'agent').user_id}",
                      token=company.owner.token)
    assert both.status_code == 422 and body(both)["error"]["details"][0]["loc"] == ["query", "everyone"]


def test_the_tick_puts_older_tasks_on_everyones_list_once(client: ApiClient, company: Company) -> None:
    older = _give(client, company, "agent2", "Written before", days=5)
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id="housekeeping", actor_kind="system",
                                role="system", source="job")
    with tenancy.bind(ctx):  # as the code before everyone's partition wrote it: its assignee's keys only
        Task._get_connection().update_item(task_pk(ctx, older["id"]), "#TASK",
                                           actions=[Task.gsi2pk.remove(), Task.gsi2sk.remove()])
    assert "Written before" not in _everyone(client, company.owner.token)
    tenant = helpers.tenant(company)  # start at this company (the worker's other tenants are not this test's)
    TaskIndexPass(task_index.STATE_PK, "STATE", after=str(tenant.gsi1sk)[:-1], done=False).save()

    assert task_index.run(deadline=time.monotonic() + 600) == 1
    assert "Written before" in _everyone(client, company.owner.token)
    assert TaskIndexPass.get(task_index.STATE_PK, "STATE", consistent_read=True).done
    assert task_index.run(deadline=time.monotonic() + 600) == 0  # through: a tick reads its state, nothing more


def test_a_task_changed_since_the_pass_read_it_keeps_what_its_write_gave(client: ApiClient, company: Company) -> None:
    task = _give(client, company, "agent", "Changed meanwhile", days=6)
    ctx = tenancy.TenantContext(tenant_id=company.tenant_id, actor_id="housekeeping", actor_kind="system",
                                role="system", source="job")
    with tenancy.bind(ctx):
        read = Task.get(task_pk(ctx, task["id"]), "#TASK")
    assert client.post(f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]},
                       token=member(company, "agent").token).status_code == 200
    with tenancy.bind(ctx):
        assert task_index._index(ctx, read) is False  # the stale read would have put it back among the open ones
        assert str(Task.get(task_pk(ctx, task["id"]), "#TASK").gsi2sk).startswith("D#")
