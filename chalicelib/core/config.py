"""Settings read once from the environment; the only module that reads it."""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    stage: str
    region: str
    table_name: str
    idempotency_table_name: str
    aws_endpoint_url: str | None
    kms_key_id: str
    app_secret_id: str
    public_url: str
    mail_from: str
    export_bucket: str
    jwt_issuer: str
    jwt_audience: str
    jobs_queue_url: str | None = None  # unset (tests): webhook events are processed in the request
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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build the settings from environment variables, with per-stage defaults."""
        env = dict(os.environ if env is None else env)
        stage = env.get("CRM_STAGE", "local")
        prefix = f"crm-{stage}"
        return cls(
            stage=stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
            table_name=env.get("CRM_TABLE", f"{prefix}-main"),
            idempotency_table_name=env.get("CRM_IDEMPOTENCY_TABLE", f"{prefix}-idempotency"),
            aws_endpoint_url=env.get("CRM_AWS_ENDPOINT_URL") or None,
            kms_key_id=env.get("CRM_KMS_KEY_ID", f"alias/{prefix}"),
            app_secret_id=env.get("CRM_APP_SECRET_ID", f"{prefix}/app"),
            public_url=env.get("CRM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            mail_from=env.get("CRM_MAIL_FROM", "no-reply@crm.example.com"),
            export_bucket=env.get("CRM_EXPORT_BUCKET", f"{prefix}-exports"),
            jwt_issuer=env.get("CRM_JWT_ISSUER", f"https://crm/{stage}"),
            jwt_audience=env.get("CRM_JWT_AUDIENCE", "crm-api"),
            jobs_queue_url=env.get("CRM_JOBS_QUEUE_URL") or None,
        )


settings = Settings.from_env()
