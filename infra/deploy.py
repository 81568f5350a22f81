"""Deploy one stage: the `chalice package` output through S3 and a CloudFormation change set, then
bootstrap the stage's application secret.

    make deploy STAGE=dev        # chalice package ... build/package, then this module
    python -m infra.deploy --stage dev [--alarm-email ops@example.com] [--no-execute]

Steps (boto3 only; no AWS CLI needed):

1. read ``build/package/sam.json`` and check it was packaged for this stage;
2. upload ``deployment.zip`` and the template (content-addressed keys) to the artifact bucket
   ``crm-deploy-artifacts-<account>-<region>`` (created private, encrypted and TLS-only if missing),
   pointing every function's ``CodeUri`` at the uploaded zip (what ``aws cloudformation package`` does);
3. create a change set on stack ``crm-<stage>``, print it, execute it and wait (``--no-execute`` stops
   after printing, for review); termination protection is switched on;
4. make sure the application secret ``crm-<stage>/app`` holds a real secret: the template creates it
   with a random placeholder, which is replaced once by ``tenants.secrets.generate_app_secret()``
   (or restored from the previous version if a template change ever regenerated it);
5. print the stack outputs as ``export CRM_...=`` lines for the operator tooling (``python -m tenants``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE_DIR = ROOT / "build" / "package"
STAGES = ("dev", "prod")
APP_SECRET_KEYS = frozenset({"jwt_keys", "cursor_key", "blind_index_key", "hook_key"})
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
# Stack outputs (infra/resources.json) -> the environment variables chalicelib/core/config.py reads.
OUTPUT_ENV = {
    "TableName": "CRM_TABLE",
    "KmsKeyArn": "CRM_KMS_KEY_ID",
    "AppSecretArn": "CRM_APP_SECRET_ID",
    "ExportBucketName": "CRM_EXPORT_BUCKET",
    "RecordingsBucketName": "CRM_RECORDINGS_BUCKET",
}


class DeployError(RuntimeError):
    """A deployment step failed; the message says what to do."""


# -- the package ------------------------------------------------------------------------------


def load_packaged_template(package_dir: Path, stage: str) -> dict[str, Any]:
    """The template `chalice package` wrote, checked to be complete and built for ``stage``."""
    template_path = package_dir / "sam.json"
    if not template_path.is_file() or not (package_dir / "deployment.zip").is_file():
        raise DeployError(f"{package_dir} has no sam.json/deployment.zip: run `make package STAGE={stage}` first")
    template: dict[str, Any] = json.loads(template_path.read_text(encoding="utf-8"))
    functions = {name: res for name, res in template.get("Resources", {}).items()
                 if res.get("Type") == "AWS::Serverless::Function"}
    if not functions:
        raise DeployError(f"{template_path} defines no function: is it a `chalice package` output?")
    for name, resource in functions.items():
        built_for = resource.get("Properties", {}).get("Environment", {}).get("Variables", {}).get("CRM_STAGE")
        if built_for != stage:
            raise DeployError(f"{template_path} was packaged for stage {built_for!r} ({name}), not {stage!r}: "
                              f"run `make package STAGE={stage}`")
    if "MainTable" not in template["Resources"]:
        raise DeployError(f"{template_path} lacks infra/resources.json: package with --merge-template")
    return template


def artifact_bucket_name(account_id: str, region: str) -> str:
    """The per-account, per-region bucket that holds uploaded templates and bundles."""
    return f"crm-deploy-artifacts-{account_id}-{region}"


def ensure_artifact_bucket(s3: Any, bucket: str, region: str) -> bool:
    """Create the artifact bucket (private, encrypted, TLS-only, old artifacts expire); True if created."""
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise DeployError(f"artifact bucket {bucket} exists but is not ours or not readable: {exc}") from exc
    create: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire-old-artifacts", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Expiration": {"Days": 90}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _upload_once(s3: Any, bucket: str, key: str, body: Path | bytes) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return  # content-addressed: already there
    except ClientError as exc:
        # 403 too: S3 answers a missing key so when the caller may not list the bucket.
        if exc.response.get("Error", {}).get("Code") not in {"403", "404", "NoSuchKey", "NotFound"}:
            raise
    if isinstance(body, Path):
        s3.upload_file(str(body), bucket, key)
    else:
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def upload_artifacts(s3: Any, *, bucket: str, region: str, stack_name: str, template: dict[str, Any],
                     package_dir: Path) -> str:
    """Upload the bundle and the rewritten template; return the template's S3 URL."""
    local_uris = {"./deployment.zip", "deployment.zip"}
    bundle = package_dir / "deployment.zip"
    bundle_key = f"{stack_name}/{_sha256(bundle)}.zip"
    uploaded = False
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for field in ("CodeUri", "ContentUri"):  # functions; layers if Chalice ever emits one
            if props.get(field) in local_uris:
                if not uploaded:
                    _upload_once(s3, bucket, bundle_key, bundle)
                    uploaded = True
                props[field] = {"Bucket": bucket, "Key": bundle_key}
            elif isinstance(props.get(field), str) and not props[field].startswith("s3://"):
                raise DeployError(f"unexpected local artifact {props[field]!r}: only deployment.zip is uploaded")
    body = json.dumps(template, indent=1, sort_keys=True).encode()
    template_key = f"{stack_name}/{hashlib.sha256(body).hexdigest()}.template.json"
    _upload_once(s3, bucket, template_key, body)
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"https://{bucket}.{host}/{template_key}"


