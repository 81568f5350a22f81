"""Tenants and their users: sign-up, invitations, profile, role and team changes, deactivation."""

from __future__ import annotations

import contextlib
import importlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.billing import catalog, gateway, limits
from chalicelib.billing.models import CustomerLookup, Subscription, customer_key
from chalicelib.core import audit, auth, db, errors, http, mail, permissions
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, bind, global_key, is_valid_id, new_id, tenant_key
from chalicelib.identity import access, letters, passwords, plans, zones
from chalicelib.identity.models import EmailLogin, InvitationsOfDay, Tenant, TokenLookup, User

if TYPE_CHECKING:  # the schemas load with the routes that take them, not on every request's session check (#22)
    from chalicelib.identity.schemas import TenantRead, TenantUpdate, UserRead, UserUpdate

TRIAL_DAYS = catalog.TRIAL_DAYS
INVITATION_DAYS = 7
# An invitation is e-mailed again at once the first time, then a minute after, doubling up to a day: the button is
# for a lost e-mail, not for mailing someone a company's name (any text a free sign-up chooses) as fast as one clicks.
RESEND_SECONDS = 60
RESEND_MAX_SECONDS = 24 * 3600
# Invitation e-mails a company may send a day, resends included: far above a team's growth, far below what would
# make our mail a channel for a sign-up's spam or phishing (its company name is free text in every invitation).
INVITATIONS_PER_DAY = 50
TEAM_MOVE = "records.team"  # the due timer of a user's records following them to another team (records.teams)
USER_AUDIT_FIELDS = ("email", "name", "role", "team_id", "status", "locale", "totp_enabled", "token_version",
                     "calendar_feed_at")


# -- keys -----------------------------------------------------------------------------------


def tenant_pk(ctx: TenantContext) -> str:
    """Partition of the tenant item."""
    return tenant_key(ctx, "TENANT")


def users_pk(ctx: TenantContext) -> str:
    """Partition holding every user of the tenant."""
    return tenant_key(ctx, "USER")


def user_keys(ctx: TenantContext, user_ids: list[str]) -> list[tuple[str, str]]:
    """The keys of these users' items (each once, malformed ids left out), for a caller's BatchGetItem."""
    return [(users_pk(ctx), user_id) for user_id in dict.fromkeys(user_ids) if is_valid_id(user_id)]


def names_of_users(ctx: TenantContext, found: dict[tuple[str, str], Any]) -> dict[str, str]:
    """Users' names by id among items a BatchGetItem read (a user with no name left out)."""
    pk = users_pk(ctx)
    return {sk: str(item.name) for (item_pk, sk), item in found.items()
            if item_pk == pk and getattr(item, "name", None)}


def email_login_key(email: str) -> str:
    """Global key of an e-mail's memberships."""
    return global_key("email", email.lower())


def system_context(tenant_id: str, *, actor_id: str = "system", source: str = "api",
                   request_id: str | None = None, source_ip: str | None = None) -> TenantContext:
    """A context acting for a tenant outside a user's request (sign-in, jobs)."""
    return TenantContext(tenant_id=tenant_id, actor_id=actor_id, actor_kind="system", role="system",
                         source=source, request_id=request_id, source_ip=source_ip)


# -- views ----------------------------------------------------------------------------------


def tenant_read(tenant: Tenant) -> TenantRead:
    """The API view of a tenant, with where its subscription stands now."""
    from chalicelib.identity.schemas import TenantRead

    standing = plans.standing_of(tenant)
    return TenantRead(
        id=tenant.tenant_id, name=tenant.name, plan=standing.plan.key, status=tenant.status,
        billing_status=standing.status, trial_ends_at=standing.trial_ends_at, grace_ends_at=standing.grace_ends_at,
        email_confirm_by=tenant.email_confirm_by,
        locale=tenant.locale,
        country=tenant.country, currency=tenant.currency, timezone=tenant.timezone,
        password_min_length=int(tenant.password_min_length),
        password_max_age_days=int(tenant.password_max_age_days) if tenant.password_max_age_days else None,
        require_totp=bool(tenant.require_totp), prices_include_tax=bool(tenant.prices_include_tax),
        calendar_feeds=bool(tenant.calendar_feeds), created_at=tenant.created_at, version=int(tenant.version or 0),
    )


