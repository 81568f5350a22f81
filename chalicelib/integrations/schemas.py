"""Request and response schemas of integrations, their settings and their inbox events."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Name = Annotated[str, Field(min_length=1, max_length=80)]
IntegrationType = Literal["form", "zadarma", "mango", "twilio", "pbx", "whatsapp", "telegram", "email"]
EventStatus = Literal["received", "processed", "ignored", "failed"]
TARGETS = ("first_name", "last_name", "name", "phone", "email", "telegram", "message", "company", "address", "city",
           "region", "postal_code", "passport_number", "tax_id", "iban", "consent_email", "consent_sms",
           "consent_whatsapp", "ignore")
_CUSTOM = re.compile(r"^custom\.[a-z][a-z0-9_]{0,39}$")
MAX_FIELD_MAP = 100


def _target(value: str) -> str:
    if value not in TARGETS and not _CUSTOM.match(value):
        raise ValueError(f"a target is one of {', '.join(TARGETS)} or custom.<key>")
    return value


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value):
        raise ValueError("an http(s) address")
    return value


Target = Annotated[str, AfterValidator(_target)]
FormField = Annotated[str, Field(min_length=1, max_length=100)]
HttpUrl = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]


class Responsible(Schema):
    mode: Literal["fixed", "round_robin"] = "fixed"
    user_ids: list[Id] = Field(default_factory=list, max_length=50,
                               description="Empty: the integration's creator")


class FormSettings(Schema):
    """Settings of a website form integration."""

    pipeline_id: Id | None = Field(default=None, description="The default pipeline when null")
    stage_id: Id | None = Field(default=None, description="The pipeline's first open stage when null")
    responsible: Responsible = Field(default_factory=Responsible)
    field_map: dict[FormField, Target] = Field(default_factory=dict, max_length=MAX_FIELD_MAP,
                                               description="Merged over the built-in English/Russian defaults")
    redirect_url: HttpUrl | None = Field(default=None, description="Plain browser posts get a 303 to it")
    require_signature: bool = False
    rate_limit_per_minute: int = Field(default=30, ge=1, le=1000)
    sender_limit_per_minute: int = Field(default=10, ge=1, le=1000, description=(
        "Posts one source address may make a minute (counted before the form's limit, so one sender cannot spend "
        "it); not applied when require_signature is set"))
    honeypot_field: FormField = "website_url"
    create_task: bool = True
    deal_title: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description='A template: "{name}", "{phone}", "{email}", "{form}"')


SETTINGS_MODELS: dict[str, type[Schema]] = {"form": FormSettings}  # a provider's: its adapter's settings_model


class IntegrationCreate(Schema):
    type: IntegrationType
    name: Name
    settings: dict[str, Any] = Field(default_factory=dict, description=(
        "Per type: FormSettings for form; a telephony provider's credentials (zadarma: api_key, api_secret; "
        "mango: api_key, api_salt; twilio: account_sid, auth_token) plus TelephonySettings; whatsapp: phone_number_id, "
        "waba_id, access_token, app_secret; telegram: bot_token; email: from_address, from_name (the forwarding "
        "address is filled in as inbound_address); plus MessengerSettings"))


class IntegrationUpdate(Schema):
    version: int
    name: Name | None = None
    status: Literal["active", "disabled"] | None = None
    settings: dict[str, Any] | None = Field(default=None, description=(
        "Replaces the settings as a whole; a provider secret left out keeps its stored value"))


class RotateIn(Schema):
    what: Literal["secret", "key"]
    version: int


class IntegrationRead(BaseModel):
    id: str
    type: str
    name: str
    status: str
    webhook_url: str | None = Field(description=(
        "Where the provider or the website posts; null for an e-mail line, which nothing posts to: mail is "
        "forwarded to its settings' inbound_address"))
    secret_hint: str
    settings: dict[str, Any]
    credential_hints: dict[str, str] = Field(default_factory=dict,
                                             description="The last characters of each provider secret")
    created_at: datetime
    updated_at: datetime
    version: int
    stats: dict[str, int] = Field(default_factory=dict)


class IntegrationCreated(IntegrationRead):
    secret: str = Field(description="Shown once; store it in the sending server")


class IntegrationRotated(IntegrationRead):
    secret: str | None = None


class IntegrationPage(BaseModel):
    items: list[IntegrationRead]
    next_cursor: str | None = None


class ListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class EventListQuery(ListQuery):
    status: EventStatus | None = None


class EventSource(BaseModel):
    ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    content_type: str | None = None


class EventRead(BaseModel):
    id: str
    integration_id: str
    received_at: datetime
    status: EventStatus
    outcome: dict[str, Any]
    attempts: int
    next_attempt_at: datetime | None = None
    source: EventSource
    summary: str


class EventDetail(EventRead):
    payload: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None = None
