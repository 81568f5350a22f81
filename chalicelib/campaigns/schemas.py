"""Request and response schemas of campaigns: the campaign, its test send and send, its preview and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from chalicelib.core.schema import Schema

Id = Annotated[str, Field(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Channel = Literal["email", "sms", "whatsapp", "telegram"]
Body = Annotated[str, Field(min_length=1, max_length=20_000)]


class CampaignTemplate(Schema):
    """A WhatsApp template approved by Meta; its last body variable takes the unsubscribe link."""

    name: Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")]
    language: Annotated[str, Field(min_length=2, max_length=15, pattern=r"^[A-Za-z_]+$")] = "en"
    parameters: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list, max_length=9)


class CampaignCreate(Schema):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    channel: Channel
    segment_id: Id | None = None
    integration_id: Id | None = Field(default=None, description="The Twilio (SMS), WhatsApp or Telegram line")
    subject: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    body: Body | None = None
    template: CampaignTemplate | None = None

    @model_validator(mode="after")
    def _fits_channel(self) -> CampaignCreate:
        if self.channel == "whatsapp" and self.body is not None:
            raise ValueError("a WhatsApp campaign sends an approved template, not a body")
        if self.channel != "whatsapp" and self.template is not None:
            raise ValueError("only a WhatsApp campaign sends a template")
        if self.channel == "email" and self.integration_id is not None:
            raise ValueError("an e-mail campaign goes out through SES, not a line")
        return self


class CampaignUpdate(Schema):
    not_null = frozenset({"name"})

    version: int = Field(ge=1)
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    segment_id: Id | None = None
    integration_id: Id | None = None
    subject: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    body: Body | None = None
    template: CampaignTemplate | None = None


class CampaignRead(BaseModel):
    id: str
    name: str
    channel: str
    segment_id: str | None
    integration_id: str | None
    subject: str | None
    body: str | None
    template: dict[str, object] | None
    links: list[str]
    status: str = Field(description="draft | scheduled | sending | sent (every recipient queued) | canceled")
    scheduled_at: datetime | None
    started_at: datetime | None
    test_sent_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class CampaignPage(BaseModel):
    items: list[CampaignRead]
    next_cursor: str | None


class CampaignListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class CampaignTestSend(Schema):
    to: Annotated[str, Field(min_length=3, max_length=40)] | None = Field(
        default=None, description=("SMS and WhatsApp: your own number, in any format the company's country reads "
                                   "('8 917 000-11-22', '+7 (917) 000-11-22'); e-mail goes to your sign-in address"))
    conversation_id: Id | None = Field(default=None, description=(
        "Telegram: a chat of the campaign's bot to send the test to (a bot writes only to whoever wrote to it first: "
        "write to the bot from your own Telegram, then choose that chat)"))


class CampaignSendIn(Schema):
    version: int = Field(ge=1)
    scheduled_at: datetime | None = Field(default=None, description="Later (UTC); now when left out")


class CampaignVersion(Schema):
    version: int = Field(ge=1)


class CampaignPreview(BaseModel):
    channel: str
    subject: str | None
    text: str
    html: str | None
    parameters: list[str]


class CampaignTestSent(BaseModel):
    to: str
    provider_message_id: str
    test_sent_at: datetime


class CampaignResults(BaseModel):
    id: str
    name: str
    channel: str
    status: str
    started_at: datetime | None
    recipients: int
    sent: int
    skipped_consent: int
    skipped_address: int
    skipped_limit: int
    failed: int
    in_flight: int = Field(description="Claimed, provider's answer not yet recorded")
    delivered: int = Field(description="Reported delivered by the provider (SES Delivery, Twilio and WhatsApp "
                                       "delivered; a read or a complaint implies it)")
    read: int = Field(description="WhatsApp: read by the recipient")
    bounced: int = Field(description="E-mail: bounced (permanent or transient)")
    complained: int = Field(description="E-mail: marked as spam by the recipient")
    undelivered: int = Field(description="Failed after the provider took it (SMS undelivered or failed, WhatsApp "
                                         "failed, SES rejected)")
    opened: int
    clicked: int
    replied: int
    unsubscribed: int
    conversions: int
    revenue_minor: int
    currency: str | None
    delivery_rate: float = Field(description="delivered / sent")
    open_rate: float
    click_rate: float


DeliveryFilter = Literal["sent", "delivered", "read", "bounced", "complained", "undelivered", "failed", "skipped"]


class CampaignMessagesQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)
    delivery: DeliveryFilter | None = Field(default=None, description=(
        "Only messages in this state (failed: refused when sent; skipped: no consent, address or allowance)"))


class CampaignMessageRead(BaseModel):
    contact_id: str
    contact_name: str | None = Field(description="Named at read time (a contact the caller may not read: null)")
    status: str = Field(description="sending | sent | failed | skipped_consent | skipped_address | skipped_limit")
    delivery: str | None = Field(description="What the provider last said: sent | delivered | read | bounced | "
                                             "complained | undelivered (never moves back)")
    reason: str | None = Field(description="Why it failed or bounced, in the provider's codes")
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    bounced_at: datetime | None
    complained_at: datetime | None
    undelivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None


class CampaignMessagePage(BaseModel):
    items: list[CampaignMessageRead]
    next_cursor: str | None


class CampaignReportQuery(Schema):
    # Exact times with their offset: a time without one (or a bare date) would mean a different instant in every
    # company's zone, and could not be compared with the campaigns' start times (422, not a guess).
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    format: Literal["json", "csv"] = "json"


class CampaignsReport(BaseModel):
    items: list[CampaignResults]


class ConsentState(BaseModel):
    status: str = Field(description="granted | withdrawn | unknown")
    source: str | None
    at: str | None
    by: str | None


class ConsentRead(BaseModel):
    contact_id: str
    email: ConsentState
    sms: ConsentState
    whatsapp: ConsentState
    telegram: ConsentState


class ConsentIn(Schema):
    email: Literal["granted", "withdrawn"] | None = None
    sms: Literal["granted", "withdrawn"] | None = None
    whatsapp: Literal["granted", "withdrawn"] | None = None
    telegram: Literal["granted", "withdrawn"] | None = None
    source: Literal["verbal", "written", "web_form", "contact_card", "import"] = "contact_card"
