"""The deployable artefact: `chalice package` + infra/resources.json, linted, scanned and inspected,
and the Lambda bundle imported alone.

`chalice package` runs once for the module (it downloads the Linux wheels of requirements.txt from
PyPI on a clean machine). checkov and the SAM translator run from their own virtual environment
(checkov's pins conflict with requirements.txt, see infra/requirements-tools.txt), made on first use
in ~/.cache/crm-infra-tools/ and kept until that file or the interpreter changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BIN = Path(sys.executable).parent
STAGE = "dev"
APP_ENV = ("CRM_TABLE", "CRM_KMS_KEY_ID", "CRM_APP_SECRET_ID", "CRM_EXPORT_BUCKET")
# cfn-lint warnings accepted on the packaged template, rule id -> reason (also in infra/README.md).
CFN_LINT_WAIVED: dict[str, str] = {}
CFN_LINT_EXIT_CODES = tuple(range(0, 16, 2))  # a bit mask: 2 errors, 4 warnings, 8 informational
# Never in the bundle: dev and test dependencies, and the code that runs outside Lambda.
FORBIDDEN_TOP_LEVEL = {"moto", "pytest", "_pytest", "tests", "tenants", "local", "webhooks", "bench", "infra"}
ERROR_SHAPE = '{"error":{"code":"%s","message":%s,"details":[],"request_id":"$context.requestId"}}'


def _tool(name: str) -> str:
    candidate = BIN / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    assert found, f"{name} is not installed (make test installs requirements-dev.txt)"
    return found


def _run(cmd: list[str], *, timeout: int = 600, env: dict[str, str] | None = None,
         ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode in ok_codes, (
        f"{' '.join(cmd)} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )
    return proc


def _tool_env() -> dict[str, str]:
    """The environment of the tool subprocesses: none of the suite's app settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "POWERTOOLS_"))}
    env["AWS_DEFAULT_REGION"] = "eu-west-1"
    return env


# -- fixtures: one package, one checkov ---------------------------------------------------------


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "out"
    _run([_tool("chalice"), "--project-dir", str(ROOT), "package", "--stage", STAGE,
          "--merge-template", str(INFRA / "resources.json"), str(out)], env=_tool_env())
    return out


@pytest.fixture(scope="module")
def template(package_dir: Path) -> dict[str, Any]:
    return json.loads((package_dir / "sam.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


@pytest.fixture(scope="module")
def bundle_dir(package_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        bundle.extractall(out)
    return out


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _tools_home() -> Path:
    """Where the scanners' environment is kept between runs: like pip's cache, outside the checkout."""
    override = os.environ.get("CRM_INFRA_TOOLS_DIR")
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crm-infra-tools"


@pytest.fixture(scope="module")
def tools_bin() -> Path:
    """The bin/ of the scanners' virtual environment, pinned by infra/requirements-tools.txt.

    Made once per machine (about 40 s) and reused by every checkout, CI's fresh clones included; a
    change of the requirements or of the interpreter makes a new one.
    """
    requirements = INFRA / "requirements-tools.txt"
    spec = requirements.read_text(encoding="utf-8")
    identity = f"{spec}\n{sys.version}\n{getattr(sys, '_base_executable', sys.executable)}"
    home = _tools_home()
    venv = home / f"infra-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
    marker = venv / ".installed"
    with _locked(home / ".lock"):
        if not marker.exists():
            shutil.rmtree(venv, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(venv)])
            _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  "-r", str(requirements)])
            marker.write_text(identity, encoding="utf-8")
        tables = venv / ".parse-tables"
        if not tables.exists():
            _run([str(venv / "bin" / "python"), "-c", PARSE_TABLES])
            tables.write_text(identity, encoding="utf-8")
    return venv / "bin"


# checkov reads the template's Fn::Sub and GetAtt paths with bc_jsonpath_ng, whose parser has ply build its LALR
# tables anew on every parse (write_tables=0): about 60% of checkov's time on our template (#22). ply loads the
# tables from a module beside the parser's when one is there and its grammar's signature matches (otherwise it
# builds them as before), so the scanners' environment gets those modules once: the same tables, the same scan.
PARSE_TABLES = r"""
import importlib, os, sys, ply.yacc
from bc_jsonpath_ng import parser as base
from bc_jsonpath_ng.ext import parser as ext
for module, grammar in ((base, base.JsonPathParser()), (ext, ext.ExtentedJsonPathParser())):
    ply.yacc.yacc(module=grammar, start="jsonpath", tabmodule="parser_jsonpath_parsetab", debug=False,
                  outputdir=os.path.dirname(module.__file__), write_tables=1, errorlog=ply.yacc.NullLogger())
    importlib.invalidate_caches()
    module.parse("Resources.*.Properties")
    assert module.__package__ + ".parser_jsonpath_parsetab" in sys.modules, "ply did not read the tables it wrote"
"""


