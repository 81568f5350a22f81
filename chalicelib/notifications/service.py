"""Notifications: made from domain events and timers, listed for the bell, read, e-mailed.

A notification is made at most once per cause: its id derives from the event or timer that caused it,
and it is created conditionally, so a redelivered event or a timer fired twice changes nothing. Made,
it is pushed to the user's open tabs (the bell's count comes with it: never polled) and, per the user's
settings, e-mailed at once (a timer due now, in the notification's own transaction: the mail is sent by the
due run, retried if SES fails) or in the day's digest. Reading a notification is not audited: it is the
user's own state, not the company's data.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ulid import ULID

from chalicelib.core import audit, db, errors
from chalicelib.core.tenancy import TenantContext, is_valid_id, tenant_key
from chalicelib.due import service as due
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import User
from chalicelib.live import service as live
from chalicelib.notifications import schemas as s
from chalicelib.notifications.models import Notification, NotificationSettings

KEPT = timedelta(days=90)
UNREAD, READ = "0", "1"
COUNT_LIMIT = 100
MAX_INVERTED = 10**13 - 1
EXCERPT_CHARS = 140
EMAIL_KIND, DIGEST_KIND = "notification.email", "notification.digest"


# -- personal text: one place, so it can move under the tenant's data key (#21) ----------------


def seal_text(ctx: TenantContext, text: str | None) -> str | None:
    """How a subject's title or a note's excerpt is stored (in clear today; the engine's sealing later)."""
    return text


def open_text(ctx: TenantContext, stored: str | None) -> str | None:
    """The stored text read back (see seal_text)."""
    return stored


# -- keys -------------------------------------------------------------------------------------


def notifications_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's notifications (each user's under its own sort-key prefix)."""
    return tenant_key(ctx, "NOTIF")


def notification_sk(user_id: str, notification_id: str) -> str:
    """Sort key of one notification of one user."""
    return f"{user_id}#N#{notification_id}"


def list_pk(ctx: TenantContext, user_id: str) -> str:
    """gsi1 partition of one user's notifications, unread first."""
    return tenant_key(ctx, "NOTIFS", user_id)


def settings_pk(ctx: TenantContext) -> str:
    """Partition of the users' notification settings."""
    return tenant_key(ctx, "NOTIFSET")


def _list_sk(item: Notification) -> str:
    inverted = MAX_INVERTED - int(item.created_at.timestamp() * 1000)
    return f"{UNREAD if item.read_at is None else READ}#{inverted:013d}#{item.notification_id}"


def derived_id(at: datetime, *cause: str) -> str:
    """A ULID of the cause's time whose random part is the cause's digest: the same cause, the same id."""
    digest = hashlib.sha256("|".join(cause).encode()).digest()[:10]
    millis = max(0, int(at.timestamp() * 1000))
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest))


# -- views ------------------------------------------------------------------------------------


def notification_read(ctx: TenantContext, item: Notification) -> s.NotificationRead:
    """The API view of a notification."""
    subject = None
    if item.subject_type and item.subject_id:
        subject = s.NotificationSubject(type=item.subject_type, id=item.subject_id)
    return s.NotificationRead(
        id=item.notification_id, type=item.type, subject=subject, title=open_text(ctx, item.title),
        excerpt=open_text(ctx, item.excerpt), actor_id=item.actor_id, created_at=item.created_at,
        read=item.read_at is not None, read_at=item.read_at)


def _recipient(ctx: TenantContext) -> str:
    if ctx.actor_kind != "user":
        raise errors.ForbiddenError("Notifications are for signed-in users, not API keys.", code="user_required")
    return ctx.actor_id


# -- settings ---------------------------------------------------------------------------------


def get_settings(ctx: TenantContext, user_id: str) -> NotificationSettings:
    """A user's settings (the defaults when never saved)."""
    found = db.get(ctx, NotificationSettings, settings_pk(ctx), user_id)
    return found if found is not None else NotificationSettings(settings_pk(ctx), user_id, user_id=user_id)


def settings_read(item: NotificationSettings) -> s.NotificationSettingsRead:
    """The API view of a user's settings."""
    return s.NotificationSettingsRead(email=item.email, reminder_minutes=int(item.reminder_minutes),  # type: ignore[arg-type]
                                      digest_hour=int(item.digest_hour), version=int(item.version or 0))


