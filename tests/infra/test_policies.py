"""Fast checks of the static infra files: the stage IAM policies and the merge template's references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
# Actions without resource-level permissions: "*" is the only Resource IAM accepts for them.
NO_RESOURCE_LEVEL = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# Logical ids `chalice package` generates, which infra/resources.json may reference and extend.
CHALICE_RESOURCES = {"APIHandler", "ApiHandlerRole", "RestAPI", "APIHandlerInvokePermission",
                     "WebsocketAPI", "WebsocketAPIStage", "WebsocketConnect", "WebsocketMessage", "WebsocketDisconnect",
                     "WebsocketMessageRole", "InboxEventsRole", "DataioJobsRole",
                     "TenantDataJobsRole", "HousekeepingRole", "DomainEventsRole", "DueTimersRole",
                     "InboxDispatchRole", "MailInRole", "CampaignSendsRole", "CampaignMailEventsRole",
                     "PersonalDataJobsRole"}


def _policy(stage: str) -> dict[str, Any]:
    return json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text(encoding="utf-8"))


def _statements(stage: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in _policy(stage)["Statement"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("stage", STAGES)
def test_policy_names_only_its_stage_resources(stage: str) -> None:
    other = next(s for s in STAGES if s != stage)
    text = json.dumps(_policy(stage))
    assert f"crm-{other}" not in text
    for statement in _policy(stage)["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = set(_as_list(statement["Action"]))
        assert not any(a == "*" or a.endswith(":*") for a in actions), statement["Sid"]
        for resource in _as_list(statement["Resource"]):
            if resource == "*":
                assert actions <= NO_RESOURCE_LEVEL, f"{statement['Sid']}: '*' resource for {actions}"
            elif f"crm-{stage}" not in resource:  # then a condition names the stage's resource (the key alias)
                assert ":ses:" in resource or f"crm-{stage}" in json.dumps(statement.get("Condition")), resource


@pytest.mark.parametrize("stage", STAGES)
def test_policy_covers_what_the_app_uses(stage: str) -> None:
    s = _statements(stage)
    p = f"crm-{stage}"
    # the table, and the one a point-in-time restore creates (infra/README.md)
    assert s["MainTableItems"]["Resource"] == [f"arn:aws:dynamodb:*:*:table/{p}-main",
                                               f"arn:aws:dynamodb:*:*:table/{p}-main-restored-*"]
    item_actions = set(s["MainTableItems"]["Action"])
    assert item_actions >= {"dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}
    assert "dynamodb:Scan" not in json.dumps(s)  # a Scan never runs on a request path
    assert s["MainTableIndexes"]["Resource"] == [
        f"arn:aws:dynamodb:*:*:table/{table}/index/{index}"
        for table in (f"{p}-main", f"{p}-main-restored-*") for index in ("gsi1", "gsi2")
    ]
    assert s["StageKeyByAlias"]["Condition"] == {"ForAnyValue:StringEquals": {"kms:ResourceAliases": [f"alias/{p}"]}}
    assert s["AppSecret"]["Resource"] == [f"arn:aws:secretsmanager:*:*:secret:{p}/app-??????"]
    assert set(s["AppSecret"]["Action"]) <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    assert s["ExportObjects"]["Resource"] == [f"arn:aws:s3:::{p}-exports-*/*"]
    assert s["ExportObjects"]["Condition"] == {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}
    assert "ses:SendEmail" in s["SendMail"]["Action"]
    assert s["JobQueues"]["Resource"] == [f"arn:aws:sqs:*:*:{p}-jobs", f"arn:aws:sqs:*:*:{p}-jobs-dlq"]
    assert s["FunctionDeadLetterQueue"] == {"Sid": "FunctionDeadLetterQueue", "Effect": "Allow",
                                            "Action": ["sqs:SendMessage"],
                                            "Resource": [f"arn:aws:sqs:*:*:{p}-functions-dlq"]}
    assert all(f"/aws/lambda/{p}-" in r for r in s["FunctionLogs"]["Resource"])


def test_stage_policies_differ_only_by_stage() -> None:
    assert json.dumps(_policy("dev")).replace("crm-dev", "crm-STAGE") == json.dumps(_policy("prod")).replace(
        "crm-prod", "crm-STAGE")


def _references(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if "Ref" in node:
            found.add(node["Ref"])
        if "Fn::GetAtt" in node:
            found.add(node["Fn::GetAtt"][0])
        if "Fn::Sub" in node:
            text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
            for part in text.split("${")[1:]:
                name = part.split("}", 1)[0]
                if not name.startswith("!"):
                    found.add(name.split(".", 1)[0])
        for value in node.values():
            found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return found


def test_merge_template_references_resolve() -> None:
    template = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    known = set(template["Resources"]) | set(template["Parameters"]) | CHALICE_RESOURCES
    dangling = {r for r in _references(template) if not r.startswith("AWS::") and r not in known}
    assert not dangling, dangling
    conditions = {r.get("Condition") for r in template["Resources"].values()} - {None}
    assert conditions <= set(template["Conditions"])
    # Chalice's own resources are only extended (no Type): their Type comes from `chalice package`.
    for name in CHALICE_RESOURCES & set(template["Resources"]):
        assert "Type" not in template["Resources"][name], name
