"""The form processor: a submission becomes a contact (found or created), a lead deal, a task and timeline entries.

Each step checkpoints the id it made on the event in the very transaction that makes it (the task's
is the outcome's own, see ``pipeline._finish``), so a retry or a replay after a failure or a crash
part-way goes on from there and never makes a second contact, deal or task. The contact keeps its first
attribution (source, UTM): a returning visitor's later forms are on its timeline instead. A company holding as many
contacts as its plan allows still gets the lead: its deal and task are made without a contact, the deal's timeline
entry keeps what the visitor typed and says why (``contact_skipped``), and the outcome says so for the plan's readers'
notice (``notifications.events``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from ulid import ULID

from chalicelib.companies import schemas as company_schemas
from chalicelib.companies import service as companies_service
from chalicelib.contacts import schemas as contact_schemas
from chalicelib.contacts import service as contacts_service
from chalicelib.contacts.models import Contact
from chalicelib.core import db, errors, phones
from chalicelib.core.crypto import MASK_PREFIX
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.deals import schemas as deal_schemas
from chalicelib.deals import service as deals_service
from chalicelib.forms import wording
from chalicelib.forms.mapping import Lead, read_lead, telegram_username
from chalicelib.inbox import Outcome, Run, register_processor
from chalicelib.integrations import schemas as integration_schemas
from chalicelib.integrations import service as integrations_service
from chalicelib.records import matching
from chalicelib.records import timeline as timeline_service
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.models import TimelineEntry
from chalicelib.records.naming import split_name
from chalicelib.tasks import schemas as task_schemas
from chalicelib.tasks import service as tasks_service

TASK_DUE = timedelta(minutes=15)
ENTRY_KIND = "form_submission"
PLAN_LIMIT = "plan_limit"  # why a lead has no contact: the company holds as many contacts as its plan allows
MAX_SENSITIVE = 40  # the longest passport number or tax id a contact takes (an IBAN: 42)
_PLACEHOLDER = re.compile(r"\{(name|phone|email|form)\}")


def lead_of(run: Run) -> tuple[Lead, integration_schemas.FormSettings]:
    """The lead in an event and the settings of its form."""
    if run.integration is None:
        raise errors.CRMError("The integration was deleted.", code="integration_gone")
    settings = integrations_service.form_settings(run.integration)
    lead = read_lead(run.fields, field_map=settings.field_map, honeypot_field=settings.honeypot_field)
    lead.phone = _valid_phone(run.ctx, lead)
    return lead, settings


def _valid_phone(ctx: TenantContext, lead: Lead) -> str | None:
    """The phone in E.164 (the company's region), or None with the typed text kept for people to read."""
    if not lead.phone:
        return None
    number = phones.e164(lead.phone[:phones.MAX_TYPED], matching.tenant_region(ctx))
    if number is None:
        lead.other["phone"] = lead.phone
    return number


def responsible_user(ctx: TenantContext, integration: Any, settings: integration_schemas.FormSettings) -> str:
    """Who handles the lead (see ``integrations.service.responsible_user``)."""
    return integrations_service.responsible_user(ctx, integration, settings.responsible,
                                                 reads=("contacts", "deals"))


def lead_source(run: Run) -> str:
    """Where a lead came from, as its contact and its deal keep it (the sources report's channel)."""
    return f"form:{run.integration.name}"[:40]


def lead_utm(lead: Lead) -> dict[str, str]:
    """The lead's utm_* parameters a contact and a deal keep."""
    return {key: value[:200] for key, value in lead.utm.items() if key in contact_schemas.Utm.model_fields}


def _contact_data(run: Run, lead: Lead, owner_id: str, *, with_custom: bool) -> contact_schemas.ContactCreate:
    company_id = run.progress.get("company_id")
    first, last = lead.first_name or lead.name, lead.last_name
    if lead.name and not lead.first_name and not lead.last_name:
        first, last = split_name(lead.name)  # "Ольга Смирнова" typed in one box: first and last names
    utm = lead_utm(lead)
    data: dict[str, Any] = {
        "first_name": first[:100] if first else None, "last_name": last[:100] if last else None,
        "phones": [{"number": lead.phone}] if lead.phone else None,
        "emails": [{"address": lead.email}] if lead.email and _is_email(lead.email) else None,
        "source": lead_source(run), "utm": utm or None, "owner_id": owner_id,
        "custom": (lead.custom or None) if with_custom else None, "on_duplicate": "merge",
        "shipping_address": _address(lead) if with_custom else None,
        "company_ids": [str(company_id)] if company_id else None,
        "messengers": {"telegram_username": username} if (username := telegram_username(lead.telegram)) else None,
    }
    if with_custom:  # sealed on the contact (the card masks them); a value too long to be one stays on the event
        data.update({name: value for name, value in lead.sensitive.items() if len(value) <= MAX_SENSITIVE})
    return contact_schemas.ContactCreate.model_validate({k: v for k, v in data.items() if v is not None})


# An address part longer than the contact keeps is cut, not refused: the lead matters more (its history keeps all).
ADDRESS_PARTS = {"line1": ("address", 200), "city": ("city", 100), "region": ("region", 100),
                 "postal_code": ("postal_code", 20)}


def _address(lead: Lead) -> dict[str, str] | None:
    """The new contact's shipping address from the form's address, city, state and ZIP (None when it gives none)."""
    parts = {part: str(getattr(lead, name))[:limit] for part, (name, limit) in ADDRESS_PARTS.items()
             if getattr(lead, name)}
    return parts or None


def _is_email(value: str) -> bool:
    try:
        contact_schemas.EmailIn.model_validate({"address": value})
    except PydanticValidationError:
        return False
    return True


def find_or_create_contact(run: Run, lead: Lead, owner_id: str) -> tuple[str, str | None]:
    """The contact with the lead's phone or e-mail, or a new one with its attribution; the second value
    says what found it ("phone" or "email": nothing made, the caller notes it with the deal) or None when
    it was made here (its id, with the responsible user, is then checkpointed in the contact's own
    transaction)."""
    ctx = run.ctx
    email = lead.email if lead.email and _is_email(lead.email) else None
    found, matches = contacts_service.find_by_phone_or_email(ctx, lead.phone, email) if lead.phone or email \
        else (None, [])
    if found is not None:
        found = _named_from_lead(run, lead, found)
        contacts_service.remember(ctx, found)  # the deal's link check reads it from the run's memo
        by = next((match for match, contact_id in matches if contact_id == found.contact_id), "phone")
        return str(found.contact_id), by
    known = _by_telegram(run, lead) if not matches else None
    if known is not None:
        contacts_service.remember(ctx, known)
        return str(known.contact_id), "telegram"
    try:
        contact = _new_contact(run, lead, owner_id, matches, with_custom=True)
    except errors.ValidationError:
        if not lead.custom and not lead.sensitive and _address(lead) is None:
            raise
        # A custom field the form names but the company has not defined (or of another type), a tax id or
        # IBAN that is not one, or an address the contact cannot keep: the lead matters more; the values stay on
        # the event (and the timeline entry, masked where they are sensitive).
        run.checkpoint(custom_dropped=sorted(lead.custom) + sorted(lead.sensitive))
        contact = _new_contact(run, lead, owner_id, matches, with_custom=False)
    contacts_service.remember(ctx, contact)
    return str(contact.contact_id), None


def _named_from_lead(run: Run, lead: Lead, contact: Contact) -> Contact:
    """A contact named only by its number (a text or a call made it) takes the name the lead typed: a Phoenix buyer
    who texted first and then sent the website's form stayed '+1 623-555-0166'. A contact someone named keeps its
    name (the timeline entry shows the lead's); a retry finds it named. Nothing else of the form reaches the card:
    anyone may type anyone's number into a website form, and an e-mail written onto the card would receive what the
    business sends her (quotes, invoices); the e-mail stays on the lead's history for a colleague to add."""
    numbers = {phones.readable(str(p.get("number"))) for p in contact.phones or [] if isinstance(p, dict)}
    if contact.last_name or contact.first_name not in numbers or not (lead.name or lead.first_name or lead.last_name):
        return contact
    first, last = lead.first_name or lead.name, lead.last_name
    if lead.name and not lead.first_name and not lead.last_name:
        first, last = split_name(lead.name)
    data: dict[str, Any] = {"version": int(contact.version or 0), "first_name": first[:100] if first else None,
                            "last_name": last[:100] if last else None}
    return contacts_service.update(run.ctx, str(contact.contact_id),
                                   data=contact_schemas.ContactUpdate.model_validate(data))


def _by_telegram(run: Run, lead: Lead) -> Contact | None:
    """The contact holding the Telegram username the visitor typed (a parent who wrote to the bot first), or None.

    The contact is not changed: anyone may type anyone's public username into a website form, so the phone and
    e-mail typed beside it stay on the lead's history (the card shows them there) until a colleague adds them; a
    phone written onto the card would make the next call from it open her card. A lead matched by phone or e-mail
    changes nothing on its contact either."""
    username = telegram_username(lead.telegram)
    return contacts_service.find_by_telegram(run.ctx, username) if username else None


def _new_contact(run: Run, lead: Lead, owner_id: str, matches: list[tuple[str, str]], *,
                 with_custom: bool) -> Contact:
    data = _contact_data(run, lead, owner_id, with_custom=with_custom)
    if matches:  # a lookup whose contact is not live: create decides (merge, or 409) as it always has
        contact = contacts_service.create(run.ctx, data=data)
        run.checkpoint(responsible_id=owner_id, contact_id=str(contact.contact_id))
        return contact
    contact_id = new_id()
    with run.checkpoint_with(responsible_id=owner_id, contact_id=contact_id) as change:
        return contacts_service.create(run.ctx, data=data, contact_id=contact_id, matches=[], change=change)


def deal_title(template: str | None, lead: Lead, form_name: str) -> str:
    """The deal's title from the form's template ({name}, {phone}, {email}, {form})."""
    values = {"name": lead.display_name, "phone": lead.phone or "", "email": lead.email or "", "form": form_name}
    title = _PLACEHOLDER.sub(lambda match: values[match.group(1)], template or wording.DEAL_TITLES["en"])
    return title.strip()[:200] or form_name[:200]


def create_deal(run: Run, lead: Lead, settings: integration_schemas.FormSettings, contact_id: str | None,
                owner_id: str, found: dict[str, str] | None = None) -> str:
    """The lead deal in the form's pipeline and stage (the default pipeline's first open stage if unset),
    checkpointed in its own transaction (with a contact that was found, not made, or why there is none: ``found``)."""
    template = settings.deal_title or wording.deal_title_template(run.ctx)  # in the company's language
    utm = lead_utm(lead)
    data = deal_schemas.DealCreate(title=deal_title(template, lead, run.integration.name),
                                   pipeline_id=settings.pipeline_id, stage_id=settings.stage_id,
                                   contact_ids=[contact_id] if contact_id else [], owner_id=owner_id,
                                   company_id=run.progress.get("company_id"),
                                   source=lead_source(run), utm=contact_schemas.Utm(**utm) if utm else None)
    deal_id = new_id()
    with run.checkpoint_with(**(found or {}), deal_id=deal_id) as change:
        deal = deals_service.create(run.ctx, data=data, deal_id=deal_id, change=change)
    deals_service.remember(run.ctx, deal)  # the task's link check reads it from the run's memo
    return deal_id


def create_task(run: Run, lead: Lead, deal_id: str, owner_id: str, into: db.Change, *,
                contact_skipped: bool = False) -> str:
    """A call-back task for the responsible user about the deal, written with the event's outcome (into); its
    description is the lead's message, and (``contact_skipped``) why the lead has no contact."""
    message = (lead.message or "")[:10_000]
    if contact_skipped:  # in the company's language, as the task's title
        note = wording.contact_skipped(run.ctx)
        message = f"{message[:10_000 - len(note) - 2]}\n\n{note}" if message else note
    data = task_schemas.TaskCreate(
        title=wording.call_back_title(run.ctx, lead.display_name)[:200], kind="call", due_at=db.utcnow() + TASK_DUE,
        assignee_id=owner_id, related=task_schemas.Related(type="deal", id=deal_id), description=message or None)
    return str(tasks_service.create(run.ctx, data=data, into=into).task_id)


def sensitive_custom(ctx: TenantContext) -> frozenset[str]:
    """The keys of the contact's custom fields marked sensitive (the definitions the contact's create read)."""
    return frozenset(d.key for d in customfields_service.definitions(ctx, "contact") if d.sensitive)


def entry_data(run: Run, lead: Lead, matched: str | None = None, skipped: str | None = None) -> dict[str, Any]:
    """What the timeline shows of a submission (bounded: the full fields stay on the event, sealed). A sensitive
    value (a passport number, tax id or IBAN, a custom field marked sensitive) is shown only as the mask, to every
    role, as on the card: it is revealed on the contact's card, where the read is audited. ``masked`` names them.
    ``matched``: the lead went to a contact already there, found by its "phone" or "email" (#20 item 12).
    ``skipped``: why the lead has no contact (``plan_limit``): the entry is then all the CRM shows of what was typed."""
    hidden = sensitive_custom(run.ctx) if lead.custom else frozenset()
    other = {name[:100]: MASK_PREFIX for name in lead.masked[:20]}
    other.update({name[:100]: value[:500] for name, value in list(lead.other.items())[:20]})
    custom = {name: MASK_PREFIX if name in hidden else value[:500] for name, value in list(lead.custom.items())[:20]}
    masked = sorted({name[:100] for name in lead.masked} | {f"custom.{name}" for name in custom if name in hidden})
    return {"integration_id": run.integration.integration_id, "event_id": run.event.event_id,
            "form": run.integration.name, "name": lead.display_name, "phone": lead.phone, "email": lead.email,
            "message": (lead.message or "")[:2000], "company": lead.company, "utm": lead.utm,
            "referrer": lead.referrer, "page": lead.page, "custom": custom, "other": other, "masked": masked,
            **({"matched": matched} if matched else {}), **({"contact_skipped": skipped} if skipped else {})}


def process_submission(run: Run) -> Outcome:
    """Make the lead of one form submission (or ignore it as spam or empty)."""
    lead, settings = lead_of(run)
    if lead.honeypot:
        return Outcome("ignored", {"reason": "spam"})
    if not (lead.phone or lead.email or lead.name or lead.first_name or lead.last_name):
        return Outcome("ignored", {"reason": "no_contact_details"})
    made = run.progress
    found: dict[str, str] = {}
    if "contact_id" not in made and "contact_skipped" not in made:
        found = _contact_step(run, lead, settings)
    ids = {**made, **found}
    owner_id, contact_id = str(ids["responsible_id"]), ids.get("contact_id")
    if lead.consent and contact_id:
        _consent(run, lead, str(contact_id))
    if "deal_id" not in made:
        create_deal(run, lead, settings, str(contact_id) if contact_id else None, owner_id, found)
    # The task, the timeline entries and the outcome commit in one transaction (pipeline._finish): a
    # task is made exactly when the event is recorded processed, so a retry never makes a second one.
    change = db.Change()
    details: dict[str, Any] = {}
    skipped = made.get("contact_skipped")
    if settings.create_task and "task_id" not in made:
        details["task_id"] = create_task(run, lead, str(made["deal_id"]), owner_id, change,
                                         contact_skipped=bool(skipped))
    if "entries" not in made:  # a replay of a processed event writes no second entry on the lead's timelines
        details["entries"] = _add_entries(run, lead, change, ids={**made, **found})
    return Outcome("processed", details, change)


def _consent(run: Run, lead: Lead, contact_id: str) -> None:
    """The channels the visitor's ticked box agreed to, granted on the contact from the form (audited, dated when
    the form was sent); a channel already granted is left as it is, so a retried event writes nothing again. A box
    ticked again after an unsubscribe is the visitor's own new opt-in."""
    from chalicelib.campaigns import consent

    consent.change(run.ctx, contact_id, dict.fromkeys(lead.consent, "granted"), source="web_form", by=None,
                   at=run.event.received_at)


def _add_entries(run: Run, lead: Lead, change: db.Change, *, ids: dict[str, Any]) -> int:
    """The submission's entry on its contact's and its deal's timelines (the deal's alone when no contact was saved),
    in change; how many."""
    skipped, contact_id, deal_id = ids.get("contact_skipped"), ids.get("contact_id"), str(ids["deal_id"])
    summary, at = f"Form “{run.integration.name}”: {lead.display_name}", _after_entries_in(change)
    if skipped:  # the web app words it from the entry's data; API clients read it here
        summary += " (not saved as a contact: the plan's contact limit is reached)"
    subjects = (("contact", str(contact_id)), ("deal", deal_id)) if contact_id else (("deal", deal_id),)
    for subject_type, subject_id in subjects:
        timeline_service.add_entry(run.ctx, change, subject_type=subject_type, subject_id=subject_id, kind=ENTRY_KIND,
                                   summary=summary, data=entry_data(run, lead, ids.get("matched"), skipped), at=at,
                                   entry_id=str(ULID.from_datetime(at)) if at is not None else None)
    return len(subjects)


def _contact_step(run: Run, lead: Lead, settings: integration_schemas.FormSettings) -> dict[str, str]:
    """Find or make the lead's contact; what the deal's transaction checkpoints with it: a contact found (not made
    here), or why none was made. At the plan's contact limit the lead still comes in, without a contact (a retry
    would meet the same limit until an upgrade, and the business would see no lead meanwhile); a person adding a
    contact by hand still meets the 402."""
    owner_id = responsible_user(run.ctx, run.integration, settings)
    if "company_id" not in run.progress:
        lead_company(run, lead, owner_id)
    try:
        contact_id, matched = find_or_create_contact(run, lead, owner_id)
    except errors.PlanLimitError:
        logger.warning("lead not saved as a contact: plan limit", extra={"event_id": run.event.event_id})
        return {"responsible_id": owner_id, "contact_skipped": PLAN_LIMIT}
    if matched is None:
        return {}  # made here: checkpointed in the contact's own transaction
    return {"responsible_id": owner_id, "contact_id": contact_id, "matched": matched}


def lead_company(run: Run, lead: Lead, owner_id: str) -> None:
    """The company a business's lead names (the form's Company field), checkpointed as ``company_id`` for the new
    contact and the lead deal: the one company of that name (letter case and accents aside), else a new one of the
    lead's responsible user. Nothing is noted when the form names no company or several companies have the name: the
    timeline entry keeps what was typed. A London supplier's web leads named their firms, and no firm was kept."""
    from chalicelib.records import search, types

    name = " ".join((lead.company or "").split())[:200]
    if not name:
        return
    query = company_schemas.CompanyListQuery.model_validate({"q": name, "limit": 50})
    try:
        rows = search.list_records(run.ctx, types.get("company"), query).items
    except errors.ValidationError:  # no searchable word in the name ("&"): nothing to find, a new company
        rows = []
    same = [str(row.record_id) for row in rows if matching.fold(str(row.name)) == matching.fold(name)]
    if len(same) > 1:
        return
    if same:
        run.progress["company_id"] = same[0]
        return
    company_id = new_id()
    with run.checkpoint_with(company_id=company_id) as change:
        companies_service.create(run.ctx, data=company_schemas.CompanyCreate(name=name, owner_id=owner_id),
                                 company_id=company_id, change=change)


def _after_entries_in(change: db.Change) -> datetime | None:
    """When the submission's entries are dated: a millisecond after the newest entry already in change
    (the task's), if the clock has not moved on. Entries of one millisecond list in the order they were
    made, so the task would otherwise list above the submission it came from; a timeline lists the
    submission newest, as it did when the task had a transaction of its own. None: now, as usual."""
    newest = max((item.entry_id for item in change.creates if isinstance(item, TimelineEntry)), default=None)
    if newest is None:
        return None
    floor = ULID.from_str(newest).datetime + timedelta(milliseconds=1)
    return floor if db.utcnow() < floor else None


register_processor("form", process_submission)