# -- the stack --------------------------------------------------------------------------------


def stack_parameters(
    stage: str, overrides: Sequence[str] = (), *, alarm_email: str | None = None
) -> list[dict[str, str]]:
    """CloudFormation parameters: the stage, the alarm e-mail and any ``Key=Value`` overrides
    (``Key=`` sets an empty value, e.g. to switch back from a restored table)."""
    values: dict[str, str] = {"Stage": stage}
    if alarm_email:
        values["AlarmEmail"] = alarm_email
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter takes Key=Value, not {item!r}")
        if key == "Stage" and value != stage:
            raise DeployError("the Stage parameter is set by --stage")
        values[key] = value
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def _describe_stack(cfn: Any, stack_name: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return dict(stacks[0]) if stacks else None


def keep_previous_values(parameters: list[dict[str, Any]], *, deployed: dict[str, Any] | None,
                         template_parameters: set[str]) -> list[dict[str, Any]]:
    """On an update, parameters not given keep their deployed value (as ``aws cloudformation deploy``
    does), so a later deploy never silently undoes ``--parameter RestoredMainTableName=...`` or the
    alarm e-mail."""
    if deployed is None or deployed.get("StackStatus") == "REVIEW_IN_PROGRESS":
        return parameters
    given = {p["ParameterKey"] for p in parameters}
    previous = {p["ParameterKey"] for p in deployed.get("Parameters", [])}
    kept = sorted((previous & template_parameters) - given)
    return [*parameters, *({"ParameterKey": key, "UsePreviousValue": True} for key in kept)]


def _print_failures(cfn: Any, stack_name: str, limit: int = 15) -> None:
    events = cfn.describe_stack_events(StackName=stack_name).get("StackEvents", [])[:limit]
    for event in reversed(events):
        if "FAILED" in event.get("ResourceStatus", ""):
            print(f"  {event['LogicalResourceId']}: {event['ResourceStatus']}: "
                  f"{event.get('ResourceStatusReason', '')}", file=sys.stderr)


def deploy_stack(cfn: Any, *, stack_name: str, template_url: str, parameters: list[dict[str, str]],
                 tags: dict[str, str], template_parameters: set[str] | None = None, execute: bool = True) -> str:
    """Create (or update) the stack through a change set; return what happened.

    One of ``"created"``, ``"updated"``, ``"unchanged"``, ``"review"`` (change set left for review).
    ``template_parameters`` (the new template's parameter names) lets the parameters not given keep
    their deployed values.
    """
    from botocore.exceptions import WaiterError

    deployed = _describe_stack(cfn, stack_name)
    status = None if deployed is None else str(deployed["StackStatus"])
    all_parameters = keep_previous_values(parameters, deployed=deployed,
                                          template_parameters=template_parameters or set())
    if status is not None and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployError(f"stack {stack_name} is {status}: wait for it to settle")
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(f"stack {stack_name} failed its first creation (ROLLBACK_COMPLETE): delete it, then "
                          "deploy again (tables, key, secret and bucket are retained: see infra/README.md)")
    change_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    change_set_name = f"deploy-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    cfn.create_change_set(
        StackName=stack_name, ChangeSetName=change_set_name, ChangeSetType=change_type,
        TemplateURL=template_url, Parameters=all_parameters, Capabilities=CAPABILITIES,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        Description="python -m infra.deploy",
    )
    try:
        cfn.get_waiter("change_set_create_complete").wait(
            StackName=stack_name, ChangeSetName=change_set_name, WaiterConfig={"Delay": 5, "MaxAttempts": 120})
    except WaiterError as exc:
        described = cfn.describe_change_set(StackName=stack_name, ChangeSetName=change_set_name)
        reason = described.get("StatusReason", "")
        if "didn't contain changes" in reason or "No updates are to be performed" in reason:
            cfn.delete_change_set(StackName=stack_name, ChangeSetName=change_set_name)
            return "unchanged"
        raise DeployError(f"change set {change_set_name} failed: {reason}") from exc
    described = cfn.describe_change_set(StackName=stack_name, ChangeSetName=change_set_name)
    for change in described.get("Changes", []):
        rc = change.get("ResourceChange", {})
        replace = " (REPLACEMENT)" if rc.get("Replacement") == "True" else ""
        print(f"  {rc.get('Action', '?'):7} {rc.get('LogicalResourceId', '?'):32} "
              f"{rc.get('ResourceType', '')}{replace}")
    if not execute:
        print(f"change set {change_set_name} left for review on stack {stack_name}")
        return "review"
    cfn.execute_change_set(StackName=stack_name, ChangeSetName=change_set_name)
    waiter = "stack_create_complete" if change_type == "CREATE" else "stack_update_complete"
    try:
        cfn.get_waiter(waiter).wait(StackName=stack_name, WaiterConfig={"Delay": 10, "MaxAttempts": 360})
    except WaiterError as exc:
        _print_failures(cfn, stack_name)
        raise DeployError(f"stack {stack_name} did not reach {waiter.replace('_', ' ')}") from exc
    cfn.update_termination_protection(StackName=stack_name, EnableTerminationProtection=True)
    return "created" if change_type == "CREATE" else "updated"


