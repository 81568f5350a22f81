"""Settings read once from the environment; the only module that reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024
# Where the app serves its own live-updates socket when no WebSocket API fronts it (the local runner): the
# socket at <origin>/live, its management API at <origin>/live/@connections/<id>, as API Gateway nests both
# under its stage.
LOCAL_LIVE_PATH = "/live"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    stage: str
    region: str
    table_name: str
    aws_endpoint_url: str | None
    kms_key_id: str
    app_secret_id: str
    public_url: str
    mail_from: str
    export_bucket: str
    jwt_issuer: str
    jwt_audience: str
    jobs_queue_url: str | None = None  # unset (tests): webhook events are processed in the request
    recordings_bucket: str = "crm-local-recordings"  # call recordings, kept (the export bucket expires its files)
    # The WebSocket API of live updates: the URL browsers open (unset: the app's own origin + LOCAL_LIVE_PATH,
    # which the local runner serves) and the Management API the app posts to (infra/ sets both in AWS).
    live_url: str | None = None
    live_endpoint_url: str = "http://127.0.0.1:8000" + LOCAL_LIVE_PATH
    # Where the Stripe SDK sends its requests: unset in AWS (Stripe itself); the local sandbox under `make run`
    # and in the tests (local/stripe_sandbox.py), so nothing there ever reaches api.stripe.com.
    stripe_api_base: str | None = None
    # E-mail conversations (#17): the domain of the forwarding addresses (SES receives it, MX record) and the
    # bucket SES's receipt rule stores each message in (S3 notifies the mail queue, read by app.mail_in).
    inbound_mail_domain: str = "inbound.crm.localhost"
    inbound_mail_bucket: str = "crm-local-mail-in"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    max_body_bytes: int = MIB
    metrics_namespace: str = "CRM"
    service_name: str = "crm"

    @property
    def is_local(self) -> bool:
        """True when the app runs against the embedded AWS."""
        return self.aws_endpoint_url is not None

    @property
    def jobs_queue_name(self) -> str:
        """The stage's work queue (infra/resources.json JobsQueue; created locally by ``make run``)."""
        return f"crm-{self.stage}-jobs"

    @property
    def mail_queue_name(self) -> str:
        """The queue S3 tells of each message SES stored (infra/resources.json MailInQueue; made locally)."""
        return f"crm-{self.stage}-mail-in"

    @property
    def campaign_configuration_set(self) -> str:
        """The SES configuration set campaign e-mails go out with: it publishes their delivery events to SNS
        (infra/resources.json CampaignMailConfigurationSet, #24)."""
        return f"crm-{self.stage}-campaigns"

    @property
    def campaign_mail_events_queue_name(self) -> str:
        """The queue the SES event topic delivers to, read by app.campaign_mail_events (infra/; made locally)."""
        return f"crm-{self.stage}-campaign-mail-events"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build the settings from environment variables, with per-stage defaults."""
        env = dict(os.environ if env is None else env)
        stage = env.get("CRM_STAGE", "local")
        prefix = f"crm-{stage}"
        public_url = env.get("CRM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
            table_name=env.get("CRM_TABLE", f"{prefix}-main"),
            aws_endpoint_url=env.get("CRM_AWS_ENDPOINT_URL") or None,
            kms_key_id=env.get("CRM_KMS_KEY_ID", f"alias/{prefix}"),
            app_secret_id=env.get("CRM_APP_SECRET_ID", f"{prefix}/app"),
            public_url=public_url,
            mail_from=env.get("CRM_MAIL_FROM", "no-reply@crm.example.com"),
            export_bucket=env.get("CRM_EXPORT_BUCKET", f"{prefix}-exports"),
            recordings_bucket=env.get("CRM_RECORDINGS_BUCKET", f"{prefix}-recordings"),
            jwt_issuer=env.get("CRM_JWT_ISSUER", f"https://crm/{stage}"),
            jwt_audience=env.get("CRM_JWT_AUDIENCE", "crm-api"),
            jobs_queue_url=env.get("CRM_JOBS_QUEUE_URL") or None,
            live_url=env.get("CRM_LIVE_URL") or None,
            live_endpoint_url=(env.get("CRM_LIVE_ENDPOINT_URL") or public_url + LOCAL_LIVE_PATH).rstrip("/"),
            stripe_api_base=(env.get("CRM_STRIPE_API_BASE") or "").rstrip("/") or None,
            inbound_mail_domain=env.get("CRM_INBOUND_MAIL_DOMAIN", f"inbound.{stage}.crm.localhost").lower(),
            inbound_mail_bucket=env.get("CRM_INBOUND_MAIL_BUCKET", f"{prefix}-mail-in"),
        )


settings = Settings.from_env()
