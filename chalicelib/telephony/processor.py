"""A telephony event becomes (part of) a call: on the customer's card, with a call-back task if missed.

One processor serves every telephony provider: its adapter reads the stored raw fields into
:class:`CallEvent`s, and each is folded into its call (``fold``) in a versioned write with the call's
list rows, its audit record, its timeline entries on the contact and the contact's open deal, and,
when the call ends, its counters and the call-back task of a missed call. A concurrent fold of
another event of the same call loses the version race and folds again on what the winner wrote.

The customer is looked up once the call's numbers are known: a contact with that phone, else a
company with it; an unknown number becomes a contact named by the number as people read it (and a
lead deal when the integration says so), each checkpointed on the event in the transaction that makes
it, so a retry never makes a second one. They are made once the call is answered or ends, when it is
known whose they are (the call's employee), so a ringing call only looks the number up.

A call not yet ended has a timer (``unended``): when its provider never reports the end, ``close_unended`` writes
the call's end as an end event would (the same ``_write``); the provider's late end then corrects the call and
moves its counters (``_on_late_end``), making nothing again, and when it says the call was answered the call-back
task the timer made is completed, saying why, unless a person changed it (``_settle_callback``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from chalicelib.calls.models import Call, CallbackDue, CallRef, CallStats, DialRequest
from chalicelib.calls.record import CALL, ref_pk
from chalicelib.channels import adapters, parties
from chalicelib.core import crypto, db, errors, phones
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, new_id, tenant_key
from chalicelib.identity import service as identity_service
from chalicelib.inbox import Outcome, Run, register_processor
from chalicelib.integrations import service as integrations_service
from chalicelib.records import access, editing, matching, store
from chalicelib.records import timeline as timeline_service
from chalicelib.tasks import schemas as task_schemas
from chalicelib.tasks import service as tasks_service
from chalicelib.telephony import entries, fold, unended, wording
from chalicelib.telephony.events import CallEvent, TelephonyAdapter
from chalicelib.telephony.settings import TelephonySettings

FOLD_ATTEMPTS = 3
# What the responsible user of a call is handed: the call, its caller's contact and the missed call's task (a colleague
# whose role reads none of them, an accountant's, is skipped in the round).
READS = ("calls", "contacts", "tasks")
# The telephony providers among the channel's (messengers are adapters of the same seam, not phone lines).
PROVIDERS = tuple(name for name, module in adapters.PROVIDERS.items() if module.startswith("chalicelib.telephony."))


# -- keys -----------------------------------------------------------------------------------


def dial_pk(ctx: TenantContext, integration_id: str) -> str:
    """Partition of an integration's click-to-calls waiting for the provider's first event."""
    return tenant_key(ctx, "CALLDIAL", integration_id)


def callback_pk(ctx: TenantContext) -> str:
    """Partition of the missed calls not yet called back, by number."""
    return tenant_key(ctx, "CALLBACK")


def callback_sk(ctx: TenantContext, number: str) -> str:
    """The key of a number's missed call awaiting a call-back (and of a click-to-call waiting for its first
    event): the number's blind index, never the number."""
    return crypto.blind_key(ctx, kind="phone", value=number)


def stats_pk(ctx: TenantContext) -> str:
    """Partition of the tenant's call counters (sorted by day: a period is one range of one Query)."""
    return tenant_key(ctx, "CALLSTATS")


def stats_item(ctx: TenantContext, call: Call, day: datetime) -> CallStats:
    """The counters item of a call's day, employee and direction."""
    user = call.user_id or "-"
    stamp = day.strftime("%Y-%m-%d")
    return CallStats(stats_pk(ctx), f"{stamp}#{user}#{call.direction}", day=stamp, user_id=user,
                     direction=call.direction)


# -- settings -------------------------------------------------------------------------------


def adapter_of(integration: Any) -> TelephonyAdapter:
    """The telephony adapter of an integration."""
    found = adapters.find(integration.integration_type)
    if not isinstance(found, TelephonyAdapter):
        raise errors.CRMError("No telephony adapter for this integration.", code="no_processor")
    return found


