"""A user moved to another team takes their records along (``records.teams``, the ``records.team`` due timer).

A sales agent of team A owns a contact, a company, a deal and a task. An administrator moves her to team B: the
PATCH answers at once (``records_moving``), and once the due run has walked her records, B's team-scoped manager
lists and opens them while A's no longer does; back to A, and out of every team, the same. Each record is written
once per move, by the administrator, with its version and audit record: a second run writes nothing, a record
handed to someone else meanwhile keeps its team, one changed meanwhile keeps the change and gets the team, another
tenant's records are untouched, and a walk throttled partway ends complete on the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.core import audit, db, tenancy
from chalicelib.core.db import MainTable
from chalicelib.due import service as due
from chalicelib.identity import service as identity_service
from chalicelib.records import access, store, teams, types
from tests.deals.helpers import owner_context
from tests.events.conftest import Feed, feed  # noqa: F401 - the fixture, shared
from tests.factories import Company, Member, add_member, signup
from tests.faults.test_every_write import failing
from tests.support import ApiClient, body

KINDS = frozenset({teams.KIND})
assert teams.KIND == identity_service.TEAM_MOVE  # identity sets the timer the engine's walk answers
PATHS = {"contact": "contacts", "company": "companies", "deal": "deals", "task": "tasks"}


@pytest.fixture(autouse=True)
def fresh_due_bookmark() -> Iterator[None]:
    """Each test's walks run from its own clock: the due run's bookmark is forgotten after it."""
    yield
    from chalicelib.due.models import DueState

    DueState(due.STATE_PK, due.STATE_SK).delete()


@pytest.fixture(scope="module")
def sales(app: Any) -> Company:
    """A company with teams A and B, each with its manager (the owner moves people between them)."""
    client = ApiClient(app)
    company = signup(client, company="Team Move Ltd")
    for name in ("A", "B"):
        team = body(client.post("/api/v1/teams", {"name": f"Team {name}"}, token=company.owner.token))
        company.extra[name] = team["id"]
        add_member(client, company, role="manager", name=f"manager{name.lower()}", team_id=team["id"])
    return company


def agent_with_records(client: ApiClient, company: Company, name: str,
                       team: str = "A") -> tuple[Member, dict[str, str]]:
    """A new agent of a team with a contact, a company, a deal and a task of her own (made by the owner)."""
    agent = add_member(client, company, role="agent", name=name, team_id=company.extra[team])
    token, mine = company.owner.token, {"owner_id": agent.user_id}
    made = {
        "contact": client.post("/api/v1/contacts", {"first_name": "Pavel", **mine}, token=token),
        "company": client.post("/api/v1/companies", {"name": "Romashka", **mine}, token=token),
        "deal": client.post("/api/v1/deals", {"title": "Forty chairs", **mine}, token=token),
        "task": client.post("/api/v1/tasks", {"title": "Call back", "assignee_id": agent.user_id}, token=token),
    }
    for response in made.values():
        assert response.status_code == 201, response.body
    return agent, {kind: str(body(response)["id"]) for kind, response in made.items()}


def move(client: ApiClient, company: Company, agent: Member, team: str | None) -> dict[str, Any]:
    """The owner moves the agent into a team (None: out of every team); answers the PATCH's user."""
    path = f"/api/v1/users/{agent.user_id}"
    version = body(client.get(path, token=company.owner.token))["version"]
    moved = client.patch(path, {"version": version, "team_id": company.extra[team] if team else None},
                         token=company.owner.token)
    assert moved.status_code == 200, moved.body
    return dict(body(moved))


def walk(**kwargs: Any) -> dict[str, int]:
    """One due run of the team moves only."""
    return due.run_due(kinds=KINDS, **kwargs)


def record(client: ApiClient, company: Company, kind: str, record_id: str) -> dict[str, Any]:
    found = client.get(f"/api/v1/{PATHS[kind]}/{record_id}", token=company.owner.token)
    assert found.status_code == 200, found.body
    return dict(body(found))


