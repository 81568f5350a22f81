"""Notifications of a user, and what each user chose about them.

- Notification: pk ``T#<tid>#NOTIF``, sk ``<user>#N#<notification id>``; gsi1 ``T#<tid>#NOTIFS#<user>`` /
  ``<0 unread | 1 read>#<inverted ms>#<id>``: the bell's list is one Query, unread first, newest first within
  each, and the unread count a COUNT of the ``0#`` range. Its id derives from what caused it (an event, a
  timer), so a cause delivered twice makes one notification. Kept 90 days (``expires_at``).
- NotificationSettings: pk ``T#<tid>#NOTIFSET``, sk ``<user>``: e-mail immediate, in a daily digest or off;
  how long before a task is due its reminder comes; the digest's hour in the company's time zone.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable, VersionedItem


class Notification(MainTable, discriminator="notification"):
    """Something a user should know of: a reminder, an overdue task, a deal assigned, a missed call, a mention."""

    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    type = UnicodeAttribute()  # task.reminder | task.overdue | deal.assigned | call.missed | note.mention | ...
    subject_type = UnicodeAttribute(null=True)  # what it is about: task, deal, contact, company, call
    subject_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)  # the subject's title or name, through service.seal_text
    excerpt = UnicodeAttribute(null=True)  # a few words of a note that mentions the user, through seal_text
    actor_id = UnicodeAttribute(null=True)  # who caused it (a user, an integration, the system)
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)


class NotificationSettings(VersionedItem, discriminator="notification_settings"):
    """One user's choices about notifications."""

    user_id = UnicodeAttribute()
    email = UnicodeAttribute(default="digest")  # immediate | digest | off
    reminder_minutes = NumberAttribute(default=15)
    digest_hour = NumberAttribute(default=8)  # in the company's time zone
