"""A waiting rule reaches the records already there when it is switched on.

The feed arms a waiting rule's timer per record (``automations.waits``) only when a change of that record comes,
so a birthday greeting switched on after 800 clients were imported would greet nobody until each card changed.
A rule that waits per record, made enabled, switched on, or given another trigger while on, therefore sets a
sweep in its own transaction (``service._sweep``): a due timer of kind ``automation.sweep`` per rule, which walks
the records its trigger watches up to ``PAGES`` pages of ``PAGE`` a firing, arms each one's timer exactly as the
feed does for a change (``waits.arm_record``, with the record's version as the change's seq, so a change the feed
brings meanwhile wins), and moves itself to now with the cursor of the next page.

- It stops when the rule is deleted, switched off, or its trigger changed (the payload's mark); a newer sweep
  of the rule (a higher seq: the rule's version) cannot be overwritten by an older one's next page.
- Fired twice, a page arms the same timers again (a timer per rule and record: re-arming moves it, never doubles;
  and a run is once per rule, record and due time, so a rule switched off and on again sends nothing twice).
- What it walks, by the cheapest index there is: contacts through their ``ALL`` list rows, a page of rows and
  one BatchGetItem of their contacts; deals through their pipelines' boards (gsi1, whole deals: no second read),
  the trigger's pipeline only when it names one; tasks through each user's open tasks (gsi1
  ``A#<due stamp>``, whole tasks), from now on for ``task.due_soon``, every dated one for ``task.overdue``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from chalicelib.automations import engine, service, waits
from chalicelib.automations.actions import Subject
from chalicelib.automations.models import Automation
from chalicelib.contacts.models import Contact, ContactRow
from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.deals.models import Deal, Pipeline, board_pk, pipelines_pk
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer
from chalicelib.identity import service as identity_service
from chalicelib.identity.models import User
from chalicelib.records import access, types
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.tasks.models import OPEN, Task, assignee_pk, stamp

PAGE = 100  # records a Query reads: one BatchGetItem of contacts
PAGES = 5  # pages a firing walks: 500 records a minute (a few seconds of conditional PutItems), where one page made
# a 10,000-contact birthday rule take 100 minutes to reach everyone
QUERIES = 25  # Queries a firing makes at most (sources with nothing to walk: users without open tasks)
Source = tuple[str, str]  # (what is walked, the partition's id: a pipeline, a user; "" for contacts)
Found = list[tuple[Subject, int]]  # a record as a run's subject, and its version
Page = tuple[Found, int, str | None]  # what a Query found, how many items it read, the cursor of the next


def _sources(ctx: TenantContext, trigger: dict[str, Any]) -> list[Source]:
    """What the trigger's records are read from, in a stable order (ids sort as they were made)."""
    kind = trigger.get("type")
    if kind == "date.reached" and trigger.get("entity", "contact") == "contact":
        return [("contacts", "")]
    if kind in ("deal.idle", "date.reached"):
        if trigger.get("pipeline_id"):
            return [("board", str(trigger["pipeline_id"]))]
        with db.translate_errors():
            found = Pipeline.query(pipelines_pk(ctx))
            return sorted(("board", str(item.pipeline_id)) for item in found if isinstance(item, Pipeline))
    with db.translate_errors():
        users = User.query(identity_service.users_pk(ctx))
        return sorted(("tasks", str(user.user_id)) for user in users if isinstance(user, User))


def _contacts(ctx: TenantContext, rule: Automation, cursor: str | None, limit: int) -> Page:
    rtype = types.get("contact")
    rows = db.query_page(ctx, ContactRow, tenant_key(ctx, str(rtype.space), "ALL"), scope=f"sweep:{rule.rule_id}",
                         limit=limit, cursor=cursor, newest_first=False)
    keys = [(access.collection_pk(ctx, rtype, str(row.record_id)), PROFILE_SK) for row in rows.items]
    read = db.get_many(ctx, keys) if keys else {}
    found: Found = []
    for key in keys:
        record = read.get(key)
        subject = engine.subject_from("contact", str(getattr(record, "contact_id", "")), record)
        if subject is not None and isinstance(record, Contact):
            found.append((subject, int(record.version or 0)))
    return found, len(rows.items), rows.next_cursor