def settings_of(integration: Any) -> TelephonySettings:
    """The telephony settings of an integration (its provider's own fields left aside)."""
    stored = dict(integration.settings or {})
    return TelephonySettings.model_validate({k: v for k, v in stored.items() if k in TelephonySettings.model_fields})


# -- the customer ---------------------------------------------------------------------------


def _customer_number(ctx: TenantContext, call: Call) -> str | None:
    raw = call.from_number if call.direction == "inbound" else call.to_number
    if not raw or not any(ch.isdigit() for ch in raw):
        return None  # none, or a withheld one ("anonymous", "unknown"): nobody to call back
    return phones.e164(raw[:phones.MAX_TYPED], matching.tenant_region(ctx)) or raw[:40]


open_deal = parties.open_deal  # click-to-call names the contact's open deal too


def resolve_party(run: parties.Intake, call: Call, settings: TelephonySettings) -> None:
    """Find (or make) the customer of a call whose numbers are known: contact, company, open deal."""
    ctx = run.ctx
    e164 = call.customer_number or _customer_number(ctx, call)
    call.customer_number = e164
    call.party_resolved = 1
    if not e164 or not e164.startswith("+") or phones.e164(e164, None) is None:
        return  # a hidden or internal number, or one outside the numbering plan: nobody to find or make
    party = parties.find(run, e164=e164)
    if party is None and settings.unknown_caller != "ignore" and call.status == "ringing":
        # A newcomer is made once the call is answered or ends, when it is known whose it is (the extension that
        # answered, else the last one that rang, else the line's responsible user): made on a first event, it was
        # the responsible user's, and the agent the call rang got a missed call's task about a contact she could
        # not open (a ring group rings several). A later event looks the number up again.
        call.party_resolved = 0
        return
    if party is None and settings.unknown_caller != "ignore":
        try:
            party = parties.make(run, _newcomer(run, call, settings, e164))
        except errors.PlanLimitError:
            # The company holds as many contacts as its plan allows: the call is still recorded, with the caller's
            # number and why it has no contact (a retry would meet the same limit until an upgrade, and the call
            # would be missing from the calls list meanwhile). A person adding a contact by hand still meets the 402.
            logger.warning("caller not saved as a contact: plan limit", extra={"call_id": call.call_id})
            call.contact_skipped = "plan_limit"
            return
    elif (party is not None and party.contact_id and party.contact_id == run.progress.get("contact_id")
          and not party.deal_id and settings.unknown_caller == "contact_and_deal" and "deal_id" not in run.progress):
        # An earlier attempt made the newcomer and stopped before its lead deal (a throttle): the deal is made now.
        party.deal_id = parties.lead_deal(run, _newcomer(run, call, settings, e164), party.contact_id)
    if party is None:
        return
    call.contact_id, call.company_id, call.deal_id = party.contact_id, party.company_id, party.deal_id
    if party.contact_id and not _at_work(ctx, call.user_id) and _at_work(ctx, str(party.owner_id)):
        call.owner_id, call.team_id = str(party.owner_id), party.team_id


def _newcomer(run: parties.Intake, call: Call, settings: TelephonySettings, e164: str) -> parties.Newcomer:
    """How an unknown caller is made: the call's own employee's (its owner is the responsible user a call without
    one was given when it began: not a second turn of a round-robin), so the missed call's task and the contact
    are one person's; named by the number as people read it ("+7 916 123-45-67", as the web app shows numbers)
    until someone learns the caller's name, the phone field keeping it in E.164, which the lookups find."""
    ctx = run.ctx
    owner_id = (call.user_id if _at_work(ctx, call.user_id) else None) or call.owner_id or \
        integrations_service.responsible_user(ctx, run.integration, settings.responsible, reads=READS)
    shown = phones.readable(e164)
    return parties.Newcomer(
        first_name=shown, phone=e164, owner_id=owner_id, source=f"call:{run.integration.name}",
        deal_title=wording.deal_title(ctx, shown) if settings.unknown_caller == "contact_and_deal" else None,
        pipeline_id=settings.pipeline_id, stage_id=settings.stage_id)


# -- folding --------------------------------------------------------------------------------


