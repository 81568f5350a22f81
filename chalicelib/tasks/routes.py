"""Routes of the tasks domain."""

from __future__ import annotations

from chalice import Response

import chalicelib.tasks.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.core.http import Api, ApiRequest
from chalicelib.core.tenancy import bind
from chalicelib.identity import feeds
from chalicelib.tasks import calendar, service
from chalicelib.tasks import schemas as s
from chalicelib.tasks.models import Task

api = Api(__name__, tag="tasks")


def _named(request: ApiRequest, task: Task) -> s.TaskRead:
    return service.task_read(task, service.related_names(request.tenant, [task]))


@api.route("/api/v1/tasks", summary="My tasks (or a colleague's): today, overdue, upcoming or all",
           query=s.TaskListQuery, response=s.TaskPage, errors=(422,))
def tasks_list(request: ApiRequest) -> s.TaskPage:
    page = service.list_tasks(request.tenant, query=request.query)
    names = service.related_names(request.tenant, page.items)
    return s.TaskPage(items=[service.task_read(task, names) for task in page.items], next_cursor=page.next_cursor)


@api.route("/api/v1/tasks", method="POST", summary="Create a task", body=s.TaskCreate, response=s.TaskRead,
           status=201, errors=(403, 404, 422))
def tasks_create(request: ApiRequest) -> s.TaskRead:
    return _named(request, service.create(request.tenant, data=request.body))


@api.route("/api/v1/tasks/days", summary="Tasks due on a run of days (a week, a month), open and done, by due time",
           query=s.TaskDaysQuery, response=s.TaskDays, errors=(422,))
def tasks_days(request: ApiRequest) -> s.TaskDays:
    asked = request.query
    run = calendar.days(request.tenant, asked.start, asked.days, assignee_id=asked.assignee_id,
                        everyone=asked.everyone)
    names = service.related_names(request.tenant, run.tasks)
    return s.TaskDays(start=run.start, end=run.end, items=[service.task_read(task, names) for task in run.tasks],
                      truncated=run.truncated)


def _feed(feed: feeds.Feed) -> s.CalendarFeedRead:
    return s.CalendarFeedRead(allowed=feed.allowed, made_at=feed.made_at, url=feed.url)


@api.route("/api/v1/tasks/calendar-feed", summary="My calendar feed: whether the company allows it, and since when",
           response=s.CalendarFeedRead, errors=(403,))
def tasks_feed_get(request: ApiRequest) -> s.CalendarFeedRead:
    return _feed(feeds.state(request.tenant))


@api.route("/api/v1/tasks/calendar-feed", method="POST", summary="A new address of my calendar feed (the old one "
           "ends); shown once", response=s.CalendarFeedRead, status=201, errors=(403,))
def tasks_feed_make(request: ApiRequest) -> s.CalendarFeedRead:
    return _feed(feeds.make(request.tenant))


@api.route("/api/v1/tasks/calendar-feed", method="DELETE", summary="Turn my calendar feed off", status=204,
           errors=(403,))
def tasks_feed_end(request: ApiRequest) -> None:
    feeds.end(request.tenant)


@api.route("/calendar/{feed}", summary="A user's tasks as an iCalendar feed (its secret address; no sign-in)",
           public=True, in_schema=False)
def tasks_feed(request: ApiRequest, feed: str) -> Response:
    holder = feeds.reader(feed, request_id=request.request_id)
    ctx = holder.ctx
    with bind(ctx):
        run = calendar.feed_tasks(ctx)
        text = calendar.ics(ctx, run, calendar_name=f"{holder.tenant.name}: {holder.user.name}",
                            names=service.related_names(ctx, run.tasks))
    return Response(body=text.decode(), status_code=200, headers={
        "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, max-age=900",
        "Content-Disposition": 'inline; filename="tasks.ics"', "X-Robots-Tag": "noindex"})


@api.route("/api/v1/tasks/{task_id}", summary="One task", response=s.TaskRead, errors=(404,))
def tasks_get(request: ApiRequest, task_id: str) -> s.TaskRead:
    return _named(request, service.get_or_raise(request.tenant, task_id))


@api.route("/api/v1/tasks/{task_id}", method="PATCH", summary="Change a task", body=s.TaskUpdate,
           response=s.TaskRead, errors=(403, 404, 409, 422))
def tasks_update(request: ApiRequest, task_id: str) -> s.TaskRead:
    return _named(request, service.update(request.tenant, task_id, data=request.body))


@api.route("/api/v1/tasks/{task_id}", method="DELETE", summary="Delete a task", status=204, errors=(403, 404))
def tasks_delete(request: ApiRequest, task_id: str) -> None:
    service.delete(request.tenant, task_id)


@api.route("/api/v1/tasks/{task_id}/complete", method="POST", summary="Mark a task done", body=s.TaskVersion,
           response=s.TaskRead, errors=(403, 404, 409))
def tasks_complete(request: ApiRequest, task_id: str) -> s.TaskRead:
    return _named(request, service.set_done(request.tenant, task_id, version=request.body.version, done=True))


@api.route("/api/v1/tasks/{task_id}/reopen", method="POST", summary="Reopen a done task", body=s.TaskVersion,
           response=s.TaskRead, errors=(403, 404, 409))
def tasks_reopen(request: ApiRequest, task_id: str) -> s.TaskRead:
    return _named(request, service.set_done(request.tenant, task_id, version=request.body.version, done=False))