def stack_outputs(cfn: Any, stack_name: str) -> dict[str, str]:
    """The stack's outputs by key."""
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


# -- the application secret -------------------------------------------------------------------


def _secret_version(client: Any, secret_id: str, stage: str) -> str | None:
    try:
        return str(client.get_secret_value(SecretId=secret_id, VersionStage=stage)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        return None


def _as_app_secret(value: str | None) -> dict[str, Any] | None:
    """The value as an application secret dict, None when it is not JSON (the placeholder)."""
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _complete(secret: dict[str, Any] | None) -> bool:
    return secret is not None and secret.keys() >= APP_SECRET_KEYS and bool(secret.get("jwt_keys"))


def bootstrap_app_secret(client: Any, secret_id: str) -> str:
    """Make the stage secret a real application secret; return what was done.

    ``"created"``: the secret did not exist (``tenants.secrets.ensure_app_secret`` made it);
    ``"present"``: it already holds an application secret; ``"filled"``: the template's placeholder was
    replaced by a new one; ``"restored"``: the placeholder had replaced a real secret (a template
    change regenerated it), so the previous version was put back: a new secret would lose the
    blind-index key and break every encrypted lookup.
    """
    from tenants.secrets import ensure_app_secret, generate_app_secret

    if ensure_app_secret(client, secret_id):
        return "created"
    current = _as_app_secret(_secret_version(client, secret_id, "AWSCURRENT"))
    if _complete(current):
        return "present"
    if current is not None:
        raise DeployError(f"secret {secret_id} is JSON but lacks {sorted(APP_SECRET_KEYS)}: fix it by hand, "
                          "never overwrite it (the blind-index key cannot be regenerated)")
    previous = _as_app_secret(_secret_version(client, secret_id, "AWSPREVIOUS"))
    if _complete(previous):
        client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(previous))
        return "restored"
    client.put_secret_value(SecretId=secret_id, SecretString=json.dumps(generate_app_secret()))
    return "filled"