def _new_call(run: Run, event: CallEvent, settings: TelephonySettings) -> tuple[Call | None, Call]:
    """(before, after) of the call an event starts: a click-to-call waiting for it, or a new one."""
    ctx, integration = run.ctx, run.integration
    direction = event.direction or "inbound"
    if direction == "outbound" and event.to_number:
        e164 = phones.e164(event.to_number[:phones.MAX_TYPED], matching.tenant_region(ctx))
        waiting = db.get(ctx, DialRequest, dial_pk(ctx, integration.integration_id), callback_sk(ctx, e164)) \
            if e164 else None
        dialled = access.get_any(ctx, CALL, waiting.call_id) if waiting and waiting.valid_until > db.utcnow() else None
        if isinstance(dialled, Call) and dialled.provider_call_id.startswith("dial:"):
            after = editing.clone(dialled)
            after.provider_call_id = event.provider_call_id
            return dialled, after
    owner_id = settings.extensions.get(event.extension or "") or integrations_service.responsible_user(
        ctx, integration, settings.responsible, reads=READS)
    call_id = new_id()
    call = Call(access.collection_pk(ctx, CALL, call_id), timeline_service.PROFILE_SK, call_id=call_id,
                integration_id=integration.integration_id, provider=integration.integration_type,
                provider_call_id=event.provider_call_id, direction=direction, owner_id=owner_id,
                team_id=_team_of(ctx, owner_id))
    return None, call


def _team_of(ctx: TenantContext, user_id: str | None) -> str | None:
    """An employee's team: a call is its employee's, in their team, so a manager sees the calls (missed ones too)
    of the team's agents, as the per-employee counters count them (without a team it was the agent's and the
    owners' alone). The user is read once per processing run."""
    user = identity_service.get_user(ctx, user_id) if user_id else None
    return user.team_id if user is not None else None


def _line_name(run: parties.Intake, call: Call) -> str:
    """The line a call came in on as the company named it, else its provider's name."""
    name = getattr(run.integration, "name", None)
    if name:
        return str(name)
    adapter = adapters.find(str(call.provider))
    return adapter.label if adapter is not None else str(call.provider)


def _caller(ctx: TenantContext, call: Call) -> tuple[str | None, task_schemas.Related | None]:
    """A known caller's name and record, for the call-back task (one GetItem, on a missed call only): its contact,
    else the company whose switchboard rang (a client's reception, whom the task names and is about)."""
    from chalicelib.records import naming, types

    for type_name, record_id in (("contact", call.contact_id), ("company", call.company_id)):
        rtype = types.find(type_name)
        if rtype is None or not record_id:
            continue
        record = access.get(ctx, rtype, str(record_id))
        return (naming.record_name(record) if record is not None else None,
                task_schemas.Related(type=type_name, id=str(record_id)))
    return None, None


def _on_end(run: parties.Intake, change: db.Change, before: Call | None, call: Call,
            settings: TelephonySettings) -> None:
    """What a call's end adds, once: its counters, a missed call's task, a returned missed call."""
    ctx = run.ctx
    status = call.status
    day = call.started_at or db.utcnow()
    counters = {"calls": 1, status: 1, "talk_seconds": int(call.duration_seconds or 0)}
    counted: list[tuple[CallStats, dict[str, int]]] = []
    number = call.customer_number
    if status == "missed" and call.direction == "inbound" and number:
        task_id = None
        if settings.missed_call_task:
            name, related = _caller(ctx, call)
            data = task_schemas.TaskCreate(
                title=wording.task_title(ctx, phones.readable(number), name), kind="call",
                due_at=db.utcnow(),
                assignee_id=_task_owner(run, call, settings),
                related=related,
                description=wording.missed_note(ctx, day, _line_name(run, call), unended=bool(call.end_reason),
                                                contact_skipped=bool(call.contact_skipped)))
            task_id = str(tasks_service.create(ctx, data=data, into=change).task_id)
            call.task_id = task_id
        change.save(CallbackDue(callback_pk(ctx), callback_sk(ctx, number), call_id=call.call_id, task_id=task_id,
                                missed_at=day))
    elif status == "answered" and number:
        due = db.get(ctx, CallbackDue, callback_pk(ctx), callback_sk(ctx, number))
        missed = access.get_any(ctx, CALL, due.call_id) if due is not None else None
        if due is not None and isinstance(missed, Call) and missed.call_id != call.call_id:
            returned = editing.clone(missed)
            returned.returned_call_id, returned.returned_at = call.call_id, call.answered_at or db.utcnow()
            editing.touch(returned)
            store.rewrite_rows(ctx, CALL, change, missed, returned)
            change.save(returned)
            call.callback_of = missed.call_id
            change.delete(due)
            waited = max(int(((call.answered_at or db.utcnow()) - due.missed_at).total_seconds()), 0)
            counted.append((stats_item(ctx, missed, due.missed_at), {"callbacks": 1, "callback_seconds": waited}))
    counted.append((stats_item(ctx, call, day), counters))
    merged: dict[tuple[str, str], tuple[CallStats, dict[str, int]]] = {}
    for item, amounts in counted:  # one transaction may touch an item once: the day's counters add up first
        found = merged.setdefault((item.pk, item.sk), (item, {}))
        for name, value in amounts.items():
            found[1][name] = found[1].get(name, 0) + value
    for item, amounts in merged.values():
        change.add(item, **amounts)


