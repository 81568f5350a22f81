"""A rule hands work only to a colleague who can take it. A car service's accountant holds a custom role that reads
deals, not tasks or contacts: a rule giving her a task or a lead is refused when it is saved (422 naming the action and
the place, nothing saved); a rule that named her before her role changed, or a mechanic who has since left, is flagged
in the rules' list, and at run time a task goes to the record's owner (else the company's owner), a round-robin passes
her over, a record stays with its owner, the run log says why and whoever keeps the rule is told once, not per run."""

from __future__ import annotations

from typing import Any

from tests.events.conftest import Feed
from tests.factories import Company, Member, add_member
from tests.messaging.test_handover_readers import with_accountant
from tests.support import ApiClient, body

NEW_DEAL = {"type": "record.created", "entity": "deal"}
NEW_CONTACT = {"type": "record.created", "entity": "contact"}


def _garage(client: ApiClient) -> tuple[Company, Member, Member]:
    return with_accountant(client, "Автосервис Колесо", "agent", "mechanic")


def _post_rule(client: ApiClient, company: Company, trigger: dict[str, Any], *actions: dict[str, Any]) -> Any:
    return client.post("/api/v1/automations", {"name": "Новый заказ-наряд", "trigger": trigger,
                                               "actions": list(actions)}, token=company.owner.token)


def _rules(client: ApiClient, company: Company) -> list[dict[str, Any]]:
    """The rules the test made (every company starts with a birthday greeting, switched off)."""
    return [rule for rule in body(client.get("/api/v1/automations", token=company.owner.token))["items"]
            if rule["trigger"]["type"] != "date.reached"]


def _runs(client: ApiClient, company: Company, rule_id: str) -> list[dict[str, Any]]:
    return list(body(client.get(f"/api/v1/automations/{rule_id}/runs", token=company.owner.token))["items"])


def _notices(client: ApiClient, member: Member) -> list[dict[str, Any]]:
    return [n for n in body(client.get("/api/v1/notifications", token=member.token))["items"]
            if n["type"] == "automation.invalid"]


def _change_role(client: ApiClient, company: Company, member: Member, role: str) -> None:
    user = body(client.get(f"/api/v1/users/{member.user_id}", token=company.owner.token))
    changed = client.patch(f"/api/v1/users/{member.user_id}", {"version": user["version"], "role": role},
                           token=company.owner.token)
    assert changed.status_code == 200, changed.body


def test_a_rule_handing_work_to_someone_who_cannot_take_it_is_refused_and_nothing_saved(client: ApiClient) -> None:
    company, accountant, mechanic = _garage(client)
    task = {"type": "create_task", "title": "Позвонить {title}", "assignee": accountant.user_id}
    refused = _post_rule(client, company, NEW_DEAL, {"type": "notify", "users": ["owner"]}, task)
    assert refused.status_code == 422, refused.body  # it was 201: a task each deal for one who reads no tasks
    error = body(refused)["error"]
    assert error["code"] == "assignee_cannot_read"
    assert [(d["loc"], d["type"]) for d in error["details"]] == [(["body", "actions", 1, "assignee"],
                                                                  "cannot_read_tasks")]
    round_robin = {"type": "assign", "assignee": "round_robin", "users": [mechanic.user_id, accountant.user_id]}
    refused = _post_rule(client, company, NEW_CONTACT, round_robin)  # a lead's contact she cannot open
    assert body(refused)["error"]["details"][0]["loc"] == ["body", "actions", 0, "users", 1]
    assert body(refused)["error"]["details"][0]["type"] == "cannot_read_contacts"
    assert _rules(client, company) == []
    # a deal she reads: handed to her is fine
    made = _post_rule(client, company, NEW_DEAL, {"type": "assign", "assignee": accountant.user_id})
    assert made.status_code == 201, made.body
    assert body(made)["problems"] == []
    # a rule changed to give her its tasks is refused, and stays as it was
    rule = body(made)
    changed = client.patch(f"/api/v1/automations/{rule['id']}", {"version": rule["version"], "actions": [task]},
                           token=company.owner.token)
    assert changed.status_code == 422 and body(changed)["error"]["code"] == "assignee_cannot_read"
    assert _rules(client, company)[0]["actions"] == rule["actions"]


def test_a_colleague_who_left_cannot_be_named_by_a_new_rule(client: ApiClient) -> None:
    company, _, mechanic = _garage(client)
    left = client.post(f"/api/v1/users/{mechanic.user_id}/deactivate", {}, token=company.owner.token)
    assert left.status_code == 200, left.body
    refused = _post_rule(client, company, NEW_DEAL, {"type": "create_task", "title": "Осмотр",
                                                     "assignee": mechanic.user_id})
    assert refused.status_code == 422, refused.body
    error = body(refused)["error"]
    assert (error["code"], error["details"][0]["type"]) == ("assignee_not_active", "unknown_user")
    assert _rules(client, company) == []