def user_read(user: User, *, moving: set[str] | None = None, reads: list[str] | None = None) -> UserRead:
    """The API view of a user (never the password hash or the second-factor secret); ``moving``: the users whose
    records are still moving to their team (``records_moving``); ``reads``: what the user's role reads of the work
    a colleague can be handed (``access.handed_reads``)."""
    from chalicelib.identity.schemas import UserRead

    return UserRead(
        id=user.user_id, email=user.email, name=user.name, role=user.role, team_id=user.team_id,
        status=user.status, locale=user.locale, totp_enabled=bool(user.totp_enabled),
        last_login_at=user.last_login_at, created_at=user.created_at, version=int(user.version or 0),
        records_moving=user.user_id in (moving or ()), reads=reads,
    )


def user_audit_view(user: User | None) -> dict[str, Any] | None:
    """The fields of a user the audit trail records."""
    if user is None:
        return None
    return {name: getattr(user, name) for name in USER_AUDIT_FIELDS}


def tenant_audit_view(tenant: Tenant) -> dict[str, Any]:
    """The fields of a tenant the audit trail records."""
    fields = ("name", "status", "plan", "locale", "country", "currency", "timezone", "password_min_length",
              "password_max_age_days", "require_totp", "prices_include_tax", "calendar_feeds")
    return {name: getattr(tenant, name) for name in fields}


# -- tenants --------------------------------------------------------------------------------


def get_tenant(ctx: TenantContext) -> Tenant | None:
    """The caller's tenant item."""
    return db.get(ctx, Tenant, tenant_pk(ctx), "TENANT")


def prices_include_tax(ctx: TenantContext) -> bool:
    """Whether the company types its prices and deal amounts with their VAT in (``Tenant.prices_include_tax``)."""
    return bool(getattr(tenant_settings(ctx), "prices_include_tax", None))


def tenant_settings(ctx: TenantContext) -> Tenant | None:
    """The caller's tenant as this request (or processing run) first read it, for its settings (currency,
    country, time zone, owner): one read per request, none after authentication, which reads it already.
    Writers use get_tenant."""
    run = http.running_memo()
    memo, key = run if run is not None else http.request_memo(), ("tenant", ctx.tenant_id)
    if key not in memo:
        memo[key] = get_tenant(ctx)
    return memo[key]  # type: ignore[no-any-return]


def company_locale(ctx: TenantContext) -> str:
    """The language the company works in ("en" when it names none): the words the server writes as its data."""
    tenant = tenant_settings(ctx)
    return str(tenant.locale) if tenant is not None and tenant.locale else "en"


def tenant_settings_or_raise(ctx: TenantContext) -> Tenant:
    """tenant_settings, or 404."""
    tenant = tenant_settings(ctx)
    if tenant is None:
        raise errors.NotFoundError("No such tenant.")
    return tenant


def get_tenant_or_raise(ctx: TenantContext) -> Tenant:
    """The caller's tenant item, or 404."""
    tenant = get_tenant(ctx)
    if tenant is None:
        raise errors.NotFoundError("No such tenant.")
    return tenant


def check_password_policy(tenant: Tenant | None, password: str, *, email: str) -> None:
    """422 unless the password meets the tenant's policy (``identity.passwords``)."""
    minimum = int(tenant.password_min_length) if tenant is not None else passwords.DEFAULT_MIN_LENGTH
    found = passwords.problems(password, email=email, minimum=minimum)
    if found:
        raise errors.ValidationError(
            "The password does not meet the policy.",
            details=[{"loc": ["password"], "msg": passwords.wanted(found), "type": "password_policy"}],
        )


# What a new company starts with besides its owner, committed with the sign-up: "module:function" giving
# the items, loaded by name (identity is the platform under every domain and imports none of them).
STARTER_ITEMS = ("chalicelib.deals.pipelines:default_pipeline_items",
                 "chalicelib.automations.service:starter_items")  # the birthday greeting, off


def starter_items(ctx: TenantContext, *, locale: str = "en") -> list[db.MainTable]:
    """The items a new tenant starts with (``STARTER_ITEMS``), named in the company's language."""
    found: list[db.MainTable] = []
    for target in STARTER_ITEMS:
        module, _, name = target.partition(":")
        found += getattr(importlib.import_module(module), name)(ctx, locale=locale)
    return found


