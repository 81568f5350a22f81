"""Routes of the tasks domain."""

from __future__ import annotations

import chalicelib.tasks.revert  # noqa: F401 - registers the reverters of its audited changes
from chalicelib.core.http import Api, ApiRequest
from chalicelib.tasks import schemas as s
from chalicelib.tasks import service
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
