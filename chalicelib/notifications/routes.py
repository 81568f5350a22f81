"""Routes of notifications: the caller's own list, read marks and settings."""

from __future__ import annotations

from chalicelib.core.http import Api, ApiRequest
from chalicelib.notifications import schemas as s
from chalicelib.notifications import service

api = Api(__name__, tag="notifications")


@api.route("/api/v1/notifications", summary="My notifications, unread first, with the unread count",
           query=s.NotificationListQuery, response=s.NotificationPage, errors=(403,))
def notifications_list(request: ApiRequest) -> s.NotificationPage:
    page, unread = service.list_mine(request.tenant, query=request.query)
    return s.NotificationPage(items=[service.notification_read(request.tenant, item) for item in page.items],
                              next_cursor=page.next_cursor, unread=unread)


@api.route("/api/v1/notifications/{notification_id}/read", method="POST", summary="Mark a notification read",
           response=s.NotificationRead, errors=(403, 404))
def notifications_read(request: ApiRequest, notification_id: str) -> s.NotificationRead:
    return service.notification_read(request.tenant, service.mark_read(request.tenant, notification_id))


@api.route("/api/v1/notifications/read-all", method="POST", summary="Mark all my notifications read",
           response=s.UnreadCount, errors=(403,))
def notifications_read_all(request: ApiRequest) -> s.UnreadCount:
    marked = service.mark_all_read(request.tenant)
    return s.UnreadCount(unread=0, marked=marked)


@api.route("/api/v1/notifications/settings", summary="My notification settings",
           response=s.NotificationSettingsRead, errors=(403,))
def notifications_settings(request: ApiRequest) -> s.NotificationSettingsRead:
    return service.settings_read(service.my_settings(request.tenant))


@api.route("/api/v1/notifications/settings", method="PATCH", summary="Change my notification settings",
           body=s.NotificationSettingsUpdate, response=s.NotificationSettingsRead, errors=(403, 409, 422))
def notifications_settings_update(request: ApiRequest) -> s.NotificationSettingsRead:
    return service.settings_read(service.update_settings(request.tenant, data=request.body))
