"""The embedded AWS: moto's server on loopback, and the resources the app expects to find in it."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from local.paths import LOOPBACK, PortInUseError, bind_loopback

log = logging.getLogger("local.aws")

DEFAULT_PORT = 4566  # the port LocalStack made customary; any free port is used when it is taken
DEFAULT_REGION = "eu-west-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

Guard = Callable[[], AbstractContextManager[None]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def use_dummy_credentials() -> None:
    """Give boto3 credentials and a region that moto accepts, keeping any the developer set."""
    for name, value in DUMMY_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION") or DEFAULT_REGION)


def point_sdks_at(endpoint: str) -> None:
    """Send every AWS SDK call of this process to the embedded AWS.

    ``CRM_AWS_ENDPOINT_URL`` is what the app's own clients use. ``AWS_ENDPOINT_URL`` is botocore's
    global override: a client some library builds without an endpoint (Powertools, say) lands in the
    embedded AWS too, instead of real AWS with whatever credentials the developer has loaded.
    """
    os.environ["CRM_AWS_ENDPOINT_URL"] = endpoint
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ.pop("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", None)


def _guarded(app: WsgiApp, guard: Guard) -> WsgiApp:
    """The moto WSGI app with each request, body included, under the snapshot guard."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with guard():
            result = app(environ, start_response)
            try:
                # Drained here so no part of the response is produced after the guard is released.
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    return wsgi


class EmbeddedAws(ThreadedMotoServer):
    """moto's ThreadedMotoServer, bound in the caller's thread and serving under the snapshot guard.

    moto binds inside its server thread, where werkzeug answers a busy port with ``sys.exit`` and
    ``start()`` then waits forever. Binding the socket here first turns a busy port into an error.
    """

    def __init__(self, port: int, guard: Guard) -> None:
        super().__init__(ip_address=LOOPBACK, port=port, verbose=False)
        self._guard = guard

    @property
    def started(self) -> bool:
        """True once serving (stop() may only be called then)."""
        return self._thread is not None

    @property
    def endpoint(self) -> str:
        """The URL of the embedded AWS."""
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Bind and serve in a daemon thread; PortInUseError when the port is taken."""
        from local import moto_patches

        moto_patches.install()
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # Each request would otherwise be logged to stderr by werkzeug; the app logs what matters.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        sock = bind_loopback(self._port)
        try:
            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                LOOPBACK, self._port, _guarded(app, self._guard), threaded=True,
                request_handler=MotoRequestHandler, fd=sock.fileno(),
            )
        finally:
            sock.close()  # werkzeug serves on its own duplicate of the descriptor
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-aws", daemon=True)
        self._thread.start()
        self._server_ready_event.set()


def start(guard: Guard) -> EmbeddedAws:
    """Start the embedded AWS on ``CRM_AWS_PORT``, else on 4566 when free, else on any free port."""
    configured = os.environ.get("CRM_AWS_PORT")
    if configured:
        server = EmbeddedAws(int(configured), guard)
        server.start()  # a busy port the developer asked for is an error, not silently moved
        return server
    try:
        server = EmbeddedAws(DEFAULT_PORT, guard)
        server.start()
    except PortInUseError:
        server = EmbeddedAws(0, guard)
        server.start()
    return server


def write_endpoint(path: Path, endpoint: str) -> None:
    """Record the endpoint for other tools (the AWS CLI recipe in the README, operator scripts)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(endpoint + "\n", encoding="utf-8")
    os.replace(temp, path)