def _effective_function(template: dict[str, Any], name: str) -> dict[str, Any]:
    """A function's properties with the SAM Globals merged in (maps merge, the function wins)."""
    props = dict(template["Resources"][name]["Properties"])
    globals_ = template.get("Globals", {}).get("Function", {})
    for key, value in globals_.items():
        if key == "Environment":
            variables = {**value.get("Variables", {}), **props.get("Environment", {}).get("Variables", {})}
            props["Environment"] = {"Variables": variables}
        else:
            props.setdefault(key, value)
    return props


# -- linters ----------------------------------------------------------------------------------


def test_cfn_lint_reports_no_errors(package_dir: Path) -> None:
    proc = _run([_tool("cfn-lint"), "--format", "json", str(package_dir / "sam.json")], ok_codes=CFN_LINT_EXIT_CODES)
    matches = json.loads(proc.stdout or "[]")
    errors = [f"{m['Rule']['Id']} {m['Message']}" for m in matches if m["Level"] == "Error"]
    assert not errors, errors
    warnings = [f"{m['Rule']['Id']} {m['Message']}" for m in matches
                if m["Level"] == "Warning" and m["Rule"]["Id"] not in CFN_LINT_WAIVED]
    assert not warnings, "new cfn-lint warnings: fix them or waive them with a reason " + repr(warnings)


SAM_TRANSFORM = r"""
import json, sys
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    def load(self):
        return {}

template = json.load(open(sys.argv[1]))
for resource in template["Resources"].values():  # what infra.deploy does before CloudFormation sees it
    if resource["Properties"].get("CodeUri") == "./deployment.zip":
        resource["Properties"]["CodeUri"] = {"Bucket": "crm-deploy-artifacts-123456789012-eu-west-1", "Key": "b.zip"}
json.dump(transform(template, {"Stage": "dev"}, NoManagedPolicies()), open(sys.argv[2], "w"), indent=1)
"""


def test_sam_transform_output_lints_clean(package_dir: Path, tools_bin: Path, tmp_path: Path) -> None:
    """What CloudFormation deploys after the SAM transform: functions with the Globals, the API's stage."""
    out = tmp_path / "transformed.json"
    _run([str(tools_bin / "python"), "-c", SAM_TRANSFORM, str(package_dir / "sam.json"), str(out)], env=_tool_env())
    transformed = json.loads(out.read_text(encoding="utf-8"))
    resources = transformed["Resources"]
    handler = resources["APIHandler"]["Properties"]
    assert set(APP_ENV) <= set(handler["Environment"]["Variables"])
    assert handler["TracingConfig"] == {"Mode": "Active"}
    body = resources["RestAPI"]["Properties"]["Body"]
    assert "MISSING_AUTHENTICATION_TOKEN" in body["x-amazon-apigateway-gateway-responses"]
    assert resources["RestAPI"]["DependsOn"] == ["ApiGatewayAccount"]  # the logging role exists first
    stage = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage")
    assert stage["TracingEnabled"] is True and "AccessLogSetting" in stage
    proc = _run([_tool("cfn-lint"), "--format", "json", str(out)], ok_codes=CFN_LINT_EXIT_CODES)
    matches = json.loads(proc.stdout or "[]")
    assert not [f"{m['Rule']['Id']} {m['Message']}" for m in matches if m["Level"] in {"Error", "Warning"}]


