"""infra.deploy against the suite's embedded AWS: the secret bootstrap, artifact upload, change sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import deploy
from tenants.secrets import generate_app_secret

REGION = "eu-west-1"


def _secret_id(name: str) -> str:
    from chalicelib.core.tenancy import new_id

    return f"crm-infratest-{new_id().lower()}/{name}"


@pytest.fixture
def secrets() -> Any:
    return boto3.client("secretsmanager", region_name=REGION)


def _value(client: Any, secret_id: str) -> dict[str, Any]:
    return json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])


def test_bootstrap_creates_a_missing_secret(secrets: Any) -> None:
    secret_id = _secret_id("app")
    assert deploy.bootstrap_app_secret(secrets, secret_id) == "created"
    assert _value(secrets, secret_id).keys() >= deploy.APP_SECRET_KEYS


def test_bootstrap_replaces_the_template_placeholder_once(secrets: Any) -> None:
    secret_id = _secret_id("app")
    secrets.create_secret(Name=secret_id, SecretString="Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0")  # GenerateSecretString
    assert deploy.bootstrap_app_secret(secrets, secret_id) == "filled"
    first = _value(secrets, secret_id)
    assert first.keys() >= deploy.APP_SECRET_KEYS and first["jwt_keys"][0]["kid"]
    assert deploy.bootstrap_app_secret(secrets, secret_id) == "present"
    assert _value(secrets, secret_id) == first  # a second deploy never regenerates the keys


def test_bootstrap_restores_a_secret_a_template_change_overwrote(secrets: Any) -> None:
    secret_id = _secret_id("app")
    real = generate_app_secret()
    secrets.create_secret(Name=secret_id, SecretString=json.dumps(real))
    secrets.put_secret_value(SecretId=secret_id, SecretString="regeneratedplaceholdervalue0123")
    assert deploy.bootstrap_app_secret(secrets, secret_id) == "restored"
    assert _value(secrets, secret_id) == real


def test_bootstrap_refuses_to_overwrite_an_incomplete_secret(secrets: Any) -> None:
    secret_id = _secret_id("app")
    secrets.create_secret(Name=secret_id, SecretString=json.dumps({"jwt_keys": []}))
    with pytest.raises(deploy.DeployError, match="fix it by hand"):
        deploy.bootstrap_app_secret(secrets, secret_id)


def _fake_package(tmp_path: Path, stage: str = "dev", *, merged: bool = True) -> Path:
    resources: dict[str, Any] = {
        "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {
            "CodeUri": "./deployment.zip", "Environment": {"Variables": {"CRM_STAGE": stage}}}},
    }
    if merged:
        resources["MainTable"] = {"Type": "AWS::DynamoDB::Table", "Properties": {}}
    (tmp_path / "sam.json").write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    (tmp_path / "deployment.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return tmp_path


def test_package_must_be_built_for_the_stage_with_the_merge_template(tmp_path: Path) -> None:
    with pytest.raises(deploy.DeployError, match="make package"):
        deploy.load_packaged_template(tmp_path, "dev")
    _fake_package(tmp_path, "prod")
    with pytest.raises(deploy.DeployError, match="packaged for stage 'prod'"):
        deploy.load_packaged_template(tmp_path, "dev")
    _fake_package(tmp_path, "dev", merged=False)
    with pytest.raises(deploy.DeployError, match="merge-template"):
        deploy.load_packaged_template(tmp_path, "dev")
    _fake_package(tmp_path, "dev")
    assert "APIHandler" in deploy.load_packaged_template(tmp_path, "dev")["Resources"]


def _drop_tls_policy(s3: Any, bucket: str) -> None:
    """Check the TLS-only bucket policy, then remove it: moto ignores its condition and denies all."""
    statement = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    s3.delete_bucket_policy(Bucket=bucket)


def test_artifacts_upload_to_a_private_bucket_and_code_uri_points_there(tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    bucket = deploy.artifact_bucket_name("123456789012", REGION)
    assert deploy.ensure_artifact_bucket(s3, bucket, REGION) is True
    assert deploy.ensure_artifact_bucket(s3, bucket, REGION) is False
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    _drop_tls_policy(s3, bucket)
    package = _fake_package(tmp_path)
    template = deploy.load_packaged_template(package, "dev")
    url = deploy.upload_artifacts(s3, bucket=bucket, region=REGION, stack_name="crm-dev", template=template,
                                  package_dir=package)
    code = template["Resources"]["APIHandler"]["Properties"]["CodeUri"]
    assert code["Bucket"] == bucket and code["Key"].startswith("crm-dev/") and code["Key"].endswith(".zip")
    assert s3.get_object(Bucket=bucket, Key=code["Key"])["Body"].read() == (package / "deployment.zip").read_bytes()
    key = url.split(".amazonaws.com/", 1)[1]
    uploaded = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert uploaded["Resources"]["APIHandler"]["Properties"]["CodeUri"] == code


def test_parameters_carry_the_stage_and_overrides() -> None:
    params = deploy.stack_parameters("prod", ["LogRetentionDays=90"], alarm_email="ops@example.com")
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params} == {
        "Stage": "prod", "AlarmEmail": "ops@example.com", "LogRetentionDays": "90"}
    with pytest.raises(deploy.DeployError):
        deploy.stack_parameters("prod", ["Stage=dev"])
    with pytest.raises(deploy.DeployError):
        deploy.stack_parameters("prod", ["LogRetentionDays"])


def test_deploy_stack_creates_then_updates_through_change_sets() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    cfn = boto3.client("cloudformation", region_name=REGION)
    protected: list[dict[str, Any]] = []
    cfn.update_termination_protection = lambda **kwargs: protected.append(kwargs)  # not in moto
    bucket = deploy.artifact_bucket_name("210987654321", REGION)
    deploy.ensure_artifact_bucket(s3, bucket, REGION)
    _drop_tls_policy(s3, bucket)

    def upload(retention: int) -> str:
        template = {
            "Parameters": {"Stage": {"Type": "String"}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {
                "QueueName": {"Fn::Sub": "crm-${Stage}-deploytest"}, "MessageRetentionPeriod": retention}}},
            "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
        }
        key = f"crm-infratest/{retention}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(template).encode())
        return f"https://{bucket}.s3.{REGION}.amazonaws.com/{key}"

    params = deploy.stack_parameters("dev")
    tags = {"app": "crm", "stage": "dev"}
    assert deploy.keep_previous_values(params, deployed=None, template_parameters={"Stage"}) == params
    assert deploy.deploy_stack(cfn, stack_name="crm-infratest", template_url=upload(3600), parameters=params,
                               tags=tags) == "created"
    sqs = boto3.client("sqs", region_name=REGION)
    assert sqs.get_queue_url(QueueName="crm-dev-deploytest")["QueueUrl"]  # (moto keeps no change-set outputs)
    assert isinstance(deploy.stack_outputs(cfn, "crm-infratest"), dict)
    assert deploy.deploy_stack(cfn, stack_name="crm-infratest", template_url=upload(7200), parameters=params,
                               tags=tags) == "updated"
    assert deploy.deploy_stack(cfn, stack_name="crm-infratest", template_url=upload(7200), parameters=params,
                               tags=tags) == "unchanged"
    assert deploy.deploy_stack(cfn, stack_name="crm-infratest", template_url=upload(10800), parameters=params,
                               tags=tags, execute=False) == "review"
    assert protected[0] == {"StackName": "crm-infratest", "EnableTerminationProtection": True}


def test_parameters_not_given_keep_their_deployed_values() -> None:
    deployed = {"StackStatus": "UPDATE_COMPLETE", "Parameters": [
        {"ParameterKey": "Stage", "ParameterValue": "dev"},
        {"ParameterKey": "RestoredMainTableName", "ParameterValue": "crm-dev-main-restored-1"},
        {"ParameterKey": "AlarmEmail", "ParameterValue": "ops@example.com"},
        {"ParameterKey": "Removed", "ParameterValue": "x"},
    ]}
    params = deploy.stack_parameters("dev", ["AlarmEmail="])
    merged = deploy.keep_previous_values(params, deployed=deployed,
                                         template_parameters={"Stage", "RestoredMainTableName", "AlarmEmail"})
    assert merged == [{"ParameterKey": "Stage", "ParameterValue": "dev"},
                      {"ParameterKey": "AlarmEmail", "ParameterValue": ""},
                      {"ParameterKey": "RestoredMainTableName", "UsePreviousValue": True}]


def test_env_exports_name_what_config_reads() -> None:
    outputs = {"TableName": "crm-dev-main", "ExportBucketName": "crm-dev-exports-1", "Other": "x"}
    lines = deploy.env_exports("dev", REGION, outputs)
    assert lines == ["export CRM_STAGE=dev", f"export AWS_REGION={REGION}", "export CRM_TABLE=crm-dev-main",
                     "export CRM_EXPORT_BUCKET=crm-dev-exports-1"]
    from chalicelib.core.config import Settings

    settings = Settings.from_env(dict(line.removeprefix("export ").split("=", 1) for line in lines))
    assert settings.table_name == "crm-dev-main" and settings.export_bucket == "crm-dev-exports-1"
