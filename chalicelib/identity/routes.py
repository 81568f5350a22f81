"""Sign-up, sign-in and session routes; the tenant's settings; users, roles, teams and API keys."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from chalice import Response

from chalicelib.core import errors, permissions
from chalicelib.core.config import settings
from chalicelib.core.http import Api, ApiRequest, json_response
from chalicelib.identity import access, apikeys, confirmation, service, sessions, totp
from chalicelib.identity import schemas as s
from chalicelib.identity.lockout import DEVICE_COOKIE

api = Api(__name__, tag="identity")
REFRESH_COOKIE = "crm_refresh"
COOKIE_PATH = "/api/v1/auth"


def _cookie(value: str, max_age: int) -> str:
    return (f"{REFRESH_COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; "
            "SameSite=Strict")


def _session_response(signed: sessions.SignedIn, *, status: int = 200, in_body: bool = False) -> Response:
    """The session answer: the refresh token in the HttpOnly cookie, and in the body only for an API client
    that asked (a page's script must never read it: an XSS would keep the session for 30 days)."""
    body = s.SessionOut(
        access_token=signed.access_token, expires_in=settings.access_token_ttl_seconds,
        refresh_token=signed.refresh_token if in_body else None,
        must_change_password=signed.must_change_password,
        must_enroll_totp=signed.must_enroll_totp, tenant=service.tenant_read(signed.tenant),
        user=service.user_read(signed.user),
    )
    # The device cookie makes this browser a trusted source of the user's sign-ins (identity.lockout).
    headers: dict[str, str | list[str]] = {"Set-Cookie": [
        _cookie(signed.refresh_token, settings.refresh_token_ttl_seconds), signed.device_cookie]}
    return json_response(body.model_dump(mode="json"), status=status, headers=headers)


def _cookie_token(request: ApiRequest, name: str = REFRESH_COOKIE) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.header("cookie") or "")
    except Exception:  # noqa: BLE001 - a malformed cookie header is the same as none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


# -- sign-up and sign-in (public) -----------------------------------------------------------


@api.route("/api/v1/auth/signup", method="POST", summary="Sign a business up: tenant and owner",
           body=s.SignupIn, response=s.SessionOut, status=201, public=True, errors=(429,))
def signup(request: ApiRequest) -> Response:
    body = request.body
    ctx, _, user = service.signup(company_name=body.company_name, name=body.name, email=body.email,
                                  password=body.password, locale=body.locale, country=body.country,
                                  timezone=body.timezone, request_id=request.request_id,
                                  source_ip=request.source_ip)
    return _session_response(sessions.start_session(ctx, user, user_agent=request.header("user-agent")), status=201,
                             in_body=body.refresh_token_in_body)


@api.route("/api/v1/auth/login", method="POST", summary="Sign in with e-mail, password and second factor",
           body=s.LoginIn, response=s.SessionOut, public=True, errors=(401, 403, 409, 429))
def login(request: ApiRequest) -> Response:
    body = request.body
    signed = sessions.login(email=body.email, password=body.password, tenant_id=body.tenant_id, otp=body.otp,
                            request_id=request.request_id, source_ip=request.source_ip,
                            user_agent=request.header("user-agent"), device=_cookie_token(request, DEVICE_COOKIE))
    return _session_response(signed, in_body=body.refresh_token_in_body)


@api.route("/api/v1/auth/refresh", method="POST", summary="Rotate the refresh token for new tokens",
           body=s.RefreshIn, response=s.SessionOut, public=True, errors=(401,))
def refresh(request: ApiRequest) -> Response:
    token = request.body.refresh_token or _cookie_token(request)
    if not token:
        raise errors.UnauthenticatedError("No refresh token.", code="invalid_refresh_token")
    # A client that sent its token in the body keeps the next one itself; one refreshed through the cookie (a
    # page, or a script on it) gets it back only in the cookie, whatever it asks.
    return _session_response(sessions.refresh(token=token, request_id=request.request_id,
                                              source_ip=request.source_ip),
                             in_body=request.body.refresh_token is not None)