def _waivers() -> set[tuple[str, str]]:
    """(check id, resource pattern) pairs from infra/checkov-waivers.txt."""
    waivers = set()
    for line in (INFRA / "checkov-waivers.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        check_id, resource, reason = [*line.split(None, 2), "", ""][:3]
        assert len(reason) > 20, f"checkov waiver without a reason: {line!r}"
        waivers.add((check_id, resource))
    return waivers


def test_checkov_fails_nothing_but_the_documented_waivers(package_dir: Path, tools_bin: Path) -> None:
    proc = _run([str(tools_bin / "checkov"), "-f", str(package_dir / "sam.json"), "--framework", "cloudformation",
                 "--output", "json", "--skip-download", "--compact"], ok_codes=(0, 1), env=_tool_env())
    report = json.loads(proc.stdout)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 30, report["summary"]  # the template was really scanned
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    waivers = _waivers()

    def waived(finding: tuple[str, str], waiver: tuple[str, str]) -> bool:
        return finding[0] == waiver[0] and fnmatch.fnmatchcase(finding[1], waiver[1])

    unwaived = {f for f in failed if not any(waived(f, w) for w in waivers)}
    stale = {w for w in waivers if not any(waived(f, w) for f in failed)}
    assert not unwaived, f"checkov findings not waived in infra/checkov-waivers.txt: {sorted(unwaived)}"
    assert not stale, f"stale waivers (they match no finding any more), remove them: {sorted(stale)}"


# -- data -------------------------------------------------------------------------------------


def _assert_protected_table(resource: dict[str, Any], ttl_attribute: str) -> dict[str, Any]:
    assert resource["Type"] == "AWS::DynamoDB::Table"
    assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
    props = resource["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "AppKey"}}
    assert props["TimeToLiveSpecification"] == {"AttributeName": ttl_attribute, "Enabled": True}
    return props


def test_main_table(resources: dict[str, Any]) -> None:
    props = _assert_protected_table(resources["MainTable"], "expires_at")
    assert props["TableName"] == {"Fn::Sub": "crm-${Stage}-main"}
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    indexes = {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2"}
    for name, gsi in indexes.items():
        assert gsi["KeySchema"] == [{"AttributeName": f"{name}pk", "KeyType": "HASH"},
                                    {"AttributeName": f"{name}sk", "KeyType": "RANGE"}]
        assert gsi["Projection"] == {"ProjectionType": "ALL"}
    declared = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert declared == dict.fromkeys(("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"), "S")


def test_main_table_matches_the_pynamodb_models(resources: dict[str, Any]) -> None:
    from chalicelib.core import db

    props = resources["MainTable"]["Properties"]
    assert [a["AttributeName"] for a in props["KeySchema"]] == [db.MainTable.pk.attr_name, db.MainTable.sk.attr_name]
    indexes = {gsi["IndexName"]: [k["AttributeName"] for k in gsi["KeySchema"]]
               for gsi in props["GlobalSecondaryIndexes"]}
    assert indexes == {db.Gsi1.Meta.index_name: ["gsi1pk", "gsi1sk"], db.Gsi2.Meta.index_name: ["gsi2pk", "gsi2sk"]}
    assert props["TimeToLiveSpecification"]["AttributeName"] == db.MainTable.expires_at.attr_name


def test_the_stack_provisions_one_table(resources: dict[str, Any]) -> None:
    """Single-table design: Idempotency-Key answers, dedupe marks and timers live in the main table too, so a
    table nothing reads (as the Powertools idempotency table was) is not paid for, alarmed on, nor granted."""
    from chalicelib.core import db, idempotency

    tables = [name for name, resource in resources.items() if resource.get("Type") == "AWS::DynamoDB::Table"]
    assert tables == ["MainTable"]
    assert issubclass(idempotency.IdempotencyRecord, db.MainTable)


def test_key_rotates_and_its_policy_is_scoped(resources: dict[str, Any]) -> None:
    key = resources["AppKey"]
    assert key["DeletionPolicy"] == "Retain"
    props = key["Properties"]
    assert props["EnableKeyRotation"] is True
    assert props["KeySpec"] == "SYMMETRIC_DEFAULT" and props["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert resources["AppKeyAlias"]["Properties"] == {"AliasName": {"Fn::Sub": "alias/crm-${Stage}"},
                                                      "TargetKeyId": {"Ref": "AppKey"}}
    statements = {s["Sid"]: s for s in props["KeyPolicy"]["Statement"]}
    for statement in statements.values():
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] != "*" and statement["Principal"].get("AWS") != "*"
    admin = statements["KeyAdministrationByAccountIam"]
    assert not {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:*"} & set(admin["Action"])
    usage = [s for s in statements.values() if {"kms:Decrypt", "kms:GenerateDataKey"} & set(s["Action"])]
    assert all("Condition" in s for s in usage), "every use of the key is conditioned"
    via = statements["AccountUseThroughCrmAwsServices"]["Condition"]["StringEquals"]
    assert via["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
    assert {v["Fn::Sub"].split(".")[0] for v in via["kms:ViaService"]} == {
        "dynamodb", "secretsmanager", "s3", "sqs", "sns", "lambda"}
    tenant = statements["AccountUseForTenantDataKeys"]
    assert set(tenant["Action"]) == {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"}
    assert tenant["Condition"] == {"Null": {"kms:EncryptionContext:tenant_id": "false"},
                                   "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant_id"]}}


def test_secret_is_encrypted_under_the_key_and_kept(resources: dict[str, Any]) -> None:
    secret = resources["AppSecret"]
    assert secret["DeletionPolicy"] == "Retain"
    assert secret["Properties"]["Name"] == {"Fn::Sub": "crm-${Stage}/app"}
    assert secret["Properties"]["KmsKeyId"] == {"Ref": "AppKey"}
    assert "GenerateSecretString" in secret["Properties"]  # a placeholder, replaced by infra.deploy


def test_export_bucket_is_private_encrypted_and_short_lived(resources: dict[str, Any]) -> None:
    props = resources["ExportBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True)
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["AppKey", "Arn"]}}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-exports"]["ExpirationInDays"] == 7 and rules["expire-exports"]["Status"] == "Enabled"
    policy = resources["ExportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy)


def test_queues_are_encrypted_with_dead_letter_queues(template: dict[str, Any], resources: dict[str, Any]) -> None:
    queues = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::SQS::Queue"}
    assert set(queues) == {"JobsQueue", "JobsDeadLetterQueue", "FunctionDeadLetterQueue", "MailInQueue",
                           "MailInDeadLetterQueue", "CampaignsQueue", "CampaignsDeadLetterQueue",
                           "CampaignMailEventsQueue", "CampaignMailEventsDeadLetterQueue", "PersonalDataQueue",
                           "PersonalDataDeadLetterQueue"}
    # S3 notifies the mail queue (#17): SQS's own keys, so the stage key never has to trust S3 as a principal
    assert all(q["KmsMasterKeyId"] == {"Ref": "AppKey"} for n, q in queues.items() if not n.startswith("MailIn"))
    assert all(q["SqsManagedSseEnabled"] is True for n, q in queues.items() if n.startswith("MailIn"))
    assert queues["MailInQueue"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["MailInDeadLetterQueue", "Arn"]}
    assert queues["JobsQueue"]["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    assert queues["CampaignsQueue"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["CampaignsDeadLetterQueue", "Arn"]}
    assert queues["PersonalDataQueue"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["PersonalDataDeadLetterQueue", "Arn"]}
    # every function's failed asynchronous invocations (schedules, events) are parked, not dropped
    assert template["Globals"]["Function"]["DeadLetterQueue"] == {
        "Type": "SQS", "TargetArn": {"Fn::GetAtt": ["FunctionDeadLetterQueue", "Arn"]}}


def test_queue_handlers_return_only_their_failed_messages(resources: dict[str, Any]) -> None:
    # inbox_events answers batchItemFailures; without ReportBatchItemFailures Lambda would ignore it and
    # delete the failed messages with the rest. The merge must land on the event chalice made (name match).
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    sources = {name: event for function in functions for name, event in (function.get("Events") or {}).items()
               if event.get("Type") != "Schedule"}
    assert set(sources) == {"InboxEventsSqsEventSource", "MailInSqsEventSource", "CampaignSendsSqsEventSource",
                            "CampaignMailEventsSqsEventSource", "PersonalDataJobsSqsEventSource",
                            "DomainEventsDynamodbEventSource", "InboxDispatchDynamodbEventSource"}, sources
    # mail_in, campaign_sends, campaign_mail_events and personal_data_jobs answer batchItemFailures too
    for name in ("InboxEventsSqsEventSource", "MailInSqsEventSource", "CampaignSendsSqsEventSource",
                 "CampaignMailEventsSqsEventSource", "PersonalDataJobsSqsEventSource"):
        event = sources[name]
        assert event["Type"] == "SQS" and event["Properties"]["Queue"]
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # the domain-event feed (#19): the table's own stream, retried from the failed record on (order kept), only
    # audit records' inserts delivered, parked in the dead-letter queue when they keep failing
    feed = sources["DomainEventsDynamodbEventSource"]["Properties"]
    assert sources["DomainEventsDynamodbEventSource"]["Type"] == "DynamoDB"
    assert feed["Stream"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}
    assert feed["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and feed["BisectBatchOnFunctionError"] is False
    pattern = json.loads(feed["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern["dynamodb"]["NewImage"]["kind"] == {"S": ["audit"]}
    assert resources["MainTable"]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    # the inbox dispatch (#22): the same stream, its own reader, given only the audit records of stored events
    dispatch = sources["InboxDispatchDynamodbEventSource"]["Properties"]
    assert dispatch["Stream"] == {"Fn::GetAtt": ["MainTable", "StreamArn"]}
    pattern = json.loads(dispatch["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern["dynamodb"]["NewImage"] == {"kind": {"S": ["audit"]}, "action": {"S": ["receive"]}}


def test_alarms_cover_api_lambda_dynamodb_and_dlq(resources: dict[str, Any]) -> None:
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = set()
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        if "MetricName" in alarm:
            watched.add((alarm["Namespace"], alarm["MetricName"]))
        for metric in alarm.get("Metrics", []):
            if "MetricStat" in metric:
                watched.add((metric["MetricStat"]["Metric"]["Namespace"], metric["MetricStat"]["Metric"]["MetricName"]))
    assert {("AWS/ApiGateway", "5XXError"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"),
            ("AWS/DynamoDB", "ReadThrottleEvents"), ("AWS/DynamoDB", "WriteThrottleEvents"),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible")} <= watched


# -- API and functions ------------------------------------------------------------------------


def test_gateway_responses_use_the_error_shape(resources: dict[str, Any]) -> None:
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert body["info"]["title"] == {"Fn::Sub": "crm-${Stage}"}  # the ApiName the 5xx alarm watches
    responses = body["x-amazon-apigateway-gateway-responses"]
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["statusCode"] == "404"
    assert missing["responseTemplates"]["application/json"] == (
        '{"error":{"code":"route_not_found","message":"No such route.","details":[],"request_id":"$context.requestId"}}'
    )
    for name, code in (("DEFAULT_4XX", "bad_request"), ("DEFAULT_5XX", "internal_error")):
        assert responses[name]["responseTemplates"]["application/json"] == ERROR_SHAPE % (
            code, "$context.error.messageString")
    for name, response in responses.items():
        rendered = response["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"Forbidden"').replace("$context.requestId", "req-1")
        error = json.loads(rendered)["error"]
        assert set(error) == {"code", "message", "details", "request_id"}, name
        assert response["responseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"


def test_api_stage_is_traced_logged_and_throttled(resources: dict[str, Any]) -> None:
    props = resources["RestAPI"]["Properties"]
    assert props["TracingEnabled"] is True
    assert props["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "$context.requestId" in props["AccessLogSetting"]["Format"]
    assert props["MethodSettings"][0]["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRateLimit"}


def test_every_function_gets_the_resource_names(template: dict[str, Any]) -> None:
    functions = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    assert "APIHandler" in functions
    expected = {
        "CRM_TABLE": {"Fn::If": ["UseRestoredMainTable", {"Ref": "RestoredMainTableName"}, {"Ref": "MainTable"}]},
        "CRM_KMS_KEY_ID": {"Fn::GetAtt": ["AppKey", "Arn"]},
        "CRM_APP_SECRET_ID": {"Ref": "AppSecret"},
        "CRM_EXPORT_BUCKET": {"Ref": "ExportBucket"},
    }
    assert set(expected) == set(APP_ENV)
    for name in functions:
        props = _effective_function(template, name)
        variables = props["Environment"]["Variables"]
        assert {k: variables.get(k) for k in APP_ENV} == expected, name
        assert variables["CRM_STAGE"] == STAGE
        assert props["KmsKeyArn"] == {"Fn::GetAtt": ["AppKey", "Arn"]}
    assert template["Resources"]["APIHandler"]["Properties"]["Tracing"] == "Active"


def test_function_role_is_the_stage_policy_file(resources: dict[str, Any]) -> None:
    policy_file = json.loads((ROOT / ".chalice" / f"policy-{STAGE}.json").read_text(encoding="utf-8"))
    roles = [r for r in resources.values() if r["Type"] == "AWS::IAM::Role" and "Policies" in r["Properties"]]
    assert roles
    for role in roles:
        assert role["Properties"]["Policies"][0]["PolicyDocument"] == policy_file


def test_the_live_updates_websocket_api(template: dict[str, Any], resources: dict[str, Any]) -> None:
    routes = {r["Properties"]["RouteKey"]: r["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
              for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes == {"$connect": "WebsocketConnectAPIIntegration", "$default": "WebsocketMessageAPIIntegration",
                      "$disconnect": "WebsocketDisconnectAPIIntegration"}
    handlers = {name: resources[name]["Properties"]["Handler"]
                for name in ("WebsocketConnect", "WebsocketMessage", "WebsocketDisconnect")}
    assert handlers == {"WebsocketConnect": "app.live_connect", "WebsocketMessage": "app.live_message",
                        "WebsocketDisconnect": "app.live_disconnect"}
    stage = resources["WebsocketAPIStage"]
    assert stage["DependsOn"] == ["ApiGatewayAccount"] and stage["Properties"]["StageName"] == "api"
    access = stage["Properties"]["AccessLogSettings"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["LiveAccessLogGroup", "Arn"]}
    assert "$context.requestId" in access["Format"] and "query" not in access["Format"].lower()  # tickets
    route_settings = stage["Properties"]["DefaultRouteSettings"]
    assert route_settings["DataTraceEnabled"] is False  # a full trace would log $connect's ticket
    assert route_settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRateLimit"}
    host = "${WebsocketAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"
    for name in [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]:
        variables = _effective_function(template, name)["Environment"]["Variables"]
        assert variables["CRM_LIVE_URL"] == {"Fn::Sub": f"wss://{host}"}, name
        assert variables["CRM_LIVE_ENDPOINT_URL"] == {"Fn::Sub": f"https://{host}"}, name


def test_functions_that_push_may_post_to_live_connections_and_nothing_more(resources: dict[str, Any]) -> None:
    policy = resources["LiveConnectionsPolicy"]["Properties"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == ["execute-api:ManageConnections"]
    assert statement["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}"
                                                 ":${WebsocketAPI}/api/POST/@connections/*"}]
    roles = {r["Properties"]["Role"]["Fn::GetAtt"][0] for r in resources.values()
             if r["Type"] == "AWS::Serverless::Function"}
    # Every function may push (a push it may not make would fail silently: pushes never raise), except the
    # two that only open and forget connections. A new function's role must be placed here.
    assert {ref["Ref"] for ref in policy["Roles"]} == roles - {"WebsocketConnectRole", "WebsocketDisconnectRole"}


# -- the bundle -------------------------------------------------------------------------------


def test_bundle_holds_no_dev_or_operator_code(package_dir: Path) -> None:
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        names = bundle.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert "app.py" in top and "chalicelib" in top and "chalice" in top
    assert not FORBIDDEN_TOP_LEVEL & top, FORBIDDEN_TOP_LEVEL & top
    dist_infos = {t.split("-", 1)[0].lower() for t in top if t.endswith(".dist-info")}
    assert not {"moto", "pytest", "chalice", "ruff", "mypy", "cfn_lint"} & dist_infos


# Lambda's python3.11 runtime (Amazon Linux 2) has glibc 2.26; a wheel of a later manylinux does not load there.
LAMBDA_GLIBC = (2, 26)
LEGACY_MANYLINUX = {"manylinux1_x86_64": "manylinux_2_5_x86_64", "manylinux2010_x86_64": "manylinux_2_12_x86_64",
                    "manylinux2014_x86_64": "manylinux_2_17_x86_64"}


def _fits_lambda(tag: str) -> bool:
    """A wheel tag (python-abi-platform, platforms joined by dots) one of whose platforms Lambda's glibc runs."""
    for platform_tag in tag.rsplit("-", 1)[-1].split("."):
        found = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", LEGACY_MANYLINUX.get(platform_tag, platform_tag))
        if found and (int(found[1]), int(found[2])) <= LAMBDA_GLIBC:
            return True
    return False


def test_bundle_binaries_are_wheels_built_for_lambda(package_dir: Path) -> None:
    # Where no wheel fits Lambda's glibc, chalice builds the package from its sdist on this machine: the result
    # links this machine's libraries and fails to import on Lambda (Pillow 13.0.0 did: libjpeg.so.62, libxcb).
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        wheels = {name.split("/", 1)[0]: bundle.read(name).decode() for name in bundle.namelist()
                  if name.endswith(".dist-info/WHEEL")}
    assert "pydantic_core" in " ".join(wheels)  # a binary one is among them
    built_here: dict[str, list[str]] = {}
    for dist, text in wheels.items():
        tags = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]
        if "Root-Is-Purelib: true" not in text and not any(_fits_lambda(tag) for tag in tags):
            built_here[dist] = tags
    assert not built_here, built_here


IMPORT_ALONE = r"""
import sys, sysconfig
bundle = sys.argv[1]
assert not any("site-packages" in p for p in sys.path), sys.path
stdlib = [p for p in sys.path if p]
sys.path[:] = [bundle, *stdlib]
import app
assert "/api/v1/health" in app.app.routes, sorted(app.app.routes)
# Lambda calls "app.<name>": each function's handler must be a callable of its own in app.py.
handlers = sys.argv[2].split(",")
missing = [h for h in handlers if not callable(getattr(app, h.split(".", 1)[1], None))]
assert not missing and len(set(handlers)) == len(handlers), (missing, handlers)
# What the handlers import on first use must be in the bundle too.
import importlib, pkgutil, chalicelib
for found in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
    importlib.import_module(found.name)
allowed = (bundle, *stdlib, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
strays = sorted(
    f"{name}: {mod.__file__}" for name, mod in list(sys.modules.items())
    if getattr(mod, "__file__", None) and not str(mod.__file__).startswith(allowed)
)
assert not strays, strays
print(len(app.app.routes))
"""


def test_bundle_imports_alone_and_every_function_finds_its_handler(bundle_dir: Path,
                                                                   template: dict[str, Any]) -> None:
    if platform.machine() not in {"x86_64", "AMD64"} or sys.version_info[:2] != (3, 11):
        pytest.skip("the bundle holds CPython 3.11 x86_64 wheels (the Lambda runtime): run on such a machine")
    handlers = [r["Properties"]["Handler"] for r in template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"]
    assert len(handlers) >= 6 and all(h.startswith("app.") for h in handlers), handlers
    proc = _run([sys.executable, "-I", "-S", "-c", IMPORT_ALONE, str(bundle_dir), ",".join(handlers)],
                env={"CRM_STAGE": STAGE, "AWS_DEFAULT_REGION": "eu-west-1"}, timeout=120)
    assert int(proc.stdout.strip()) >= 2


def test_campaign_mail_events_flow_from_the_configuration_set_to_their_queue(resources: dict[str, Any]) -> None:
    # #24: campaign e-mails go out with the configuration set; its destination publishes delivery, bounce, complaint,
    # reject and rendering failure to the (encrypted) topic, which only SES's set may publish to; the topic delivers
    # raw to the queue app.campaign_mail_events reads, which only that topic may send to.
    destination = resources["CampaignMailEventDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "CampaignMailConfigurationSet"}
    assert resources["CampaignMailConfigurationSet"]["Properties"]["Name"] == {"Fn::Sub": "crm-${Stage}-campaigns"}
    events = destination["EventDestination"]
    assert events["Enabled"] is True and events["SnsDestination"] == {"TopicARN": {"Ref": "CampaignMailEventsTopic"}}
    assert set(events["MatchingEventTypes"]) == {"delivery", "bounce", "complaint", "reject", "renderingFailure"}
    assert resources["CampaignMailEventsTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AppKey"}
    [publish, _] = resources["CampaignMailEventsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert publish["Principal"] == {"Service": "ses.amazonaws.com"}
    assert "aws:SourceArn" in publish["Condition"]["ArnLike"]
    subscription = resources["CampaignMailEventsSubscription"]["Properties"]
    assert subscription["Protocol"] == "sqs" and subscription["RawMessageDelivery"] is True
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["CampaignMailEventsQueue", "Arn"]}
    [send, _] = resources["CampaignMailEventsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert send["Principal"] == {"Service": "sns.amazonaws.com"}
    assert send["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "CampaignMailEventsTopic"}}}
    key = resources["AppKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": ["ses.amazonaws.com", "sns.amazonaws.com"]} for s in key)