def _task_owner(run: parties.Intake, call: Call, settings: TelephonySettings) -> str | None:
    """Who gets a missed call's call-back task: the call's owner, unless her role reads no tasks (an extension or a
    customer of an accountant's custom role): then the line's next responsible colleague who does."""
    from chalicelib.identity import access as identity_access

    if not call.owner_id:
        return None  # the task is the run's actor's, as before
    user = identity_service.get_user(run.ctx, call.owner_id)
    if user is None or identity_access.role_reads(run.ctx, user.role, "tasks"):
        return str(call.owner_id)  # a leaver's was handed on when the call was written (``_write``)
    return integrations_service.responsible_user(run.ctx, run.integration, settings.responsible, reads=READS)


def _at_work(ctx: TenantContext, user_id: str | None) -> bool:
    """True for a colleague a call, its newcomer or its call-back task can be given to: an active user of the company
    (read once per processing run, as _team_of reads them)."""
    user = identity_service.get_user(ctx, user_id) if user_id else None
    return user is not None and user.status == "active"


def _working(ctx: TenantContext, settings: TelephonySettings, event: CallEvent) -> TelephonySettings:
    """The line's settings for one event, its extension left out when it names someone who cannot work (deactivated,
    not joined yet, removed): the call falls to the line's responsible user. An agent who left stayed in the map (and
    in the provider's ring group), and her calls failed: their newcomer and call-back task could not be hers."""
    user_id = settings.extensions.get(event.extension or "")
    if not user_id or _at_work(ctx, user_id):
        return settings
    kept = {extension: someone for extension, someone in settings.extensions.items() if extension != event.extension}
    return settings.model_copy(update={"extensions": kept})


def fold_event(run: Run, event: CallEvent, settings: TelephonySettings) -> Call:
    """Fold one event into its call and write what changed; answers the call."""
    settings = _working(run.ctx, settings, event)
    for attempt in range(FOLD_ATTEMPTS):
        try:
            call = _fold_once(run, event, settings)
        except errors.VersionConflictError:
            if attempt == FOLD_ATTEMPTS - 1:
                raise
            continue
        _settle_callback(run.ctx, call)
        return call
    raise AssertionError("unreachable")


def _fold_once(run: Run, event: CallEvent, settings: TelephonySettings) -> Call:
    ctx, integration = run.ctx, run.integration
    ref = db.get(ctx, CallRef, ref_pk(ctx, integration.integration_id), event.provider_call_id)
    current = access.get_any(ctx, CALL, ref.call_id) if ref is not None else None
    change = db.Change()
    if isinstance(current, Call):
        before: Call | None = current
        after = editing.clone(current)
    else:
        if event.phase == "recording":  # nothing else known of the call yet: its other events come first
            raise errors.ConflictError("The call of this recording has not been reported yet.",
                                       code="call_not_yet_known")
        before, after = _new_call(run, event, settings)
        change.create(CallRef(ref_pk(ctx, integration.integration_id), event.provider_call_id,
                              call_id=after.call_id))
    was = fold.fingerprint(after) if before is not None else None
    fold.apply(after, event, extensions=dict(settings.extensions), now=db.utcnow())
    if after.user_id and _at_work(ctx, after.user_id):
        if after.owner_id != after.user_id:  # the extension that rang: the call is that employee's, in their team
            after.team_id = _team_of(ctx, after.user_id)
        after.owner_id = after.user_id
    return _write(run, change, before, after, settings, was)