def signup(*, company_name: str, name: str, email: str, password: str, locale: str, country: str,
           timezone: str | None = None, request_id: str | None = None, source_ip: str | None = None,
           email_confirmed: bool = False) -> tuple[TenantContext, Tenant, User]:
    """Create a tenant (on a trial of the trial plan) with its owner, the owner's login, the tenant's data key,
    its usage counters and its Stripe customer; e-mail the owner a link confirming the address (not for an
    operator's or the demo's company: ``email_confirmed``). Without a time zone, the country's usual one."""
    from chalicelib.core import crypto
    from chalicelib.identity import confirmation

    check_password_policy(None, password, email=email)
    tenant_id, user_id = new_id(), new_id()
    customer_id = _stripe_customer(tenant_id, company_name, email)
    ctx = TenantContext(tenant_id=tenant_id, actor_id=user_id, actor_kind="user", role="owner",
                        request_id=request_id, source_ip=source_ip,
                        permissions=permissions.BUILTIN_ROLES["owner"].permissions)
    now = db.utcnow()
    tenant = Tenant(tenant_pk(ctx), "TENANT", tenant_id=tenant_id, name=company_name, owner_id=user_id,
                    locale=locale, country=country, currency=_default_currency(country),
                    timezone=timezone or zones.country_zone(country),
                    plan=catalog.TRIAL_PLAN, trial_ends_at=now + timedelta(days=TRIAL_DAYS),
                    billing=Subscription(status="trialing", plan=catalog.TRIAL_PLAN, customer_id=customer_id),
                    gsi1pk=global_key("tenants", "all"), gsi1sk=f"{now.isoformat()}#{tenant_id}")
    user = User(users_pk(ctx), user_id, user_id=user_id, email=email, name=name, role="owner", status="active",
                locale=locale, password_hash=auth.hash_password(password), password_changed_at=now,
                last_login_at=now)  # sign-up signs the owner in
    with bind(ctx):
        change = db.Change().save(tenant).save(user)
        confirm_token = None if email_confirmed else confirmation.begin(ctx, tenant, change)
        change.create(EmailLogin(email_login_key(email), tenant_id, tenant_id=tenant_id, user_id=user_id))
        change.create(crypto.new_key_item(ctx, new_tenant=True))
        for item in starter_items(ctx, locale=locale):  # a new company starts with a "Sales" funnel
            change.create(item)
        limits.starting_usage(ctx, change, users=1, pipelines=1)  # the owner and that funnel
        if customer_id is not None:
            change.create(CustomerLookup(*customer_key(customer_id), tenant_id=tenant_id))
        audit.attach(ctx, change, tenant, entity="tenant", entity_id=tenant_id, action="create", before=None,
                     after=tenant_audit_view(tenant))
        audit.attach(ctx, change, user, entity="user", entity_id=user_id, action="create", before=None,
                     after=user_audit_view(user))
        db.commit(ctx, change)
    if confirm_token is not None:
        confirmation.send(tenant, user, confirm_token)
    return ctx, tenant, user


def _stripe_customer(tenant_id: str, company_name: str, email: str) -> str | None:
    """The new tenant's Stripe customer, made before the sign-up commits (its id is written with it). A sign-up
    never waits on Stripe to succeed: without one, the first checkout makes it (same idempotency key)."""
    try:
        return gateway.create_customer(tenant_id=tenant_id, name=company_name, email=email) \
            if gateway.configured() else None
    except errors.CRMError:
        logger.warning("no Stripe customer at sign-up; the first checkout makes it")
        return None


def _default_currency(country: str) -> str:
    return {"RU": "RUB", "KZ": "KZT", "BY": "BYN", "UA": "UAH", "GB": "GBP", "US": "USD"}.get(
        country, "EUR" if country in {"DE", "FR", "ES", "IT", "NL", "AT", "FI", "IE", "PT", "BE"} else "USD")


def update_tenant(ctx: TenantContext, update: TenantUpdate) -> Tenant:
    """Change the tenant's settings (name, locale, security policy)."""
    permissions.require(ctx, "settings", "update")
    tenant = get_tenant_or_raise(ctx)
    before = tenant_audit_view(tenant)
    tenant.version = update.version
    for name, value in update.model_dump(exclude={"version"}, exclude_unset=True).items():
        setattr(tenant, name, value)
    _commit_with_audit(ctx, tenant, entity="tenant", entity_id=ctx.tenant_id, action="update", before=before,
                       after=tenant_audit_view(tenant))
    return tenant