@api.route("/api/v1/auth/password-reset", method="POST", summary="E-mail a password reset link",
           body=s.PasswordResetIn, response=s.Accepted, status=202, public=True, errors=(429,))
def password_reset(request: ApiRequest) -> s.Accepted:
    sessions.request_password_reset(email=request.body.email, request_id=request.request_id,
                                    source_ip=request.source_ip)
    return s.Accepted()


@api.route("/api/v1/auth/password-reset/confirm", method="POST", summary="Set a new password from a reset link",
           body=s.PasswordResetConfirmIn, response=s.Accepted, public=True)
def password_reset_confirm(request: ApiRequest) -> s.Accepted:
    sessions.confirm_password_reset(token=request.body.token, new_password=request.body.new_password,
                                    request_id=request.request_id, source_ip=request.source_ip)
    return s.Accepted()


@api.route("/api/v1/auth/accept-invitation", method="POST", summary="Accept an invitation and set a password",
           body=s.AcceptInvitationIn, response=s.SessionOut, public=True)
def accept_invitation(request: ApiRequest) -> Response:
    body = request.body
    ctx, user = service.accept_invitation(token=body.token, password=body.password, name=body.name,
                                          request_id=request.request_id, source_ip=request.source_ip)
    return _session_response(sessions.start_session(ctx, user, user_agent=request.header("user-agent")),
                             in_body=body.refresh_token_in_body)


@api.route("/api/v1/auth/confirm-email", method="POST", summary="Confirm the owner's e-mail address from its link",
           body=s.ConfirmEmailIn, response=s.Confirmed, public=True, errors=(400,))
def confirm_email(request: ApiRequest) -> s.Confirmed:
    confirmation.confirm(token=request.body.token, request_id=request.request_id, source_ip=request.source_ip)
    return s.Confirmed()


@api.route("/api/v1/auth/confirm-email/resend", method="POST", summary="E-mail the owner a new confirmation link",
           response=s.Accepted, status=202, errors=(403, 409, 429))
def confirm_email_resend(request: ApiRequest) -> s.Accepted:
    confirmation.resend(request.tenant)
    return s.Accepted()


# -- the signed-in user ---------------------------------------------------------------------


@api.route("/api/v1/auth/logout", method="POST", summary="End this session (or every session)",
           body=s.LogoutIn, status=204)
def logout(request: ApiRequest) -> Response:
    sessions.logout(request.tenant, session_id=request.principal.session_id, everywhere=request.body.everywhere)
    return Response(body="", status_code=204, headers={"Set-Cookie": _cookie("", 0), "Cache-Control": "no-store"})


@api.route("/api/v1/auth/password", method="POST", summary="Change one's password (other sessions end)",
           body=s.PasswordChangeIn, response=s.SessionOut, errors=(403, 429))
def change_password(request: ApiRequest) -> Response:
    _users_only(request)
    signed = sessions.change_password(request.tenant, current=request.body.current_password,
                                      new=request.body.new_password, user_agent=request.header("user-agent"))
    return _session_response(signed, in_body=request.body.refresh_token_in_body)


@api.route("/api/v1/me", summary="The signed-in user, their tenant and permissions", response=s.MeOut)
def me(request: ApiRequest) -> s.MeOut:
    ctx = request.tenant
    tenant = service.get_tenant_or_raise(ctx)
    if ctx.actor_kind == "api_key":
        raise errors.ForbiddenError("An API key has no user; use /api/v1/tenant.", code="not_a_user")
    user = service.get_user_or_raise(ctx, ctx.actor_id)
    return s.MeOut(tenant=service.tenant_read(tenant), user=service.user_read(user),
                   permissions=sorted(ctx.permissions), sees_sensitive=permissions.sees_sensitive(ctx))


def _users_only(request: ApiRequest) -> None:
    if request.tenant.actor_kind != "user":
        raise errors.ForbiddenError("Only a signed-in user can do this.", code="not_a_user")


@api.route("/api/v1/auth/totp/setup", method="POST", summary="Start second-factor enrolment",
           response=s.TotpSetupOut)
