"""Routes of automations: the rules (admins) and each rule's run log."""

from __future__ import annotations

from chalicelib.automations import assignees, service
from chalicelib.automations import schemas as s
from chalicelib.core.http import Api, ApiRequest

api = Api(__name__, tag="automations")


@api.route("/api/v1/automations", summary="The company's automation rules", query=s.ListQuery,
           response=s.AutomationPage, errors=(403,))
def automations_list(request: ApiRequest) -> s.AutomationPage:
    page = service.list_rules(request.tenant, limit=request.query.limit, cursor=request.query.cursor)
    problems = assignees.problems_of(request.tenant, page.items)
    return s.AutomationPage(items=[service.rule_read(rule, problems=problems.get(rule.rule_id)) for rule in page.items],
                            next_cursor=page.next_cursor)


@api.route("/api/v1/automations", method="POST", summary="Make an automation rule: a trigger, conditions, actions",
           body=s.AutomationCreate, response=s.AutomationRead, status=201, errors=(402, 403, 422))
def automations_create(request: ApiRequest) -> s.AutomationRead:
    rule, secret = service.create(request.tenant, data=request.body)
    return service.rule_read(rule, secret=secret)


@api.route("/api/v1/automations/{automation_id}", summary="One automation rule", response=s.AutomationRead,
           errors=(403, 404))
def automations_get(request: ApiRequest, automation_id: str) -> s.AutomationRead:
    rule = service.get_or_raise(request.tenant, automation_id)
    return service.rule_read(rule, problems=assignees.problems_of(request.tenant, [rule]).get(rule.rule_id))


@api.route("/api/v1/automations/{automation_id}", method="PATCH",
           summary="Change an automation rule (enabled: switch it on or off)", body=s.AutomationUpdate,
           response=s.AutomationRead, errors=(402, 403, 404, 409, 422))
def automations_update(request: ApiRequest, automation_id: str) -> s.AutomationRead:
    rule, secret = service.update(request.tenant, automation_id, data=request.body)
    return service.rule_read(rule, secret=secret,
                             problems=assignees.problems_of(request.tenant, [rule]).get(rule.rule_id))


@api.route("/api/v1/automations/{automation_id}", method="DELETE", summary="Delete an automation rule",
           status=204, errors=(403, 404))
def automations_delete(request: ApiRequest, automation_id: str) -> None:
    service.delete(request.tenant, automation_id)


@api.route("/api/v1/automations/{automation_id}/runs", summary="A rule's run log: each action's outcome and attempts",
           query=s.ListQuery, response=s.RunPage, errors=(403, 404))
def automations_runs(request: ApiRequest, automation_id: str) -> s.RunPage:
    page = service.list_runs(request.tenant, automation_id, limit=request.query.limit, cursor=request.query.cursor)
    return s.RunPage(items=[service.run_read(run) for run in page.items], next_cursor=page.next_cursor)