def env_exports(stage: str, region: str, outputs: dict[str, str]) -> list[str]:
    """``export`` lines that point the operator tooling at the deployed stage."""
    lines = [f"export CRM_STAGE={stage}", f"export AWS_REGION={region}"]
    lines += [f"export {env}={outputs[key]}" for key, env in OUTPUT_ENV.items() if key in outputs]
    return lines


# -- the command ------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--stack-name", help="default: crm-<stage>")
    parser.add_argument("--region", help="default: AWS_REGION / AWS_DEFAULT_REGION / the profile's region")
    parser.add_argument("--package-dir", type=Path, default=DEFAULT_PACKAGE_DIR)
    parser.add_argument("--artifact-bucket", help="default: crm-deploy-artifacts-<account>-<region> (created)")
    parser.add_argument("--alarm-email", help="subscribe this address to the stage's alarm topic")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="another template parameter (LogRetentionDays, ReservedConcurrency, ...)")
    parser.add_argument("--no-execute", action="store_true", help="create the change set, print it, stop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Deploy a stage; 0 on success, 1 with a message on failure."""
    args = _parse(argv)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    stack_name = args.stack_name or f"crm-{args.stage}"
    try:
        template = load_packaged_template(args.package_dir, args.stage)
        session = boto3.session.Session(region_name=args.region or os.environ.get("AWS_REGION") or None)
        region = session.region_name
        if not region:
            raise DeployError("no region: pass --region or set AWS_REGION")
        account = session.client("sts").get_caller_identity()["Account"]
        s3 = session.client("s3")
        bucket = args.artifact_bucket or artifact_bucket_name(account, region)
        if ensure_artifact_bucket(s3, bucket, region):
            print(f"created artifact bucket {bucket}")
        template_url = upload_artifacts(s3, bucket=bucket, region=region, stack_name=stack_name,
                                        template=template, package_dir=args.package_dir)
        parameters = stack_parameters(args.stage, args.parameter, alarm_email=args.alarm_email)
        print(f"deploying stack {stack_name} (stage {args.stage}) to account {account} in {region}")
        cfn = session.client("cloudformation")
        result = deploy_stack(cfn, stack_name=stack_name, template_url=template_url, parameters=parameters,
                              tags={"app": "crm", "stage": args.stage},
                              template_parameters=set(template.get("Parameters", {})), execute=not args.no_execute)
        print(f"stack {stack_name}: {result}")
        if result == "review":
            return 0
        outputs = stack_outputs(cfn, stack_name)
        secret_id = outputs.get("AppSecretArn", f"crm-{args.stage}/app")
        secret_state = bootstrap_app_secret(session.client("secretsmanager"), secret_id)
        print(f"application secret {secret_id}: {secret_state}")
    except DeployError as exc:
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:  # no credentials, access denied, throttled ...
        print(f"deploy failed: AWS said: {exc}", file=sys.stderr)
        return 1
    print(f"API: {outputs.get('EndpointURL', '?')}")
    print("operator environment (python -m tenants ...):")
    for line in env_exports(args.stage, region, outputs):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