def totp_setup(request: ApiRequest) -> s.TotpSetupOut:
    _users_only(request)
    secret, uri = totp.setup(request.tenant)
    return s.TotpSetupOut(secret=secret, otpauth_uri=uri)


@api.route("/api/v1/auth/totp/enable", method="POST", summary="Confirm the second factor with a code",
           body=s.TotpEnableIn, response=s.SessionOut)
def totp_enable(request: ApiRequest) -> Response:
    _users_only(request)
    user = totp.enable(request.tenant, request.body.code)
    return _session_response(sessions.start_session(request.tenant, user, user_agent=request.header("user-agent")))


@api.route("/api/v1/auth/totp/disable", method="POST", summary="Turn the second factor off",
           body=s.TotpDisableIn, response=s.UserRead, errors=(403, 429))
def totp_disable(request: ApiRequest) -> s.UserRead:
    _users_only(request)
    return service.user_read(totp.disable(request.tenant, password=request.body.password, code=request.body.code))


# -- the tenant -----------------------------------------------------------------------------


@api.route("/api/v1/tenant", summary="The company's settings", response=s.TenantRead)
def tenant_get(request: ApiRequest) -> s.TenantRead:
    return service.tenant_read(service.get_tenant_or_raise(request.tenant))


@api.route("/api/v1/tenant", method="PATCH", summary="Change the company's settings and security policy",
           body=s.TenantUpdate, response=s.TenantRead, errors=(409,))
def tenant_update(request: ApiRequest) -> s.TenantRead:
    return service.tenant_read(service.update_tenant(request.tenant, request.body))


# -- users ----------------------------------------------------------------------------------


@api.route("/api/v1/users", summary="List the company's users", query=s.ListQuery, response=s.UserPage)
def users_list(request: ApiRequest) -> s.UserPage:
    page = service.list_users(request.tenant, limit=request.query.limit, cursor=request.query.cursor)
    moving = service.records_moving(request.tenant)
    reads = access.handed_reads(request.tenant, {u.role for u in page.items})
    return s.UserPage(items=[service.user_read(u, moving=moving, reads=reads.get(u.role, [])) for u in page.items],
                      next_cursor=page.next_cursor)


@api.route("/api/v1/users", method="POST", summary="Invite a user by e-mail", body=s.InviteIn,
           response=s.UserRead, status=201, errors=(409,))
def users_invite(request: ApiRequest) -> s.UserRead:
    body = request.body
    return service.user_read(service.invite_user(request.tenant, email=body.email, name=body.name, role=body.role,
                                                 team_id=body.team_id, locale=body.locale))


@api.route("/api/v1/users/{user_id}", summary="One user", response=s.UserRead, errors=(404,))
def users_get(request: ApiRequest, user_id: str) -> s.UserRead:
    ctx = request.tenant
    if user_id != ctx.actor_id:
        permissions.require(ctx, "users", "read")
    return service.user_read(service.get_user_or_raise(ctx, user_id))


@api.route("/api/v1/users/{user_id}", method="PATCH", summary="Change a user's name, role or team",
           body=s.UserUpdate, response=s.UserRead, errors=(404, 409))
def users_update(request: ApiRequest, user_id: str) -> s.UserRead:
    user = service.update_user(request.tenant, user_id, request.body)
    return service.user_read(user, moving=service.records_moving(request.tenant))


@api.route("/api/v1/users/{user_id}/deactivate", method="POST", summary="Deactivate a user (tokens refused at once)",
           response=s.UserRead, errors=(404,))
def users_deactivate(request: ApiRequest, user_id: str) -> s.UserRead:
    return service.user_read(service.set_status(request.tenant, user_id, active=False))


@api.route("/api/v1/users/{user_id}/reactivate", method="POST", summary="Reactivate a user",
           response=s.UserRead, errors=(404, 409))
def users_reactivate(request: ApiRequest, user_id: str) -> s.UserRead:
    return service.user_read(service.set_status(request.tenant, user_id, active=True))


