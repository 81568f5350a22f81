"""Request and response schemas of identity: sign-up, sign-in, users, roles, teams, API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.core.schema import Schema
from chalicelib.identity import passwords
from chalicelib.identity.zones import TimeZone

MAX_PASSWORD = 256


def _email(value: str) -> str:
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254 or domain.startswith("."):
        raise ValueError("not a valid e-mail address")
    return value


Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]
Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Locale = Literal["en", "ru"]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
RoleKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


def _digits(value: object) -> object:
    """A code as authenticator apps show it ("123 456", "123-456") is the code: the gaps go."""
    return "".join(value.split()).replace("-", "") if isinstance(value, str) else value


Otp = Annotated[str, BeforeValidator(_digits), Field(pattern=r"^[0-9]{6}$")]


# Browsers get the refresh token only in the HttpOnly cookie, out of reach of the page's scripts; an API
# client that keeps it itself asks for it in the body too, on a request that proves the password.
InBody = Annotated[bool, Field(description="Also answer the refresh token in the body (API clients; browsers "
                                           "keep it in the HttpOnly cookie only)")]


class SignupIn(Schema):
    company_name: Name
    name: Name
    email: Email
    password: Password
    locale: Locale = "en"
    country: Country = "US"
    timezone: TimeZone | None = Field(default=None, description=(
        "The company's time zone (\"today\" and due times follow it); without it, the country's usual one"))
    refresh_token_in_body: InBody = False

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str, info: ValidationInfo) -> str:
        """The new company's password policy, said beside the other fields' problems (a sign-up with a bad e-mail
        and a short password heard of the password only once the e-mail was mended)."""
        found = passwords.problems(value, email=str(info.data.get("email") or ""))
        if found:
            raise PydanticCustomError("password_policy", passwords.wanted(found))
        return value


class LoginIn(Schema):
    email: Email
    password: Password
    tenant_id: str | None = Field(default=None, max_length=26)
    otp: Otp | None = None
    refresh_token_in_body: InBody = False


class RefreshIn(Schema):
    refresh_token: str | None = Field(default=None, max_length=300, description=(
        "An API client's token; the answer then carries the new one in the body. Without it the cookie is "
        "used, and the new token goes only into the cookie."))


class LogoutIn(Schema):
    everywhere: bool = False


class PasswordChangeIn(Schema):
    current_password: Password
    new_password: Password
    refresh_token_in_body: InBody = False


class PasswordResetIn(Schema):
    email: Email


class PasswordResetConfirmIn(Schema):
    token: str = Field(min_length=10, max_length=300)
    new_password: Password


class ConfirmEmailIn(Schema):
    token: str = Field(min_length=10, max_length=300)


class Confirmed(BaseModel):
    status: Literal["confirmed"] = "confirmed"


class AcceptInvitationIn(Schema):
    token: str = Field(min_length=10, max_length=300)
    password: Password
    name: Name | None = None
    refresh_token_in_body: InBody = False


class TotpEnableIn(Schema):
    code: Otp


class TotpDisableIn(Schema):
    password: Password
    code: Otp


class TenantRead(BaseModel):
    id: str
    name: str
    plan: str  # the plan in force (GET /api/v1/billing says more)
    status: str
    # The subscription's lifecycle, for the web app's banner: trialing | active | past_due | suspended | canceled
    billing_status: str
    trial_ends_at: datetime | None
    grace_ends_at: datetime | None
    # Until the owner confirms the e-mail address sign-up gave: the company is read-only from then (null: confirmed)
    email_confirm_by: datetime | None = None
    locale: str
    country: str
    currency: str
    timezone: str
    password_min_length: int
    password_max_age_days: int | None
    require_totp: bool
    # Prices and deal amounts include VAT: new orders start "inclusive", a deal's invoice takes the VAT out of its
    # amount ("в т.ч. НДС") instead of adding it on top
    prices_include_tax: bool = False
    # Staff may subscribe to their tasks in an outside calendar (identity.feeds): off until the company allows it
    calendar_feeds: bool = False
    created_at: datetime
    version: int


class TenantUpdate(Schema):
    not_null = frozenset({"name", "locale", "country", "currency", "timezone", "password_min_length", "require_totp",
                          "prices_include_tax", "calendar_feeds"})
    version: int
    name: Name | None = None
    locale: Locale | None = None
    country: Country | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    timezone: TimeZone | None = None
    password_min_length: int | None = Field(default=None, ge=8, le=128)
    password_max_age_days: int | None = Field(default=None, ge=0, le=3650)
    require_totp: bool | None = None
    prices_include_tax: bool | None = None
    calendar_feeds: bool | None = None


class UserRead(BaseModel):
    id: str
    email: str
    name: str
    role: str
    team_id: str | None
    status: str
    locale: str | None
    totp_enabled: bool
    last_login_at: datetime | None
    created_at: datetime
    version: int
    records_moving: bool = False  # their records are still moving to their team (a team change's background walk)
    # In the list: the kinds of work the role reads (a picker offers a chat, a task or a deal only to those who do)
    reads: list[str] | None = None


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None = None


class InviteIn(Schema):
    email: Email
    name: Name
    role: RoleKey = "agent"
    team_id: str | None = Field(default=None, max_length=26)
    locale: Locale | None = Field(default=None, description=(
        "The language of their invitation and of the app for them; the company's when left out"))


class UserUpdate(Schema):
    not_null = frozenset({"name", "role", "locale"})  # team_id: null takes the user out of their team
    version: int
    name: Name | None = None
    role: RoleKey | None = None
    team_id: str | None = Field(default=None, max_length=26)
    locale: Locale | None = None


class TokensOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    refresh_token: str | None = Field(default=None, description=(
        "Only when asked (refresh_token_in_body) or refreshed from the body; else only in the HttpOnly cookie"))
    must_change_password: bool = False
    must_enroll_totp: bool = False


class SessionOut(TokensOut):
    tenant: TenantRead
    user: UserRead


class MeOut(BaseModel):
    tenant: TenantRead
    user: UserRead
    permissions: list[str]
    sees_sensitive: bool


class TenantChoice(BaseModel):
    tenant_id: str
    name: str


class TotpSetupOut(BaseModel):
    secret: str
    otpauth_uri: str


class RoleRead(BaseModel):
    key: str
    name: str
    permissions: list[str]
    builtin: bool
    version: int | None = None


class RoleList(BaseModel):
    items: list[RoleRead]


class RoleIn(Schema):
    key: RoleKey
    name: Name
    permissions: list[str] = Field(max_length=500)  # entity permissions and field rules


class RoleUpdate(Schema):
    version: int
    name: Name | None = None
    permissions: list[str] | None = Field(default=None, max_length=500)


class TeamRead(BaseModel):
    id: str
    name: str
    version: int


class TeamList(BaseModel):
    items: list[TeamRead]


class TeamIn(Schema):
    name: Name


class TeamUpdate(Schema):
    version: int
    name: Name


class ApiKeyIn(Schema):
    name: Name
    permissions: list[str] = Field(min_length=1, max_length=200)


class ApiKeyRead(BaseModel):
    id: str
    name: str
    prefix: str
    permissions: list[str]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="Shown once; store it now")


class ApiKeyList(BaseModel):
    items: list[ApiKeyRead]


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"


class ListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)