def my_settings(ctx: TenantContext) -> NotificationSettings:
    """The caller's settings."""
    return get_settings(ctx, _recipient(ctx))


def update_settings(ctx: TenantContext, *, data: s.NotificationSettingsUpdate) -> NotificationSettings:
    """Change the caller's settings (audited); a digest gets its daily timer, leaving it drops the timer."""
    user_id = _recipient(ctx)
    item = get_settings(ctx, user_id)
    if int(item.version or 0) != data.version:
        raise errors.VersionConflictError()
    fields = ("email", "reminder_minutes", "digest_hour")
    before = {name: getattr(item, name) for name in fields} if item.version else None
    for name in fields:
        if getattr(data, name) is not None:
            setattr(item, name, getattr(data, name))
    change = db.Change().save(item)
    audit.attach(ctx, change, item, entity="notification_settings", entity_id=user_id,
                 action="create" if before is None else "update", before=before,
                 after={name: getattr(item, name) for name in fields})
    digest = due.timer(ctx, kind=DIGEST_KIND, ref=user_id, due_at=next_digest(ctx, item))
    if item.email == "digest":
        change.save(digest)
    else:
        change.delete(digest)  # in the same transaction: an answer never fails after its commit
    db.commit(ctx, change)
    return item


def company_zone(ctx: TenantContext) -> ZoneInfo:
    """The company's time zone (UTC when unknown)."""
    tenant = identity_service.tenant_settings(ctx)
    try:
        return ZoneInfo(tenant.timezone if tenant is not None else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_digest(ctx: TenantContext, item: NotificationSettings, *, after: datetime | None = None) -> datetime:
    """The next digest time after ``after`` (now): the user's hour in the company's time zone."""
    zone, after = company_zone(ctx), after or db.utcnow()
    local = after.astimezone(zone)
    moment = datetime.combine(local.date(), time(int(item.digest_hour)), tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), time(int(item.digest_hour)), tzinfo=zone)
    return moment.astimezone(UTC)


# -- making one -------------------------------------------------------------------------------


def notify(ctx: TenantContext, *, user_id: str, type: str, cause: str, at: datetime, subject_type: str | None = None,
           subject_id: str | None = None, title: str | None = None, excerpt: str | None = None,
           actor_id: str | None = None, cause_at: datetime | None = None,
           once_as: str | None = None) -> Notification | None:
    """Notify an active user once per cause; None when the user cannot be told or the cause was told already.

    The id derives from the cause and its time (``cause_at``, else ``at``): both must be the same whenever the
    cause is delivered again. ``once_as``: the type the once-per-cause rule counts it under, when notifications of
    several types share one cause (the contacts limit met by a call, a chat or a lead: one notification a day)."""
    user = identity_service.get_user(ctx, user_id) if is_valid_id(user_id) else None
    if user is None or user.status != "active":
        return None
    notification_id = derived_id(cause_at or at, ctx.tenant_id, user_id, once_as or type, cause)
    item = Notification(notifications_pk(ctx), notification_sk(user_id, notification_id),
                        notification_id=notification_id, user_id=user_id, type=type, subject_type=subject_type,
                        subject_id=subject_id,
                        title=seal_text(ctx, title[:200] if title else None),
                        excerpt=seal_text(ctx, excerpt[:EXCERPT_CHARS] if excerpt else None),
                        actor_id=actor_id, created_at=at, expires_at=at + KEPT)
    item.gsi1pk, item.gsi1sk = list_pk(ctx, user_id), _list_sk(item)
    settings = get_settings(ctx, user_id)
    change = db.Change().create(item)
    if settings.email == "immediate":
        change.save(due.timer(ctx, kind=EMAIL_KIND, ref=notification_id, due_at=db.utcnow(),
                              payload={"user_id": user_id}))
    elif settings.email == "digest" and due.get_timer(ctx, kind=DIGEST_KIND, ref=user_id) is None:
        change.save(due.timer(ctx, kind=DIGEST_KIND, ref=user_id, due_at=next_digest(ctx, settings)))
    try:
        db.commit(ctx, change)
    except errors.VersionConflictError:
        return None  # made already (a redelivered event, a timer fired twice)
    _push(ctx, user, item)
    return item