def close_unended(run: parties.Intake, call: Call, settings: TelephonySettings) -> Call:
    """End a call whose provider went silent (its timer, ``unended``) as its end event would have: missed or
    answered, with the newcomer, the counters, the call-back task and the notifications an end makes; a call
    that ended meanwhile is left as it is."""
    if call.status in fold.FINAL:
        return call
    after = editing.clone(call)
    was = fold.fingerprint(after)
    fold.close_unended(after)
    return _write(run, db.Change(), call, after, settings, was)


def _write(run: parties.Intake, change: db.Change, before: Call | None, after: Call, settings: TelephonySettings,
           was: tuple[Any, ...] | None) -> Call:
    """Write what a fold changed of a call, with what its end or its correction adds; answers the call."""
    ctx = run.ctx
    if after.owner_id and not _at_work(ctx, after.owner_id):  # it rang her before she left, or it was her customer
        after.owner_id = integrations_service.responsible_user(ctx, run.integration, settings.responsible,
                                                               reads=READS)
        after.team_id = _team_of(ctx, after.owner_id)
    if not after.party_resolved and (after.from_number or after.to_number):
        resolve_party(run, after, settings)
    if before is not None and fold.fingerprint(after) == was and before.party_resolved == after.party_resolved:
        return after  # a repeat: nothing new
    editing.touch(after)
    ended_now = after.status in fold.FINAL and (before is None or before.status not in fold.FINAL)
    if ended_now:
        _on_end(run, change, before, after, settings)
    elif before is not None and before.end_reason and not after.end_reason and after.status in fold.FINAL:
        _on_late_end(run, change, before, after)
    unended.follow(ctx, change, before, after)
    entries.write(ctx, change, after)
    store.save(ctx, CALL, before, after, action="create" if before is None else "update", change=change)
    if after.status == "ringing" and after.direction == "inbound" and (before is None or before.status != "ringing"
                                                                      or before.user_id != after.user_id):
        _announce(ctx, after)
    elif after.direction == "inbound" and before is not None and before.status == "ringing" != after.status:
        _announce(ctx, after, before)
    if after.callback_of and (before is None or not before.callback_of):
        _note_on_task(ctx, after)
    return after


def _on_late_end(run: parties.Intake, change: db.Change, before: Call, after: Call) -> None:
    """The provider's end of a call its timer closed: the counters move from what the timer assumed to what
    happened (a call it took for missed was answered: it is no longer waiting for a call-back). Nothing is
    made again: the newcomer, the task and the end's counters were made once, when the timer closed it."""
    ctx = run.ctx
    day = after.started_at or db.utcnow()
    amounts: dict[tuple[str, str], tuple[CallStats, dict[str, int]]] = {}
    for call, sign in ((before, -1), (after, 1)):
        item = stats_item(ctx, call, call.started_at or day)
        found = amounts.setdefault((item.pk, item.sk), (item, {}))[1]
        for name, value in (("calls", 1), (str(call.status), 1), ("talk_seconds", int(call.duration_seconds or 0))):
            found[name] = found.get(name, 0) + sign * value
    for item, counted in amounts.values():
        moved = {name: value for name, value in counted.items() if value}
        if moved:
            change.add(item, **moved)
    number = after.customer_number
    if before.status == "missed" and after.status != "missed" and number:
        due_item = db.get(ctx, CallbackDue, callback_pk(ctx), callback_sk(ctx, number))
        if due_item is not None and due_item.call_id == after.call_id:
            change.delete(due_item)


