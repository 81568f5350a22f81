"""What every telephony integration is set up with, whatever its provider."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.core.schema import Schema
from chalicelib.integrations.schemas import Id, Responsible

Extension = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.@+\-]+$")]
Credential = Annotated[str, Field(min_length=1, max_length=200)]


class TelephonySettings(Schema):
    """Settings every telephony integration shares (a provider's adds its credentials)."""

    extensions: dict[Extension, Id] = Field(
        default_factory=dict, max_length=500,
        description="The provider's extension or SIP login -> the user who answers on it")
    unknown_caller: Literal["contact_and_deal", "contact", "ignore"] = Field(
        default="contact_and_deal", description="What a call from a number nobody has makes")
    pipeline_id: Id | None = Field(default=None, description="The lead deal's pipeline (the default when null)")
    stage_id: Id | None = Field(default=None, description="The lead deal's stage (the first open one when null)")
    responsible: Responsible = Field(default_factory=Responsible,
                                     description="Who handles an unknown caller and a missed call")
    missed_call_task: bool = Field(default=True, description="A missed inbound call makes a call-back task")