def _push(ctx: TenantContext, user: User, item: Notification) -> None:
    message: dict[str, Any] = {"type": "notification", "unread": unread_count(ctx, user.user_id),
                               "notification": notification_read(ctx, item).model_dump(mode="json")}
    live.push(ctx, [user.user_id], message)


# -- the bell ---------------------------------------------------------------------------------


def unread_count(ctx: TenantContext, user_id: str) -> int:
    """How many notifications the user has not read (counted up to 100: the bell shows 99+)."""
    with db.translate_errors():
        return int(Notification.gsi1.count(list_pk(ctx, user_id), Notification.gsi1sk.startswith(f"{UNREAD}#"),
                                           limit=COUNT_LIMIT))


def list_mine(ctx: TenantContext, *, query: s.NotificationListQuery) -> tuple[db.Page[Notification], int]:
    """The caller's notifications, unread first then newest first, and the unread count."""
    user_id = _recipient(ctx)
    condition = Notification.gsi1sk.startswith(f"{UNREAD}#") if query.unread else None
    page = db.query_page(ctx, Notification, list_pk(ctx, user_id), scope=f"notifications:{bool(query.unread)}",
                         limit=query.limit, cursor=query.cursor, index=Notification.gsi1,
                         range_key_condition=condition, newest_first=False)
    return page, unread_count(ctx, user_id)


def _mine(ctx: TenantContext, notification_id: str) -> Notification:
    user_id = _recipient(ctx)
    found = db.get(ctx, Notification, notifications_pk(ctx), notification_sk(user_id, notification_id)) \
        if is_valid_id(notification_id) else None
    if found is None:
        raise errors.NotFoundError("No such notification.")
    return found


def _mark(ctx: TenantContext, item: Notification, now: datetime) -> None:
    item.read_at = now
    item.gsi1sk = _list_sk(item)
    with db.translate_errors():
        item.save()


def mark_read(ctx: TenantContext, notification_id: str) -> Notification:
    """Mark one of the caller's notifications read (again: nothing changes)."""
    item = _mine(ctx, notification_id)
    if item.read_at is None:
        _mark(ctx, item, db.utcnow())
    return item


def mark_all_read(ctx: TenantContext) -> int:
    """Mark every unread notification of the caller read; how many were marked."""
    user_id = _recipient(ctx)
    now, marked = db.utcnow(), 0
    with db.translate_errors():
        unread = list(Notification.gsi1.query(list_pk(ctx, user_id), Notification.gsi1sk.startswith(f"{UNREAD}#")))
    with db.translate_errors(), Notification.batch_write() as batch:
        for item in unread:
            if isinstance(item, Notification):
                item.read_at = now
                item.gsi1sk = _list_sk(item)
                batch.save(item)
                marked += 1
    return marked


def mark_read_about(ctx: TenantContext, user_id: str, *, type: str, subject_id: str, since: datetime) -> int:
    """Mark read a user's unread notifications of a type about one subject made since a time (what they announced
    turned out otherwise: a missed call answered after all), and tell the user's open web apps the unread count;
    how many were marked (none again: a redelivered event changes nothing)."""
    found = [item for item in unread_since(ctx, user_id, since)
             if item.type == type and item.subject_id == subject_id]
    now = db.utcnow()
    for item in found:
        _mark(ctx, item, now)
    if found:
        live.push(ctx, [user_id], {"type": "notifications.read", "unread": unread_count(ctx, user_id)})
    return len(found)


def unread_since(ctx: TenantContext, user_id: str, since: datetime) -> list[Notification]:
    """The user's unread notifications made since a time, newest first (for the digest)."""
    inverted = MAX_INVERTED - int(since.timestamp() * 1000)
    with db.translate_errors():
        found = Notification.gsi1.query(list_pk(ctx, user_id),
                                        Notification.gsi1sk.between(f"{UNREAD}#", f"{UNREAD}#{inverted:013d}~"))
        return [item for item in found if isinstance(item, Notification)]


def get_for(ctx: TenantContext, user_id: str, notification_id: str) -> Notification | None:
    """A user's notification by id (the e-mail timer's read), or None."""
    return db.get(ctx, Notification, notifications_pk(ctx), notification_sk(user_id, notification_id))


def minutes(count: int) -> timedelta:
    """A number of minutes as a duration."""
    return timedelta(minutes=count)
