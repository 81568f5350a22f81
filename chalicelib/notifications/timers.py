"""What the due run does for notifications: task reminders and overdue checks, e-mails and daily digests.

Each handler re-reads what it is about and does nothing when that moved on (a task done, its due time
changed, a user gone): a timer is a promise to look, not a copy of the facts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.automations import engine
from chalicelib.core import db, mail
from chalicelib.core.tenancy import TenantContext
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.identity import service as identity_service
from chalicelib.notifications import service
from chalicelib.notifications.models import Notification, NotificationSettings
from chalicelib.reports import counters
from chalicelib.tasks import service as tasks_service

SUBJECTS = {  # e-mail subjects in the user's language (the web app has its own strings)
    "en": {"task.reminder": "Task due soon", "task.overdue": "Task overdue", "deal.assigned": "A deal is yours now",
           "call.missed": "Missed call", "note.mention": "You were mentioned in a note",
           "call.contact_skipped": "A caller was not saved as a contact: your plan's contact limit is reached",
           "conversation.contact_skipped": "A customer who wrote was not saved as a contact: your plan's contact "
                                           "limit is reached",
           "lead.contact_skipped": "A website lead was not saved as a contact: your plan's contact limit is reached",
           "ticket.assigned": "A ticket is yours now", "task.assigned": "A task is yours now",
           "message.received": "New message", "ticket.sla_breached": "Ticket SLA missed",
           "ticket.reopened": "The customer wrote again on a resolved ticket",
           "automation.invalid": "An automation rule cannot hand work to a colleague: pick someone else",
           "digest": "Your notifications"},
    "ru": {"task.reminder": "Скоро срок задачи", "task.overdue": "Задача просрочена",
           "deal.assigned": "Вам назначена сделка", "call.missed": "Пропущенный звонок",
           "call.contact_skipped": "Звонивший не сохранён как контакт: достигнут лимит контактов вашего тарифа",
           "conversation.contact_skipped": "Написавший клиент не сохранён как контакт: достигнут лимит контактов "
                                           "вашего тарифа",
           "lead.contact_skipped": "Клиент из заявки с сайта не сохранён как контакт: достигнут лимит контактов "  # noqa: RUF001
                                   "вашего тарифа",
           "ticket.assigned": "Вам назначено обращение", "task.assigned": "Вам поставлена задача",
           "note.mention": "Вас упомянули в заметке", "message.received": "Новое сообщение",  # noqa: RUF001
           "ticket.sla_breached": "Нарушен SLA обращения",
           "ticket.reopened": "Клиент снова написал по решённому обращению",
           "automation.invalid": "Правило автоматизации не может передать работу сотруднику: выберите другого",
           "digest": "Ваши уведомления"},
}
ROUTES = {"task": "#/tasks?task={id}", "deal": "#/deals/{id}", "contact": "#/contacts/{id}",
          "company": "#/companies/{id}", "call": "#/calls", "ticket": "#/tickets/{id}", "conversation": "#/inbox/{id}",
          "automation": "#/settings/automations"}


def _task_timer(ctx: TenantContext, timer: DueTimer) -> None:
    task = tasks_service.get(ctx, timer.ref)
    planned = (timer.payload or {}).get("due_at")
    if task is None or task.done_at is not None or task.due_at is None or task.due_at.isoformat() != planned:
        return  # done, deleted or moved since: a newer timer (or none) stands for it
    kind = timer.timer_kind
    service.notify(ctx, user_id=task.assignee_id, type=kind, cause=f"{kind}:{task.task_id}:{planned}", at=db.utcnow(),
                   subject_type="task", subject_id=task.task_id, title=task.title, actor_id="scheduler",
                   cause_at=task.due_at)
    if kind == "task.overdue":  # the managers report counts it, and rules on task.overdue run, once per due time
        counters.count_overdue(ctx, task_id=task.task_id, assignee_id=task.assignee_id, due=str(planned),
                               at=db.utcnow())
        engine.task_overdue(ctx, task_id=task.task_id, due=str(planned))


def _labels(locale: str | None) -> dict[str, str]:
    return SUBJECTS.get((locale or "en")[:2], SUBJECTS["en"])


def line(ctx: TenantContext, item: Notification, labels: dict[str, str]) -> str:
    """One notification as a line of an e-mail, with its link into the web app."""
    title = service.open_text(ctx, item.title) or service.open_text(ctx, item.excerpt) or ""
    path = ROUTES.get(item.subject_type or "", "#/").format(id=item.subject_id)
    return f"- {labels.get(item.type, item.type)}: {title}\n  {mail.link('/' + path)}"


def _email(ctx: TenantContext, timer: DueTimer) -> None:
    user_id = str((timer.payload or {}).get("user_id") or "")
    user = identity_service.get_user(ctx, user_id) if user_id else None
    item = service.get_for(ctx, user_id, timer.ref) if user is not None else None
    if user is None or user.status != "active" or item is None or item.read_at is not None:
        return  # read in the app already, or nobody to tell
    labels = _labels(user.locale)
    mail.send(to=user.email, subject=f"{labels.get(item.type, item.type)}: {service.open_text(ctx, item.title) or ''}"
              .strip(": ")[:150], text=line(ctx, item, labels) + "\n")


def _digest(ctx: TenantContext, timer: DueTimer) -> None:
    user = identity_service.get_user(ctx, timer.ref)
    if user is None or user.status != "active":
        return
    settings = service.get_settings(ctx, user.user_id)
    if settings.email != "digest":
        return
    since = timer.due_at - timedelta(days=1)
    items = service.unread_since(ctx, user.user_id, since)
    if items:
        labels = _labels(user.locale)
        body = "\n".join(line(ctx, item, labels) for item in items[:50])
        mail.send(to=user.email, subject=f"{labels['digest']} ({len(items)})", text=body + "\n")
    _next_digest(ctx, user.user_id, settings, after=timer.due_at)


def _next_digest(ctx: TenantContext, user_id: str, settings: NotificationSettings, *, after: datetime) -> None:
    due.set_timer(ctx, kind=service.DIGEST_KIND, ref=user_id,
                  due_at=service.next_digest(ctx, settings, after=max(after, db.utcnow())))


def fire(ctx: TenantContext, timer: DueTimer) -> None:
    """Do what a notification timer is for."""
    if timer.timer_kind in {"task.reminder", "task.overdue"}:
        _task_timer(ctx, timer)
    elif timer.timer_kind == service.EMAIL_KIND:
        _email(ctx, timer)
    elif timer.timer_kind == service.DIGEST_KIND:
        _digest(ctx, timer)