def test_a_rule_that_became_invalid_is_flagged_and_its_task_goes_to_the_owner_of_the_deal(client: ApiClient,
                                                                                         feed: Feed) -> None:
    company, accountant, mechanic = _garage(client)
    owner = company.owner
    _change_role(client, company, accountant, "agent")  # she read tasks when the rule was made
    made = _post_rule(client, company, NEW_DEAL, {"type": "create_task", "title": "Сверить оплату {title}",
                                                  "assignee": accountant.user_id})
    assert made.status_code == 201, made.body
    rule = body(made)
    _change_role(client, company, accountant, "accountant")
    [listed] = _rules(client, company)
    assert listed["problems"] == [{"action": 0, "place": ["assignee"], "user_id": accountant.user_id,
                                   "user_name": "Accountant", "code": "cannot_read_tasks"}]
    shown = body(client.get(f"/api/v1/automations/{rule['id']}", token=owner.token))
    assert shown["problems"] == listed["problems"]
    deals = [body(client.post("/api/v1/deals", {"title": f"Замена масла {n}"}, token=mechanic.token))
             for n in range(2)]
    assert feed.deliver() == {"batchItemFailures": []}
    tasks = body(client.get("/api/v1/tasks?view=all&everyone=true", token=owner.token))["items"]
    assert sorted(t["assignee_id"] for t in tasks) == [mechanic.user_id] * 2  # each deal's owner, not nobody
    runs = _runs(client, company, rule["id"])
    assert [(r["status"], r["steps"][0]["code"]) for r in runs] == [("done", "task_created_instead")] * 2
    params = runs[0]["steps"][0]["params"]
    assert (params["user_id"], params["skipped_user_id"], params["reason"]) == (
        mechanic.user_id, accountant.user_id, "cannot_read_tasks")
    notices = _notices(client, owner)  # two runs, one notice
    assert [(n["subject"], n["title"]) for n in notices] == [({"type": "automation", "id": rule["id"]},
                                                              "Новый заказ-наряд")]
    assert {t["related"]["id"] for t in tasks} == {deal["id"] for deal in deals}


def test_a_round_robin_passes_over_one_who_left_and_a_deal_keeps_its_owner_when_nobody_can_take_it(
        client: ApiClient, feed: Feed) -> None:
    company, _, mechanic = _garage(client)
    owner = company.owner
    second = add_member(client, company, role="agent", name="second")
    made = _post_rule(client, company, NEW_DEAL, {"type": "assign", "assignee": "round_robin",
                                                  "users": [mechanic.user_id, second.user_id]})
    alone = _post_rule(client, company, NEW_CONTACT, {"type": "assign", "assignee": second.user_id})
    assert made.status_code == alone.status_code == 201
    left = client.post(f"/api/v1/users/{second.user_id}/deactivate", {}, token=owner.token)
    assert left.status_code == 200, left.body
    problems = {rule["id"]: [(p["code"], p["place"]) for p in rule["problems"]] for rule in _rules(client, company)}
    assert problems == {body(made)["id"]: [("user_not_active", ["users", 1])],
                        body(alone)["id"]: [("user_not_active", ["assignee"])]}
    deals = [body(client.post("/api/v1/deals", {"title": f"Шиномонтаж {n}"}, token=owner.token)) for n in range(3)]
    contact = body(client.post("/api/v1/contacts", {"first_name": "Олег"}, token=owner.token))
    feed.deliver()
    owners = [body(client.get(f"/api/v1/deals/{d['id']}", token=owner.token))["deal"]["owner_id"] for d in deals]
    assert owners == [mechanic.user_id] * 3  # her turns go to the one still here
    kept = body(client.get(f"/api/v1/contacts/{contact['id']}", token=owner.token))
    assert (kept["owner_id"], kept["version"]) == (owner.user_id, contact["version"])  # not handed to one who left
    [run] = _runs(client, company, body(alone)["id"])
    assert (run["status"], run["steps"][0]["code"], run["steps"][0]["params"]) == (
        "failed", "owner_kept", {"user_id": second.user_id, "reason": "user_not_active"})
    # one notice per rule and colleague, however many runs met her
    assert sorted(n["subject"]["id"] for n in _notices(client, owner)) == sorted([body(made)["id"], body(alone)["id"]])
    # fixed by picking someone else: the flag goes, and a rule switched off or renamed while flagged is kept
    rule = body(client.get(f"/api/v1/automations/{body(alone)['id']}", token=owner.token))
    renamed = client.patch(f"/api/v1/automations/{rule['id']}", {"version": rule["version"], "enabled": False},
                           token=owner.token)
    assert renamed.status_code == 200 and body(renamed)["problems"][0]["code"] == "user_not_active"
    again = client.patch(f"/api/v1/automations/{rule['id']}", {"version": body(renamed)["version"], "enabled": True},
                         token=owner.token)
    assert again.status_code == 422 and body(again)["error"]["code"] == "assignee_not_active"  # not switched on
    fixed = client.patch(f"/api/v1/automations/{rule['id']}", {
        "version": body(renamed)["version"], "enabled": True,
        "actions": [{"type": "assign", "assignee": mechanic.user_id}]}, token=owner.token)
    assert fixed.status_code == 200 and body(fixed)["problems"] == []