@api.route("/api/v1/users/{user_id}/resend-invitation", method="POST", summary="E-mail the invitation again",
           response=s.Accepted, status=202, errors=(404, 409, 429))
def users_resend(request: ApiRequest, user_id: str) -> s.Accepted:
    service.resend_invitation(request.tenant, user_id)
    return s.Accepted()


# -- roles and teams ------------------------------------------------------------------------


@api.route("/api/v1/roles", summary="Built-in and custom roles", response=s.RoleList)
def roles_list(request: ApiRequest) -> s.RoleList:
    return s.RoleList(items=access.list_roles(request.tenant))


@api.route("/api/v1/roles", method="POST", summary="Create a custom role", body=s.RoleIn, response=s.RoleRead,
           status=201, errors=(409,))
def roles_create(request: ApiRequest) -> s.RoleRead:
    return access.role_read(access.create_role(request.tenant, request.body))


@api.route("/api/v1/roles/{role_key}", method="PATCH", summary="Change a custom role", body=s.RoleUpdate,
           response=s.RoleRead, errors=(404, 409))
def roles_update(request: ApiRequest, role_key: str) -> s.RoleRead:
    return access.role_read(access.update_role(request.tenant, role_key, request.body))


@api.route("/api/v1/roles/{role_key}", method="DELETE", summary="Delete a custom role", status=204, errors=(404, 409))
def roles_delete(request: ApiRequest, role_key: str) -> None:
    access.delete_role(request.tenant, role_key)


@api.route("/api/v1/teams", summary="The company's teams", response=s.TeamList)
def teams_list(request: ApiRequest) -> s.TeamList:
    return s.TeamList(items=[access.team_read(t) for t in access.list_teams(request.tenant)])


@api.route("/api/v1/teams", method="POST", summary="Create a team", body=s.TeamIn, response=s.TeamRead, status=201)
def teams_create(request: ApiRequest) -> s.TeamRead:
    return access.team_read(access.create_team(request.tenant, name=request.body.name))


@api.route("/api/v1/teams/{team_id}", method="PATCH", summary="Rename a team", body=s.TeamUpdate,
           response=s.TeamRead, errors=(404, 409))
def teams_update(request: ApiRequest, team_id: str) -> s.TeamRead:
    body = request.body
    return access.team_read(access.rename_team(request.tenant, team_id, name=body.name, version=body.version))


@api.route("/api/v1/teams/{team_id}", method="DELETE", summary="Delete an empty team", status=204, errors=(404, 409))
def teams_delete(request: ApiRequest, team_id: str) -> None:
    access.delete_team(request.tenant, team_id)


# -- API keys -------------------------------------------------------------------------------


def _key_read(key: Any) -> s.ApiKeyRead:
    return s.ApiKeyRead(id=key.key_id, name=key.name, prefix=key.prefix, permissions=list(key.permissions or []),
                        created_by=key.created_by, created_at=key.created_at, last_used_at=key.last_used_at,
                        revoked_at=key.revoked_at)


@api.route("/api/v1/api-keys", summary="The company's API keys", response=s.ApiKeyList)
def api_keys_list(request: ApiRequest) -> s.ApiKeyList:
    return s.ApiKeyList(items=[_key_read(k) for k in apikeys.list_keys(request.tenant)])


@api.route("/api/v1/api-keys", method="POST", summary="Create an API key (the secret is shown once)",
           body=s.ApiKeyIn, response=s.ApiKeyCreated, status=201)
def api_keys_create(request: ApiRequest) -> s.ApiKeyCreated:
    key, secret = apikeys.create(request.tenant, name=request.body.name, granted=request.body.permissions)
    return s.ApiKeyCreated(**_key_read(key).model_dump(), secret=secret)


@api.route("/api/v1/api-keys/{key_id}", method="DELETE", summary="Revoke an API key", response=s.ApiKeyRead,
           errors=(404,))
def api_keys_revoke(request: ApiRequest, key_id: str) -> s.ApiKeyRead:
    return _key_read(apikeys.revoke(request.tenant, key_id))