def _settle_callback(ctx: TenantContext, call: Call) -> None:
    """Close the call-back task of a call taken for missed that was answered after all (its provider's late end):
    noted and completed through the tasks service (audited, versioned), unless a person changed the task since the
    call made it. Run on every fold of such a call, so an event retried after a failure here finishes the job."""
    if call.status != "answered" or not call.task_id:
        return  # only a missed call has a call-back task: an answered one with a task was taken for missed
    task = tasks_service.get(ctx, str(call.task_id))
    if task is None or task.done_at is not None:
        return
    line = wording.answered_late_note(ctx, call.answered_at or call.started_at or call.created_at,
                                      None if call.duration_seconds is None else int(call.duration_seconds))
    noted = (task.description or "").endswith(line)  # an earlier attempt's note, its completion not yet written
    if int(task.version or 0) != (2 if noted else 1):
        return  # a person changed it (edited, reassigned, a call back noted on it): theirs to close
    try:
        if not noted:
            kept = (task.description or "")[:10_000 - len(line) - 1]  # a description holds 10,000 characters
            task = tasks_service.update(ctx, task.task_id, data=task_schemas.TaskUpdate(
                version=1, description="\n".join(filter(None, [kept, line]))))
        tasks_service.set_done(ctx, task.task_id, version=int(task.version or 0), done=True)
    except errors.VersionConflictError:  # a person changed it meanwhile: it is theirs
        logger.info("call-back task left to its person", extra={"call_id": call.call_id})


def _note_on_task(ctx: TenantContext, call: Call) -> None:
    """Say on the missed call's call-back task that the number was reached (it is not closed: a person
    decides); best effort after the call is written: the missed call itself carries the mark."""
    missed = access.get_any(ctx, CALL, str(call.callback_of))
    task = tasks_service.get(ctx, str(missed.task_id)) if isinstance(missed, Call) and missed.task_id else None
    if task is None or task.done_at is not None:
        return
    line = wording.returned_note(ctx, call.answered_at or db.utcnow(), str(call.call_id))
    try:
        tasks_service.update(ctx, task.task_id, data=task_schemas.TaskUpdate(
            version=int(task.version or 0), description="\n".join(filter(None, [task.description, line]))[:10_000]))
    except errors.CRMError:
        logger.warning("call-back not noted on its task", extra={"call_id": call.call_id})


def _announce(ctx: TenantContext, call: Call, before: Call | None = None) -> None:
    """Tell the employees' open web apps who is calling (the caller card), or that the call it showed was
    answered or ended; never fails the fold."""
    try:
        from chalicelib.telephony import caller_card

        if before is None:
            caller_card.announce(ctx, call)
        else:
            caller_card.settle(ctx, before, call)
    except Exception:  # noqa: BLE001 - the call is written; a card that does not show is not a lost call
        logger.warning("caller card not pushed", exc_info=True, extra={"call_id": call.call_id})


# -- the processor --------------------------------------------------------------------------


def process_call_event(run: Run) -> Outcome:
    """Fold the call events of one stored provider delivery into their calls."""
    if run.integration is None or run.integration.status == "deleted":
        # The line was deleted after its provider's event was stored: kept, ignored, never misrouted.
        return Outcome("ignored", {"reason": "integration_gone"})
    if "MessageSid" in run.fields or "SmsSid" in run.fields:  # the line's SMS (same URL): a conversation's message
        from chalicelib.messaging import processor as messaging_processor

        return messaging_processor.process_message_event(run)
    adapter = adapter_of(run.integration)
    settings = settings_of(run.integration)
    try:
        events = adapter.call_events(run.fields)
    except (PydanticValidationError, ValueError, KeyError, TypeError) as exc:
        raise errors.ValidationError("The stored event is not a call event this provider sends.",
                                     code="invalid_event") from exc
    if not events:
        return Outcome("ignored", {"reason": "not_a_call_event"})
    calls = [fold_event(run, event, settings) for event in events]
    last = calls[-1]
    details: dict[str, Any] = {"call_id": last.call_id}
    if last.contact_id:
        details["contact_id"] = last.contact_id
    if last.task_id:
        details["task_id"] = last.task_id
    if last.recording_ref and not last.recording_key:
        from chalicelib.telephony import recordings

        recordings.fetch(run, adapter, last)
    return Outcome("processed", details)


for _provider in PROVIDERS:
    register_processor(_provider, process_call_event)
