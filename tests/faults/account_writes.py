"""Requests of the account routes (sign-in, second factor, members, the company itself) for the fault suite."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyotp

from tests.factories import PASSWORD, Company, Member, link_token, signup, unique_email
from tests.faults.fresh import Call, Fresh


def _totp_member(fresh: Fresh) -> tuple[Member, str]:
    """A member who just set up a second factor (not yet enabled); returns the secret."""
    member = fresh.member()
    secret = fresh.post("/api/v1/auth/totp/setup", token=member.token)["secret"]
    return member, str(secret)


def _totp_disable(fresh: Fresh) -> Call:
    member, secret = _totp_member(fresh)
    enabled = fresh.post("/api/v1/auth/totp/enable", {"code": pyotp.TOTP(secret).now()}, token=member.token)
    token = enabled.get("access_token", member.token)
    return Call("POST", "/api/v1/auth/totp/disable", token, {"password": member.password,  # enabling took this step's
                                                             "code": pyotp.TOTP(secret).at(int(time.time()) + 30)})


def _totp_enable(fresh: Fresh) -> Call:
    member, secret = _totp_member(fresh)
    return Call("POST", "/api/v1/auth/totp/enable", member.token, {"code": pyotp.TOTP(secret).now()})


def _reactivate(fresh: Fresh) -> Call:
    user = fresh.user()
    fresh.post(f"/api/v1/users/{user['id']}/deactivate")
    return Call("POST", f"/api/v1/users/{user['id']}/reactivate", fresh.owner)


def _resend(fresh: Fresh) -> Call:
    invited = fresh.post("/api/v1/users", {"email": unique_email("inv"), "name": "Invited", "role": "agent"})
    return Call("POST", f"/api/v1/users/{invited['id']}/resend-invitation", fresh.owner)


def _tenant_deletion(fresh: Fresh) -> Call:
    doomed: Company = signup(fresh.client, company="Faulty Doomed")  # scheduling locks a tenant: never tenant A
    return Call("POST", "/api/v1/tenant/deletion", doomed.owner.token, {"password": doomed.owner.password})


def _tenant_export(fresh: Fresh) -> Call:
    exporter: Company = signup(fresh.client, company="Faulty Exporter")  # tenant A has an open export: reused
    return Call("POST", "/api/v1/tenant/export", exporter.owner.token)


def _tenant_update(fresh: Fresh) -> Call:
    tenant = fresh.get("/api/v1/tenant")
    return Call("PATCH", "/api/v1/tenant", fresh.owner, {"version": tenant["version"], "name": "Alpha Victim Renamed"})


def _logout(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/auth/logout", fresh.member().token, {})


def _password(fresh: Fresh) -> Call:
    member = fresh.member()
    return Call("POST", "/api/v1/auth/password", member.token, {"current_password": member.password,
                                                                "new_password": "another horse battery staple"})


def _invite(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/users", fresh.owner, {"email": unique_email("inv"), "name": "Invited",
                                                       "role": "agent"})


def _signup(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/auth/signup", None, {"company_name": "Faulty Signup", "name": "F",
                                                      "email": unique_email("su"), "password": PASSWORD})


def _login(fresh: Fresh) -> Call:
    member = fresh.member()
    return Call("POST", "/api/v1/auth/login", None, {"email": member.email, "password": member.password})


def _refresh(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/auth/refresh", None, {"refresh_token": fresh.member().refresh_token})


def _password_reset(fresh: Fresh) -> Call:
    return Call("POST", "/api/v1/auth/password-reset", None, {"email": fresh.member().email})


def _password_reset_confirm(fresh: Fresh) -> Call:
    member = fresh.member()
    fresh.post("/api/v1/auth/password-reset", {"email": member.email})
    return Call("POST", "/api/v1/auth/password-reset/confirm", None, {"token": link_token(member.email, "reset"),
                                                                     "new_password": "a new horse battery"})


def _accept_invitation(fresh: Fresh) -> Call:
    email = unique_email("acc")
    fresh.post("/api/v1/users", {"email": email, "name": "Invited", "role": "agent"})
    return Call("POST", "/api/v1/auth/accept-invitation", None, {"token": link_token(email, "accept"),
                                                                 "password": PASSWORD})


def _confirm_email(fresh: Fresh) -> Call:
    unconfirmed: Company = signup(fresh.client, company="Faulty Unconfirmed", confirm=False)
    return Call("POST", "/api/v1/auth/confirm-email", None,
                {"token": link_token(unconfirmed.owner.email, "confirm-email")})


def _confirm_resend(fresh: Fresh) -> Call:
    unconfirmed: Company = signup(fresh.client, company="Faulty Unconfirmed", confirm=False)
    return Call("POST", "/api/v1/auth/confirm-email/resend", unconfirmed.owner.token)


def _cancel_deletion(fresh: Fresh) -> Call:
    doomed: Company = signup(fresh.client, company="Faulty Doomed")
    fresh.post("/api/v1/tenant/deletion", {"password": doomed.owner.password}, token=doomed.owner.token)
    return Call("DELETE", "/api/v1/tenant/deletion", None,
                {"token": link_token(doomed.owner.email, "cancel-deletion")})


ACCOUNT_OVERRIDES: dict[str, Callable[[Fresh], Call]] = {
    "POST /api/v1/auth/signup": _signup,
    "POST /api/v1/auth/login": _login,
    "POST /api/v1/auth/refresh": _refresh,
    "POST /api/v1/auth/password-reset": _password_reset,
    "POST /api/v1/auth/password-reset/confirm": _password_reset_confirm,
    "POST /api/v1/auth/accept-invitation": _accept_invitation,
    "POST /api/v1/auth/confirm-email": _confirm_email,
    "POST /api/v1/auth/confirm-email/resend": _confirm_resend,
    "DELETE /api/v1/tenant/deletion": _cancel_deletion,
    "POST /api/v1/auth/logout": _logout,
    "POST /api/v1/auth/password": _password,
    "POST /api/v1/auth/totp/setup": lambda f: Call("POST", "/api/v1/auth/totp/setup", f.member().token),
    "POST /api/v1/auth/totp/enable": _totp_enable,
    "POST /api/v1/auth/totp/disable": _totp_disable,
    "PATCH /api/v1/tenant": _tenant_update,
    "POST /api/v1/tenant/deletion": _tenant_deletion,
    "POST /api/v1/tenant/export": _tenant_export,
    "POST /api/v1/users": _invite,
    "POST /api/v1/users/{user_id}/reactivate": _reactivate,
    "POST /api/v1/users/{user_id}/resend-invitation": _resend,
}