def client(service: str) -> Any:
    """A boto3 client on the embedded AWS (the endpoint must already be in the environment).

    The app's own shared clients: one botocore session for the runner and the app, so service
    models are loaded once, and provisioning sees exactly the endpoint and region the app uses.
    """
    from chalicelib.core import aws as core_aws

    return core_aws.client(service)


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def provision() -> list[str]:
    """Create whatever of the stage's resources is missing; returns a line per resource created.

    Idempotent: on a restored snapshot everything exists and nothing is created.
    """
    from botocore.exceptions import ClientError

    from chalicelib.core import db
    from chalicelib.core.config import settings
    from tenants.secrets import ensure_app_secret

    created: list[str] = []
    if not _table_exists(settings.table_name):
        db.create_tables()
        created.append(f"table {settings.table_name}")

    kms = client("kms")
    try:
        kms.describe_key(KeyId=settings.kms_key_id)
    except ClientError as exc:
        if _error_code(exc) != "NotFoundException":
            raise
        if not settings.kms_key_id.startswith("alias/"):
            raise RuntimeError(
                f"CRM_KMS_KEY_ID={settings.kms_key_id} names no key in the embedded AWS; locally it "
                "must be an alias (the default alias/crm-<stage> is created on first start)"
            ) from exc
        key_id = kms.create_key(Description=f"crm {settings.stage} CMK (embedded)")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=settings.kms_key_id, TargetKeyId=key_id)
        created.append(f"KMS key {settings.kms_key_id}")

    if ensure_app_secret(client("secretsmanager"), settings.app_secret_id):
        created.append(f"secret {settings.app_secret_id}")

    created.extend(_verify_sender(settings.mail_from))

    s3 = client("s3")
    for bucket in (settings.export_bucket, settings.recordings_bucket, settings.inbound_mail_bucket):
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if _error_code(exc) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            extra = {} if settings.region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": settings.region}
            }
            s3.create_bucket(Bucket=bucket, **extra)
            created.append(f"bucket {bucket}")
    return created


def route_mail_bucket(queue_arn: str | None) -> None:
    """Have the mail bucket tell the mail queue of each message put in it, as infra/ has S3 do in AWS: a message
    ``python -m webhooks simulate email`` drops where SES would store it reaches the app's mail handler (moto's S3
    sends ObjectCreated notifications to an SQS queue of its own backend; the runner polls that queue)."""
    from chalicelib.core.config import settings

    if queue_arn:
        client("s3").put_bucket_notification_configuration(
            Bucket=settings.inbound_mail_bucket, NotificationConfiguration={"QueueConfigurations": [
                {"Id": "mail-in", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})


def _table_exists(name: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client("dynamodb").describe_table(TableName=name)
    except ClientError as exc:
        if _error_code(exc) == "ResourceNotFoundException":
            return False
        raise
    return True


def _verify_sender(address: str) -> list[str]:
    """Verify the sender in SES v1 and v2: moto's SES refuses mail from an unverified address."""
    from botocore.exceptions import ClientError

    created: list[str] = []
    ses = client("ses")
    if address not in ses.list_identities(IdentityType="EmailAddress")["Identities"]:
        ses.verify_email_identity(EmailAddress=address)
        created.append(f"SES identity {address}")
    sesv2 = client("sesv2")
    try:
        sesv2.get_email_identity(EmailIdentity=address)
    except ClientError as exc:
        if _error_code(exc) != "NotFoundException":
            raise
        sesv2.create_email_identity(EmailIdentity=address)
        if not created:
            created.append(f"SES identity {address}")
    return created


def export_jobs_queue(endpoint: str) -> str:
    """Create the stage's jobs queue and export its URL as CRM_JOBS_QUEUE_URL, as infra/ does in AWS.

    Runs before the app's settings are first read (they are read once), so it uses a client of its
    own rather than the app's.
    """
    import boto3

    stage = os.environ.get("CRM_STAGE", "local")
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION))
    url = str(sqs.create_queue(QueueName=f"crm-{stage}-jobs")["QueueUrl"])  # idempotent in SQS
    os.environ["CRM_JOBS_QUEUE_URL"] = url
    return url


def ensure_queue(name: str) -> tuple[str, str]:
    """The URL and ARN of an SQS queue, created when missing (FIFO when the name says so)."""
    sqs = client("sqs")
    attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # idempotent in SQS
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return str(url), str(arn)