def listed(client: ApiClient, token: str, kind: str, agent: Member) -> set[str]:
    """The ids a manager's list of a kind shows (contacts and companies: the team's list; deals and tasks: the
    agent's, which a manager reads within their scope)."""
    query = {"deal": f"?owner_id={agent.user_id}", "task": f"?assignee_id={agent.user_id}&view=all"}.get(kind, "")
    found = client.get(f"/api/v1/{PATHS[kind]}{query}", token=token)
    assert found.status_code == 200, found.body
    return {str(item["id"]) for item in body(found)["items"]}


def sees(client: ApiClient, manager: Member, agent: Member, records: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    """Per kind: whether the manager lists the record, and whether they open it."""
    return {kind: (record_id in listed(client, manager.token, kind, agent),
                   client.get(f"/api/v1/{PATHS[kind]}/{record_id}", token=manager.token).status_code == 200)
            for kind, record_id in records.items()}


def moves_of(company: Company, kind: str, record_id: str) -> list[Any]:
    """The audit records of a record's team moves."""
    ctx = owner_context(company)
    with tenancy.bind(ctx):
        chain = MainTable.query(audit.entity_key(ctx, kind, record_id))
        return [item for item in chain if getattr(item, "action", None) == "team_move"]


def stored(company: Company, kind: str, record_id: str) -> Any:
    """A record as stored (not every card shows its team)."""
    from chalicelib.kb import service as kb_service
    from chalicelib.tasks import service as tasks_service

    ctx = owner_context(company)
    with tenancy.bind(ctx):
        if kind == "kb_article":
            return kb_service._item(ctx, record_id)
        return tasks_service.get(ctx, record_id) if kind == "task" else access.get_any(ctx, types.get(kind), record_id)


def state(company: Company, records: dict[str, str]) -> dict[str, tuple[Any, int, int]]:
    """Per kind: the record's team, version and team moves recorded."""
    found = {kind: stored(company, kind, record_id) for kind, record_id in records.items()}
    return {kind: (found[kind].team_id, int(found[kind].version), len(moves_of(company, kind, records[kind])))
            for kind in records}


def test_records_follow_their_owner_into_another_team_back_and_out(app: Any, sales: Company) -> None:
    client = ApiClient(app)
    manager_a, manager_b = sales.members["managera"], sales.members["managerb"]
    agent, records = agent_with_records(client, sales, "mila")
    rival = signup(client, company="Rival Ltd")
    rival_contact = body(client.post("/api/v1/contacts", {"first_name": "Rival"}, token=rival.owner.token))
    assert all(seen == (True, True) for seen in sees(client, manager_a, agent, records).values())
    before = state(sales, records)

    answer = move(client, sales, agent, "B")
    assert answer["team_id"] == sales.extra["B"] and answer["records_moving"] is True  # the PATCH does not wait
    users = body(client.get("/api/v1/users", token=sales.owner.token))["items"]
    assert [u["records_moving"] for u in users if u["id"] == agent.user_id] == [True]
    assert walk()["fired"] == 1

    assert all(seen == (True, True) for seen in sees(client, manager_b, agent, records).values())
    assert all(seen == (False, False) for seen in sees(client, manager_a, agent, records).values())
    after = state(sales, records)
    for kind, (team, version, moves) in after.items():
        assert (team, version, moves) == (sales.extra["B"], before[kind][1] + 1, 1), kind
        (entry,) = moves_of(sales, kind, records[kind])
        assert entry.actor_id == sales.owner.user_id  # the administrator who moved her
    users = body(client.get("/api/v1/users", token=sales.owner.token))["items"]
    assert [u["records_moving"] for u in users if u["id"] == agent.user_id] == [False]

    # A second run of the same move (a redelivered or retried timer) writes nothing.
    with tenancy.bind(owner_context(sales)):
        due.set_timer(owner_context(sales), kind=teams.KIND, ref=agent.user_id, due_at=db.utcnow(),
                      payload={"actor_id": sales.owner.user_id})
    walk()
    assert state(sales, records) == after

    move(client, sales, agent, "A")
    walk()
    assert all(seen == (True, True) for seen in sees(client, manager_a, agent, records).values())
    assert all(seen == (False, False) for seen in sees(client, manager_b, agent, records).values())

    move(client, sales, agent, None)
    walk()
    assert {kind: team for kind, (team, _, moves) in state(sales, records).items()} == \
        dict.fromkeys(records, None)
    for manager in (manager_a, manager_b):
        assert all(seen == (False, False) for seen in sees(client, manager, agent, records).values())
    assert {kind: moves for kind, (_, _, moves) in state(sales, records).items()} == dict.fromkeys(records, 3)

    untouched = body(client.get(f"/api/v1/contacts/{rival_contact['id']}", token=rival.owner.token))
    assert untouched["version"] == rival_contact["version"] and untouched["team_id"] is None


def test_a_record_reassigned_meanwhile_stays_and_one_changed_meanwhile_keeps_both(
        app: Any, sales: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "nina")
    colleague = add_member(client, sales, role="agent", name="oleg", team_id=sales.extra["A"])
    handed = body(client.post("/api/v1/contacts", {"first_name": "Handed", "owner_id": agent.user_id},
                              token=sales.owner.token))
    move(client, sales, agent, "B")
    original, raced, handed_over = store.write, [], []

    def racing_write(ctx: Any, rtype: Any, before: Any, after: Any, **kwargs: Any) -> Any:
        # While the walk writes her first contact, the owner hands the second (on the page it read) to a colleague.
        if kwargs.get("action") == "team_move" and rtype.name == "contact" and not handed_over:
            handed_over.append(True)
            reassigned = client.patch(f"/api/v1/contacts/{handed['id']}", {"version": handed["version"],
                                                                           "owner_id": colleague.user_id},
                                      token=sales.owner.token)
            assert reassigned.status_code == 200, reassigned.body
        # Someone renames the company between the walk's read and its write: the walk's write is stale (409).
        if kwargs.get("action") == "team_move" and rtype.name == "company" and not raced:
            raced.append(True)
            current = record(client, sales, "company", records["company"])
            renamed = client.patch(f"/api/v1/companies/{records['company']}",
                                   {"version": current["version"], "name": "Romashka Group"}, token=sales.owner.token)
            assert renamed.status_code == 200, renamed.body
        return original(ctx, rtype, before, after, **kwargs)

    monkeypatch.setattr(store, "write", racing_write)
    walk()
    assert raced and handed_over
    company = record(client, sales, "company", records["company"])
    assert (company["name"], company["team_id"]) == ("Romashka Group", sales.extra["B"])
    assert len(moves_of(sales, "company", records["company"])) == 1
    kept = record(client, sales, "contact", handed["id"])
    assert (kept["owner_id"], kept["team_id"]) == (colleague.user_id, sales.extra["A"])
    assert not moves_of(sales, "contact", handed["id"])


def test_a_walk_throttled_partway_ends_complete_after_the_next_run(
        app: Any, sales: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "vera")
    before = state(sales, records)
    move(client, sales, agent, "B")

    original, written = store.write, []

    def throttled_after_one(*args: Any, **kwargs: Any) -> Any:
        if written:  # the table throttles from the second record on, until the run ends
            with failing("dynamodb", frozenset({"TransactWriteItems", "PutItem"}),
                         "ProvisionedThroughputExceededException"):
                return original(*args, **kwargs)
        written.append(original(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(store, "write", throttled_after_one)
    counts = walk()
    assert counts["fired"] == 0 and counts["retrying"] + counts["stuck"] == 1, counts
    partway = state(sales, records)
    assert sum(team == sales.extra["B"] for team, _, _ in partway.values()) == 1  # one written before the fault
    monkeypatch.setattr(store, "write", original)

    assert walk(now=db.utcnow() + timedelta(minutes=10))["fired"] == 1
    for kind, (team, version, moves) in state(sales, records).items():
        assert (team, version, moves) == (sales.extra["B"], before[kind][1] + 1, 1), kind
    with tenancy.bind(owner_context(sales)):
        assert agent.user_id not in identity_service.records_moving(owner_context(sales))


def test_a_walk_out_of_time_goes_on_and_a_later_move_during_it_wins(
        app: Any, sales: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "zoya")
    monkeypatch.setattr(teams, "SECONDS", 0.0)  # every run walks one page, then sets its timer again with its place
    move(client, sales, agent, "B")
    original, moved_back = store.write, []

    def moved_back_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # While the first run writes her contact to B, the owner moves her back to A: that run's continuation
        # must not replace the newer move's walk, which starts over and takes the contact back to A.
        written = original(*args, **kwargs)
        if not moved_back:
            moved_back.append(move(client, sales, agent, "A"))
        return written

    monkeypatch.setattr(store, "write", moved_back_meanwhile)
    runs = 0
    ctx = owner_context(sales)
    while True:
        with tenancy.bind(ctx):
            if agent.user_id not in identity_service.records_moving(ctx):
                break
        assert walk()["fired"] == 1
        runs += 1
        assert runs < 50
    assert moved_back and runs > len(teams.steps())  # one page a run, and a run per step at least
    for kind, (team, _, moves) in state(sales, records).items():
        assert team == sales.extra["A"], kind
        assert moves == (2 if kind == "contact" else 0), kind  # to B and back; the others never left A


def test_records_in_the_trash_move_too_and_come_back_in_the_new_team(app: Any, sales: Company) -> None:
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "rita")
    trashed = {kind: records[kind] for kind in ("contact", "deal")}
    for kind, record_id in trashed.items():
        deleted = client.delete(f"/api/v1/{PATHS[kind]}/{record_id}", token=sales.owner.token)
        assert deleted.status_code in (200, 204), deleted.body
    move(client, sales, agent, "B")
    walk()
    teams_now = {kind: team for kind, (team, _, _) in state(sales, records).items()}
    assert teams_now == dict.fromkeys(records, sales.extra["B"])
    for kind, record_id in trashed.items():
        restored = client.post(f"/api/v1/{PATHS[kind]}/{record_id}/restore", token=sales.owner.token)
        assert restored.status_code == 200, restored.body
    assert all(seen == (True, True) for seen in sees(client, sales.members["managerb"], agent, records).values())
    assert all(seen == (False, False) for seen in sees(client, sales.members["managera"], agent, records).values())


def test_a_team_move_is_not_offered_as_revertable_and_a_revert_is_refused(app: Any, sales: Company) -> None:
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "vera")
    move(client, sales, agent, "B")
    walk()
    for kind in ("contact", "deal"):
        trail = body(client.get(f"/api/v1/audit?entity={kind}&entity_id={records[kind]}",
                                token=sales.owner.token))["items"]
        (moved,) = [entry for entry in trail if entry["action"] == "team_move"]
        assert moved["revertable"] is False  # the audit screen offers no Revert that would only answer 409
        refused = client.post(f"/api/v1/audit/{moved['id']}/revert", {"force": True}, token=sales.owner.token)
        assert refused.status_code == 409 and body(refused)["error"]["code"] == "not_revertable", refused.body
        assert "owner" in body(refused)["error"]["message"]
    teams_now = {kind: team for kind, (team, _, _) in state(sales, records).items()}
    assert teams_now == dict.fromkeys(records, sales.extra["B"])


def test_a_team_move_fires_only_the_rules_that_watch_the_team(sales: Company) -> None:
    from chalicelib.automations import engine
    from chalicelib.events.feed import DomainEvent

    def happening(action: str) -> Any:
        event = DomainEvent(event_id="01M97000000000000000000000", tenant_id=sales.tenant_id, entity="contact",
                            entity_id="01M97000000000000000000001", seq=2, action=action, actor_id=sales.owner.user_id,
                            actor_kind="user", source="job", at=db.utcnow(),
                            changes={"team_id": {"before": sales.extra["A"], "after": sales.extra["B"]}})
        (found,) = engine.happenings(owner_context(sales), event)
        return found

    any_change = {"type": "record.updated", "entity": "contact", "fields": []}
    team_watch = {"type": "record.updated", "entity": "contact", "fields": ["team_id"]}
    assert not engine.matches(any_change, happening("team_move"))  # not once per record of a moved user
    assert engine.matches(team_watch, happening("team_move"))
    assert engine.matches(any_change, happening("update"))  # a reassignment is a change like any other


def test_a_record_of_every_type_follows_its_owner(app: Any) -> None:
    from tests.records.samples import SAMPLES

    client = ApiClient(app)
    company = signup(client, company="Every Type Moves Ltd")
    team = body(client.post("/api/v1/teams", {"name": "South"}, token=company.owner.token))
    company.extra["South"] = team["id"]
    made = {rtype.name: str(SAMPLES[rtype.name].made(client, company.owner.token, rtype.plural)["id"])
            for rtype in types.all_types()}
    made["task"] = str(body(client.post("/api/v1/tasks", {"title": "Call back"}, token=company.owner.token))["id"])
    made["kb_article"] = str(body(client.post("/api/v1/kb/articles", {"title": "Returns", "body": "Write to us."},
                                              token=company.owner.token))["id"])
    before = state(company, made)
    move(client, company, company.owner, "South")  # the owner moves themself: every record made here is theirs
    walk()
    for kind, (team_id, version, moves) in state(company, made).items():
        assert (team_id, version, moves) == (team["id"], before[kind][1] + 1, 1), kind


def test_a_deal_won_after_its_owner_moved_counts_for_the_new_team(app: Any, sales: Company, feed: Feed) -> None:  # noqa: F811
    client = ApiClient(app)
    agent, records = agent_with_records(client, sales, "lena")
    move(client, sales, agent, "B")
    walk()
    assert feed.deliver() == {"batchItemFailures": []}  # the deal's team_move reaches its report facts
    deal = {"id": records["deal"], "version": int(stored(sales, "deal", records["deal"]).version)}
    pipeline = body(client.get("/api/v1/pipelines", token=sales.owner.token))["items"][0]
    won = next(stage["id"] for stage in pipeline["stages"] if stage["name"] == "Won")
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": won, "version": deal["version"]},
                        token=sales.owner.token)
    assert moved.status_code == 200, moved.body
    assert feed.deliver() == {"batchItemFailures": []}

    def managers(member: str) -> dict[str, Any]:
        report = body(client.get("/api/v1/reports/managers", token=sales.members[member].token))["items"]
        return {row["user_id"]: row for row in report}

    assert managers("managerb")[agent.user_id]["won"] == 1  # won in B: B's numbers
    assert managers("managera").get(agent.user_id, {}).get("won", 0) == 0


def test_a_moved_authors_article_is_changed_by_the_new_teams_manager(app: Any, sales: Company) -> None:
    client = ApiClient(app)
    agent = add_member(client, sales, role="agent", name="kira", team_id=sales.extra["A"])
    article = body(client.post("/api/v1/kb/articles", {"title": "Delivery times", "body": "Two days."},
                               token=agent.token))
    move(client, sales, agent, "B")
    walk()

    def rename(member: str, title: str) -> int:
        current = body(client.get(f"/api/v1/kb/articles/{article['id']}", token=sales.owner.token))
        return int(client.patch(f"/api/v1/kb/articles/{article['id']}", {"version": current["version"],
                                                                          "title": title},
                                token=sales.members[member].token).status_code)

    assert rename("managera", "Delivery times (A)") == 403
    assert rename("managerb", "Delivery times (B)") == 200