def _commit_with_audit(ctx: TenantContext, item: db.VersionedItem, *, entity: str, entity_id: str, action: str,
                       before: dict[str, Any] | None, after: dict[str, Any] | None,
                       extra: db.Change | None = None) -> None:
    change = extra or db.Change()
    change.save(item)
    audit.attach(ctx, change, item, entity=entity, entity_id=entity_id, action=action, before=before, after=after)
    db.commit(ctx, change)


# -- users ----------------------------------------------------------------------------------


def get_user(ctx: TenantContext, user_id: str) -> User | None:
    """A user of the caller's tenant, or None (read once per processing run: see http.run_memo)."""
    if not is_valid_id(user_id):
        return None
    run = http.running_memo()
    if run is None:
        return db.get(ctx, User, users_pk(ctx), user_id)
    key = ("user", ctx.tenant_id, user_id)
    if key not in run:
        run[key] = db.get(ctx, User, users_pk(ctx), user_id)
    return run[key]  # type: ignore[no-any-return]


def get_user_or_raise(ctx: TenantContext, user_id: str) -> User:
    """A user of the caller's tenant, or 404."""
    user = get_user(ctx, user_id)
    if user is None:
        raise errors.NotFoundError("No such user.")
    return user


def list_users(ctx: TenantContext, *, limit: int, cursor: str | None) -> db.Page[User]:
    """The tenant's users, one page."""
    permissions.require(ctx, "users", "read")
    return db.query_page(ctx, User, users_pk(ctx), scope="users", limit=limit, cursor=cursor, newest_first=False)


def _email_taken(ctx: TenantContext, email: str) -> bool:
    found = EmailLogin.query(email_login_key(email), EmailLogin.sk == ctx.tenant_id, limit=1)
    if any(True for _ in found):
        return True
    return any(user.email == email for user in User.query(users_pk(ctx)))


def invite_user(ctx: TenantContext, *, email: str, name: str, role: str, team_id: str | None,
                locale: str | None = None) -> User:
    """Create an invited user and e-mail them a link to set a password (in their language when the inviter named
    one, else the company's)."""
    permissions.require(ctx, "users", "create")
    access.check_assignable(ctx, role=role, team_id=team_id)
    if _email_taken(ctx, email):
        raise errors.ConflictError("This e-mail already belongs to a user of this company.", code="duplicate_user")
    user_id = new_id()
    user = User(users_pk(ctx), user_id, user_id=user_id, email=email, name=name, role=role, team_id=team_id,
                status="invited", invited_by=ctx.actor_id, locale=locale, invitation_mails=1,
                invitation_sent_at=db.utcnow())
    token = auth.new_opaque_token("inv_")
    change = _count_invitation(ctx, db.Change().create(_token_lookup(ctx, "invite", token, user_id,
                                                                      days=INVITATION_DAYS)))
    plans.require(ctx, count="users", change=change)  # an invited user takes a seat
    _commit_with_audit(ctx, user, entity="user", entity_id=user_id, action="invite", before=None,
                       after=user_audit_view(user), extra=change)
    _send_invitation(ctx, user, token)
    plans.follow_seats(ctx)
    return user


def resend_invitation(ctx: TenantContext, user_id: str) -> None:
    """E-mail a fresh invitation link to a user who has not accepted yet."""
    permissions.require(ctx, "users", "create")
    user = get_user_or_raise(ctx, user_id)
    if user.status != "invited":
        raise errors.ConflictError("This user has already accepted the invitation.", code="not_invited")
    sent = int(user.invitation_mails or 1)
    wait = min(RESEND_SECONDS * 2 ** (sent - 2), RESEND_MAX_SECONDS) if sent > 1 else 0  # the first: at once
    now = db.utcnow()
    if user.invitation_sent_at is not None and now < user.invitation_sent_at + timedelta(seconds=wait):
        retry = max(int((user.invitation_sent_at + timedelta(seconds=wait) - now).total_seconds()) + 1, 1)
        raise errors.RateLimitedError("The invitation was e-mailed a moment ago; it can be sent again a little later.",
                                      code="invitation_recently_sent", retry_after=retry)
    token = auth.new_opaque_token("inv_")
    before = user_audit_view(user)
    user.invitation_mails, user.invitation_sent_at = sent + 1, now
    change = _count_invitation(ctx, db.Change().create(_token_lookup(ctx, "invite", token, user_id,
                                                                      days=INVITATION_DAYS)))
    _commit_with_audit(ctx, user, entity="user", entity_id=user_id, action="resend_invitation", before=before,
                       after=user_audit_view(user), extra=change)
    _send_invitation(ctx, user, token)


