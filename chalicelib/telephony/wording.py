"""What a call writes in words, in the company's language and on its clock (README: a Russian company's lead deals
and tasks in Russian): an unknown caller's lead deal's title, the missed call's call-back task and the note a return
call adds to it. They are the company's data, named once; timeline entries keep their kind and data, and the web app
words them in the reader's language. The tenant is read once per processing run (``tenant_settings``)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import moments
from chalicelib.identity import service as identity_service

WORDS = {
    "en": {"deal": "Call from {number}", "task": "Call back {number}", "task_named": "Call back {name} ({number})",
           "missed": "Missed call on {day} at {time} on the line “{line}”.",
           "unended": "Missed call on {day} at {time} on the line “{line}”: the provider never reported its end.",
           "returned": "Called back: answered call on {day} at {time} (call {call_id}).",
           "plan_limit": "The caller was not saved as a contact: your plan's contact limit is reached.",
           "answered_late": "Answered after all: the provider reported the end late (answered call on {day} at {time}, "
                            "talk time {talk}); no call-back needed."},
    "ru": {"deal": "Звонок с номера {number}", "task": "Перезвонить {number}",  # noqa: RUF001
           "task_named": "Перезвонить: {name} ({number})",  # a colon: a name after "перезвонить" would want the dative
           "missed": "Пропущенный звонок {day} в {time} на линию «{line}».",
           "unended": "Пропущенный звонок {day} в {time} на линию «{line}»: оператор телефонии не сообщил о "  # noqa: RUF001
                      "завершении звонка.",
           "returned": "Перезвонили: отвеченный звонок {day} в {time} (звонок {call_id}).",
           "plan_limit": "Номер не сохранён как контакт: достигнут лимит контактов вашего тарифа.",
           "answered_late": "Звонок всё-таки был принят: оператор телефонии поздно сообщил о его завершении "  # noqa: RUF001
                            "(принят {day} в {time}, разговор {talk}); перезванивать не нужно."},
}


def _words(ctx: TenantContext) -> dict[str, str]:
    return WORDS.get(identity_service.company_locale(ctx), WORDS["en"])


def _clock(ctx: TenantContext, moment: datetime) -> dict[str, str]:
    """A moment as the company reads it: its day and time on the company's clock ("7 December 2026", "19:34"),
    not UTC's ISO form nor the machine's "2026-12-06 19:34"."""
    day, time = moments.day_and_time(ctx, moment)
    return {"day": day, "time": time}


def deal_title(ctx: TenantContext, number: str) -> str:
    """The title of an unknown caller's lead deal."""
    return _words(ctx)["deal"].format(number=number)


def task_title(ctx: TenantContext, number: str, name: str | None = None) -> str:
    """The title of a missed call's call-back task: the caller's name as well when the caller is a contact named
    otherwise than by the number ("Call back Priya Shah (+44 20 7946 0000)"), or a company whose switchboard rang."""
    words = _words(ctx)
    if name and name != number:
        return words["task_named"].format(name=name, number=number)[:200]
    return words["task"].format(number=number)[:200]


def missed_note(ctx: TenantContext, at: datetime, line: str, *, unended: bool = False,
                contact_skipped: bool = False) -> str:
    """The call-back task's description: when the call was missed, on which line (its name in Settings ->
    Integrations, where the provider's type read "(twilio)"), (``unended``) that it
    was taken for missed because the provider never said it ended, and (``contact_skipped``) that the caller was not
    saved as a contact because the plan's contact limit is reached."""
    words = _words(ctx)
    note = words["unended" if unended else "missed"].format(**_clock(ctx, at), line=line)
    return f"{note}\n{words['plan_limit']}" if contact_skipped else note


def returned_note(ctx: TenantContext, at: datetime, call_id: str) -> str:
    """The line a return call adds to the call-back task."""
    return _words(ctx)["returned"].format(**_clock(ctx, at), call_id=call_id)


def answered_late_note(ctx: TenantContext, at: datetime, talk_seconds: int | None) -> str:
    """The line that completes a call-back task whose call, taken for missed, was answered after all."""
    talk = "—" if talk_seconds is None else f"{talk_seconds // 60}:{talk_seconds % 60:02d}"
    return _words(ctx)["answered_late"].format(**_clock(ctx, at), talk=talk)