def _deals(ctx: TenantContext, rule: Automation, pipeline_id: str, cursor: str | None, limit: int
           ) -> Page:
    page = db.query_page(ctx, Deal, board_pk(ctx, pipeline_id), scope=f"sweep:{rule.rule_id}:{pipeline_id}",
                         limit=limit, cursor=cursor, index=Deal.gsi1, range_key_condition=Deal.gsi1sk >= "0",
                         newest_first=False)  # the board's deals sort after its pipeline and stage summaries ("#")
    idle = (rule.trigger or {}).get("type") == "deal.idle"
    found: Found = []
    for deal in page.items:
        if isinstance(deal, Deal) and not (idle and deal.status != "open"):
            subject = engine.subject_from("deal", str(deal.deal_id), deal)
            if subject is not None:
                found.append((subject, int(deal.version or 0)))
    return found, len(page.items), page.next_cursor


def _tasks(ctx: TenantContext, rule: Automation, user_id: str, cursor: str | None, limit: int
           ) -> Page:
    sk = Task.gsi1sk
    # A reminder is for a task still ahead; overdue by N minutes for every open task with a due time (undated
    # ones sort after "9", as "~").
    start = stamp(db.utcnow()) if (rule.trigger or {}).get("type") == "task.due_soon" else ""
    page = db.query_page(ctx, Task, assignee_pk(ctx, user_id), scope=f"sweep:{rule.rule_id}:{user_id}", limit=limit,
                         cursor=cursor, index=Task.gsi1, range_key_condition=sk.between(f"{OPEN}#{start}",
                                                                                        f"{OPEN}#9999"),
                         newest_first=False)
    found: Found = []
    for task in page.items:
        subject = engine.subject_from("task", str(task.task_id), task) if isinstance(task, Task) else None
        if subject is not None:
            found.append((subject, int(task.version or 0)))
    return found, len(page.items), page.next_cursor


def _page(ctx: TenantContext, rule: Automation, source: Source, cursor: str | None, limit: int
          ) -> Page:
    what, key = source
    if what == "contacts":
        return _contacts(ctx, rule, cursor, limit)
    if what == "board":
        return _deals(ctx, rule, key, cursor, limit)
    return _tasks(ctx, rule, key, cursor, limit)


def _from(sources: list[Source], payload: dict[str, Any]) -> Iterator[tuple[Source, str | None]]:
    """The sources still to walk, the first with the cursor the last firing left (a source gone since is
    skipped; one added before it is not walked: its records came since the sweep began, and the feed arms them)."""
    at = payload.get("source")
    current = (str(at[0]), str(at[1])) if isinstance(at, list) and len(at) == 2 else None
    for source in sources:
        if current is None or source > current:
            yield source, None
        elif source == current and payload.get("cursor"):
            yield source, str(payload["cursor"])


def fire(ctx: TenantContext, timer: DueTimer) -> str:
    """Walk a page of the rule's records, arm each one's timer, and set the sweep's next page for now."""
    payload = dict(timer.payload or {})
    rule = service.get(ctx, str(payload.get("rule_id") or ""))
    trigger = (rule.trigger or {}) if rule is not None else {}
    if rule is None or not rule.enabled or payload.get("mark") != service.trigger_mark(trigger):
        return "stopped"  # deleted, off, or another trigger (whose own sweep walks)
    read = queries = 0
    most = PAGE * PAGES
    for source, cursor in _from(_sources(ctx, trigger), payload):
        while True:
            limit = min(PAGE, most - read)
            try:
                found, count, cursor = _page(ctx, rule, source, cursor, limit)
            except errors.InvalidCursorError:  # signed under a key rotated since: the source again (idempotent)
                found, count, cursor = _page(ctx, rule, source, None, limit)
            read, queries = read + count, queries + 1
            for subject, version in found:
                waits.arm_record(ctx, rule, subject, seq=version)
            if cursor is None or read >= most or queries >= QUERIES:
                break
        if read >= most or queries >= QUERIES:
            _next(ctx, timer, {**payload, "source": list(source), "cursor": cursor})  # None: the source is done
            return "paged"
    return "swept"


def _next(ctx: TenantContext, timer: DueTimer, payload: dict[str, Any]) -> None:
    """The sweep's next page, due now (its seq kept: a newer sweep of the rule is never overwritten)."""
    due_at = max(db.utcnow(), timer.due_at + timedelta(microseconds=1))  # moved, so the run keeps it
    due.set_timer(ctx, kind=service.SWEEP, ref=timer.ref, due_at=due_at, payload=payload,
                  seq=int(timer.seq) if timer.seq is not None else None)