def _token_lookup(ctx: TenantContext, purpose: str, token: str, user_id: str, *, days: float) -> TokenLookup:
    issued = db.utcnow()
    return TokenLookup(global_key(purpose, auth.token_digest(token)), "TOKEN", purpose=purpose,
                       tenant_id=ctx.tenant_id, user_id=user_id, issued_at=issued,
                       expires_at=issued + timedelta(days=days))


def _count_invitation(ctx: TenantContext, change: db.Change) -> db.Change:
    """Add an invitation e-mail to the company's count of the (UTC) day, in the invitation's own transaction: one
    beyond INVITATIONS_PER_DAY is refused (429) with nothing written."""
    now = db.utcnow()
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)

    def refusal() -> errors.CRMError:
        return errors.RateLimitedError(
            f"This company has sent {INVITATIONS_PER_DAY} invitations today; more can be sent tomorrow.",
            code="invitations_daily_limit", retry_after=max(int((tomorrow - now).total_seconds()), 1),
            details=[{"limit": INVITATIONS_PER_DAY}])

    day = InvitationsOfDay(tenant_pk(ctx), f"INVITES#{now:%Y%m%d}", expires_at=now + timedelta(days=2))
    return change.limit(day, {"sent": 1}, ceilings={"sent": INVITATIONS_PER_DAY}, refusal=refusal)


def _send_invitation(ctx: TenantContext, user: User, token: str) -> None:
    tenant = get_tenant_or_raise(ctx)
    mail.send(to=user.email, **letters.invitation(
        letters.language(user.locale, tenant.locale), name=user.name, company=tenant.name, days=INVITATION_DAYS,
        link=mail.link("/#/accept?token=" + token)))


def redeem_token(purpose: str, token: str) -> TokenLookup:
    """The live lookup of an e-mailed token, or 400 when unknown or expired."""
    lookup = None
    with contextlib.suppress(TokenLookup.DoesNotExist):
        lookup = TokenLookup.get(global_key(purpose, auth.token_digest(token)), "TOKEN", consistent_read=True)
    if lookup is None or lookup.purpose != purpose or (lookup.expires_at and lookup.expires_at < db.utcnow()):
        raise errors.BadRequestError("This link is invalid or has expired.", code="invalid_token")
    return lookup


def accept_invitation(*, token: str, password: str, name: str | None, request_id: str | None = None,
                      source_ip: str | None = None) -> tuple[TenantContext, User]:
    """Turn an invitation into an active user with a password; the link works once."""
    lookup = redeem_token("invite", token)
    ctx = system_context(lookup.tenant_id, actor_id=lookup.user_id, request_id=request_id, source_ip=source_ip)
    with bind(ctx):
        user = get_user_or_raise(ctx, lookup.user_id)
        if user.status != "invited":
            raise errors.BadRequestError("This link is invalid or has expired.", code="invalid_token")
        check_password_policy(get_tenant(ctx), password, email=user.email)
        before = user_audit_view(user)
        user.status, user.name = "active", name or user.name
        user.password_hash, user.password_changed_at = auth.hash_password(password), db.utcnow()
        user.last_login_at = user.password_changed_at  # joining signs them in (Settings -> Users said "never")
        change = db.Change().delete(lookup)
        change.create(EmailLogin(email_login_key(user.email), ctx.tenant_id, tenant_id=ctx.tenant_id,
                                 user_id=user.user_id))
        _commit_with_audit(ctx, user, entity="user", entity_id=user.user_id, action="accept_invitation",
                           before=before, after=user_audit_view(user), extra=change)
    return ctx, user


def create_active_user(ctx: TenantContext, *, email: str, name: str, role: str, password: str,
                       team_id: str | None = None) -> User:
    """Create a user who can sign in at once (operator provisioning and the local demo; no e-mail)."""
    access.check_assignable(ctx, role=role, team_id=team_id)
    if _email_taken(ctx, email):
        raise errors.ConflictError("This e-mail already belongs to a user of this company.", code="duplicate_user")
    check_password_policy(get_tenant(ctx), password, email=email)
    user_id = new_id()
    user = User(users_pk(ctx), user_id, user_id=user_id, email=email, name=name, role=role, team_id=team_id,
                status="active", password_hash=auth.hash_password(password), password_changed_at=db.utcnow())
    change = db.Change().create(EmailLogin(email_login_key(email), ctx.tenant_id, tenant_id=ctx.tenant_id,
                                           user_id=user_id))
    plans.require(ctx, count="users", change=change)
    _commit_with_audit(ctx, user, entity="user", entity_id=user_id, action="create", before=None,
                       after=user_audit_view(user), extra=change)
    plans.follow_seats(ctx)
    return user


def update_user(ctx: TenantContext, user_id: str, update: UserUpdate) -> User:
    """Change a user's name, role, team or locale (a user may edit their own name and locale)."""
    user = get_user_or_raise(ctx, user_id)
    fields = update.model_dump(exclude={"version"}, exclude_unset=True)
    self_service = user_id == ctx.actor_id and set(fields) <= {"name", "locale"}
    if not self_service:
        permissions.require(ctx, "users", "update")
    if "role" in fields or "team_id" in fields:
        access.check_assignable(ctx, role=fields.get("role", user.role), team_id=fields.get("team_id", user.team_id))
        _guard_owner(ctx, user, fields.get("role", user.role))
    before = user_audit_view(user)
    user.version = update.version
    for name, value in fields.items():
        setattr(user, name, value)
    action = "change_role" if "role" in fields else "update"
    change = db.Change()
    if "team_id" in fields and fields["team_id"] != (before or {}).get("team_id"):
        _move_records(ctx, change, user_id=user_id, seq=int(update.version) + 1)
    _commit_with_audit(ctx, user, entity="user", entity_id=user_id, action=action, before=before,
                       after=user_audit_view(user), extra=change)
    return user


def _move_records(ctx: TenantContext, change: db.Change, *, user_id: str, seq: int) -> None:
    """Add to change the timer whose walk gives the user's records their new team (``records.teams``, run by the
    due run and acted by ctx's user); seq, the user's new version, keeps a later move's walk from being undone."""
    from chalicelib.due import service as due

    due.set_timer(ctx, kind=TEAM_MOVE, ref=user_id, due_at=db.utcnow(), payload={"actor_id": ctx.actor_id}, seq=seq,
                  change=change)


def records_moving(ctx: TenantContext) -> set[str]:
    """The users whose records are still moving to their team (one Query of the tenant's timers)."""
    from chalicelib.due import service as due
    from chalicelib.due.models import DueTimer

    with db.translate_errors():
        found = DueTimer.query(due.timers_pk(ctx), DueTimer.sk.startswith(f"{TEAM_MOVE}#"),
                               attributes_to_get=["pk", "sk", "kind", "ref"])
        return {str(timer.ref) for timer in found if isinstance(timer, DueTimer)}


def _guard_owner(ctx: TenantContext, user: User, new_role: str) -> None:
    if user.user_id == ctx.actor_id and new_role != user.role:
        raise errors.ForbiddenError("You cannot change your own role.", code="own_role")
    if (user.role == "owner" or new_role == "owner") and ctx.role != "owner":
        raise errors.ForbiddenError("Only the owner can hand over or take away ownership.", code="owner_only")


def set_status(ctx: TenantContext, user_id: str, *, active: bool) -> User:
    """Deactivate (every token refused at once) or reactivate a user."""
    permissions.require(ctx, "users", "update")
    user = get_user_or_raise(ctx, user_id)
    if user.user_id == ctx.actor_id:
        raise errors.ForbiddenError("The owner and you yourself cannot be deactivated.", code="self_deactivation")
    if user.role == "owner":
        raise errors.ForbiddenError("The owner and you yourself cannot be deactivated.", code="owner_deactivation")
    if active and user.status == "invited":
        raise errors.ConflictError("This user has not accepted the invitation yet.", code="not_active")
    before = user_audit_view(user)
    user.status = "active" if active else "deactivated"
    user.token_version = int(user.token_version) + 1
    change = db.Change()
    login = EmailLogin(email_login_key(user.email), ctx.tenant_id, tenant_id=ctx.tenant_id, user_id=user.user_id)
    if active:
        change.create(login)
    elif user.password_hash:
        change.delete(login)
    if (before or {}).get("status") != user.status:  # a seat freed or taken again (within the plan)
        plans.require(ctx, count="users", by=1 if active else -1, change=change)
    _commit_with_audit(ctx, user, entity="user", entity_id=user_id,
                       action="reactivate" if active else "deactivate", before=before,
                       after=user_audit_view(user), extra=change)
    plans.follow_seats(ctx)
    return user
