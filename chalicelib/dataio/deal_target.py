"""Deals as an import and export target, through the deals domain's service.

A row names its pipeline and stage by name (the default pipeline and its first open stage when
left out), its amount as people type it ("1 234,50", "1,234.50") in the row's currency or the
tenant's, and its contact (by e-mail, phone or full name) and company (by name or web domain).
Deals have no natural key, so an import never reports one as a duplicate; the row's own id keeps a
retried row from creating a second deal.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

from chalicelib.core import db, errors, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import deal_export, mapping, row_notes
from chalicelib.dataio.company_target import visible_companies, website_host
from chalicelib.dataio.mapping import NOTES, OWNER, SOURCE, TAGS, UTM, Choices, FieldSpec
from chalicelib.dataio.row_notes import RowNotes
from chalicelib.records import matching
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.customfields import values as value_types
from chalicelib.records.money import CURRENCIES

DEAL_SPECS = {spec.name: spec for spec in (
    FieldSpec("title", "text", ("title", "deal", "deal name", "deal title", "name", "opportunity", "название",
                                "сделка", "название сделки", "наименование")),
    FieldSpec("pipeline", "text", ("pipeline", "funnel", "воронка", "воронка продаж",
                                   "направление")),  # Bitrix24's name for a pipeline
    FieldSpec("stage", "text", ("stage", "deal stage", "этап", "стадия", "этап сделки",
                                "стадия сделки")),  # Bitrix24's
    # open, won or lost (Pipedrive's "Deal - Status", our export's "Deal status"); a file's only "Status" column is
    # its stage, as before (``alone_as``)
    FieldSpec("status", "text", ("status", "deal status", "статус", "статус сделки", "won lost"),
              alone_headers=("status", "статус"), alone_as="stage", alone_unless=("stage",)),
    FieldSpec("amount", "text", ("amount", "value", "sum", "budget", "price", "deal value", "сумма", "бюджет",
                                 "стоимость", "сумма сделки")),
    FieldSpec("currency", "text", ("currency", "валюта", "deal currency", "deal currency of value",
                                   "currency of value")),  # Pipedrive's "Deal - Currency of Value"
    FieldSpec("contact", "text", ("contact", "contact email", "contact phone", "contact name", "client",
                                  "customer", "контакт", "клиент", "контактное лицо", "покупатель",
                                  "deal contact person", "person name",  # Pipedrive's "Deal - Contact person"
                                  "associated contact")),  # HubSpot's: "Name (e-mail)", several joined by ";"
    FieldSpec("company", "text", ("company", "company name", "organization", "organisation", "account",
                                  "компания", "организация", "фирма", "deal organization", "organization name",
                                  "associated company")),  # HubSpot's
    FieldSpec("expected_close_on", "date", ("expected close", "expected close date", "closing date",
                                            "ожидаемая дата закрытия", "плановая дата закрытия",
                                            "deal expected close date",
                                            "предполагаемая дата закрытия")),  # Bitrix24's
    # when a won or lost deal closed (Pipedrive's "Deal - Won time" / "Deal - Lost time", amoCRM's "Дата закрытия",
    # HubSpot's "Close Date", our export's "Closed"); an open deal's is its expected close date, as "Дата закрытия"
    # was read before
    FieldSpec("closed_at", "list", ("closed", "closed at", "close time", "closed time", "won time", "lost time",
                                    "deal won time", "deal lost time", "deal close time", "close date",
                                    "дата закрытия", "закрыта", "дата закрытия сделки"), repeatable=True),
    FieldSpec("lost_reason", "text", ("lost reason", "reason lost", "причина отказа", "причина проигрыша",
                                    "deal lost reason")),
    TAGS,
    OWNER,
    NOTES,
    SOURCE,
    *UTM,
    # the contact's phone and e-mail beside the deal (amoCRM's leads export): its contact is found by them
    FieldSpec("contact_phone", "list", ("phone", "phones", "phone number", "telephone", "tel", "mobile", "mobile phone",
                                        "work phone", "телефон", "телефоны", "тел", "мобильный", "мобильный телефон",
                                        "рабочий телефон", "номер телефона", "телефон контакта",
                                        "рабочий телефон контакт", "мобильный телефон контакт", "person phone",
                                        "person phone work", "person phone mobile"), repeatable=True),
    FieldSpec("contact_email", "list", ("email", "e-mail", "emails", "email address", "mail", "почта", "эл. почта",
                                        "электронная почта", "рабочий email", "личный email", "email контакта",
                                        "рабочий email контакт", "личный email контакт", "person email",
                                        "person email work"), repeatable=True),
)}
_SPACES = re.compile(r"[\s\u00a0\u202f'\u2019]")  # thousands as "1 234", "1'234" (Swiss)
_GROUPED = re.compile(r"\d+|\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_AFFIX = re.compile(r"^(?P<before>[^\d-]*)(?P<number>.*?)(?P<after>[^\d]*)$")
_SYMBOLS = {"$": "USD", "\u20ac": "EUR", "\u00a3": "GBP", "\u20bd": "RUB", "\u00a5": "JPY",
            "\u0440": "RUB", "\u0440\u0443\u0431": "RUB", "rur": "RUB"}  # the rouble as typed
# A currency by its name, as Bitrix24's deals export writes it (the portal's name of the currency, in Russian or
# English), folded as a cell is
_CURRENCY_NAMES = {matching.fold(name): code for code, names in {
    "RUB": ("российский рубль", "рубль", "рубли", "russian ruble", "russian rouble"),
    "USD": ("доллар сша", "доллар", "us dollar"), "EUR": ("евро", "euro"),
    "BYN": ("белорусский рубль", "belarusian ruble"), "KZT": ("тенге", "казахстанский тенге", "kazakhstani tenge"),
    "UAH": ("гривна", "украинская гривна", "ukrainian hryvnia"), "CNY": ("юань", "китайский юань", "chinese yuan"),
    "GBP": ("фунт стерлингов", "british pound", "pound sterling")}.items() for name in names}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")  # the time after a closing date
_WRITTEN_CONTACT = re.compile(r"^(?P<name>.*?)\s*\((?P<key>[^()]+)\)\s*$")  # "Anna Petrova (anna@example.com)"
# A status cell's words, where they say one thing only ("Закрыто" alone may be won or lost: not read).
_STATUSES = {"open": "open", "won": "won", "lost": "lost", "открыта": "open", "открыто": "open", "в работе": "open",
             "успешно": "won", "успешно реализовано": "won", "выиграна": "won", "выиграно": "won",
             "не реализовано": "lost", "закрыто и не реализовано": "lost", "проиграна": "lost", "проиграно": "lost"}
IMPORTED_AS_LOST = {"en": "Imported as lost", "ru": "Импортирована как проигранная"}
PIPELINES_SECONDS = 60.0
# a tenant's pipelines as read, and the names and ids not found in them since (each read again once meanwhile)
_pipelines: dict[str, tuple[float, list[Any], set[str]]] = {}


def _invalid(field_name: str, message: str, kind: str = "invalid_value") -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": [field_name], "msg": message, "type": kind}])


def _currency_mark(text: str) -> bool:
    mark = text.casefold().rstrip(".")
    return not mark or mark in _SYMBOLS or mark.upper() in CURRENCIES


def _strip_currency(text: str) -> str:
    """The number of "$1,234.50" or "1234 EUR": a currency mark (symbol, code, rouble) on either side is dropped."""
    found = _AFFIX.match(text)
    if found is None or not (_currency_mark(found["before"]) and _currency_mark(found["after"])):
        return text
    return found["number"]


def parse_amount(text: str, currency: str, *, field: str = "amount") -> int:
    """Minor units of an amount typed as "1 234,50", "1,234.50", "1.234,50" or "1234" (422 otherwise).

    With both separators the last is the decimal one; a lone separator before exactly three digits
    groups thousands ("1,234"), except in currencies whose minor unit has three digits.
    """
    digits = CURRENCIES[currency]
    cleaned = _strip_currency(_SPACES.sub("", text))
    separators = [char for char in cleaned if char in ".,"]
    whole, fraction = cleaned, ""
    if separators:
        last = cleaned.rfind(separators[-1])
        grouping = len(set(separators)) == 1 and (len(separators) > 1 or (len(cleaned) - last == 4 and digits != 3))
        if not grouping:
            whole, fraction = cleaned[:last], cleaned[last + 1:]
    if not _GROUPED.fullmatch(whole) or not re.fullmatch(rf"\d{{0,{digits}}}", fraction):
        raise _invalid(field, f"Not an amount in {currency} (such as 1 234,50; at most {digits} decimals)",
                       "invalid_amount")
    minor = int(re.sub(r"[.,]", "", whole)) * 10**digits + int(fraction.ljust(digits, "0") or "0")
    if minor > 10**15:
        raise _invalid(field, "The amount is too large", "too_large")
    return minor


def _pipelines_of(ctx: TenantContext) -> list[Any]:
    """The tenant's pipelines, read once a minute while an import runs (not once per row)."""
    from chalicelib.deals import pipelines

    cached = _pipelines.get(ctx.tenant_id)
    if cached is None or time.monotonic() - cached[0] > PIPELINES_SECONDS:
        if len(_pipelines) > 256:  # a warm Lambda serves many tenants: keep the cache small
            _pipelines.clear()
        cached = (time.monotonic(), pipelines.list_pipelines(ctx), set())
        _pipelines[ctx.tenant_id] = cached
    return cached[1]


def _named(items: list[Any], name: str) -> Any:
    wanted = matching.fold(name)
    return next((item for item in items if matching.fold(item.name) == wanted), None)


def _pipeline_where(ctx: TenantContext, key: str, test: Any) -> Any:
    """The pipeline that passes test; on a miss the list is read again, once per key while it is kept, so a
    pipeline made a moment before the import is found and a file's unknown name is not read for on every row."""
    found = next((p for p in _pipelines_of(ctx) if test(p)), None)
    read_at, items, missed = _pipelines[ctx.tenant_id]
    if found is not None or key in missed:
        return found
    from chalicelib.deals import pipelines

    items = pipelines.list_pipelines(ctx)
    _pipelines[ctx.tenant_id] = (read_at, items, {*missed, key})
    return next((p for p in items if test(p)), None)


def deal_status(cell: Any) -> str | None:
    """The status a row's status cell says (open, won, lost), None for an empty one; 422 for anything else."""
    typed = matching.fold(str(cell or ""))
    if not typed:
        return None
    if typed not in _STATUSES:
        raise _invalid("status", "Not a deal status (open, won or lost)", "unknown_status")
    return _STATUSES[typed]


def known_pipeline(ctx: TenantContext, name: Any) -> tuple[str | None, list[dict[str, str]]]:
    """The pipeline a row names when the company has one by that name; one it has not (HubSpot's "Sales Pipeline"
    beside our "Sales") is none, so the row goes to the pipeline chosen in the preview, whose stages the preview
    mapped, and a note names it."""
    wanted = matching.fold(str(name or ""))
    if not name or _pipeline_where(ctx, wanted, lambda p: matching.fold(p.name) == wanted) is not None:
        return (str(name) if name else None), []
    return None, [{"field": "pipeline", "message": "No pipeline with this name: the deal goes to the pipeline chosen "
                   "for the import", "type": "pipeline_chosen", "value": str(name)}]


def resolve_stage(ctx: TenantContext, pipeline_name: str | None, stage_name: str | None,
                  choices: Choices | None = None, status: str | None = None) -> tuple[str, Any]:
    """The pipeline's id and the stage a row names (422 for a name the tenant does not have); None for no stage.

    A row naming no pipeline goes to the importer's chosen one (else the default); in that pipeline a stage value the
    importer mapped becomes the stage chosen for it, and one they left unmapped fails the row. A won or lost status
    puts the deal in the pipeline's won or lost stage, whatever stage it was in before it closed.
    """
    found = _pipelines_of(ctx)
    chosen = choices or Choices()
    if pipeline_name:
        wanted = matching.fold(pipeline_name)
        pipeline = _pipeline_where(ctx, wanted, lambda p: matching.fold(p.name) == wanted)
        if pipeline is None:
            raise _invalid("pipeline", "No pipeline with this name", "unknown_pipeline")
    elif chosen.pipeline_id:
        pipeline = _pipeline_where(ctx, chosen.pipeline_id, lambda p: p.pipeline_id == chosen.pipeline_id)
        if pipeline is None:  # deleted since the import was previewed
            raise _invalid("pipeline", "No pipeline with this name", "unknown_pipeline")
    else:
        pipeline = next((p for p in found if p.is_default), found[0])
    if status in ("won", "lost"):
        closed = next((s for s in pipeline.stages if s.stage_kind == status), None)
        if closed is None:
            raise _invalid("status", f"{pipeline.name} has no {status} stage", "no_closed_stage")
        return pipeline.pipeline_id, closed
    if not stage_name:
        return pipeline.pipeline_id, None
    folded = matching.fold(stage_name)
    if pipeline.pipeline_id == chosen.pipeline_id and folded in chosen.stages:
        stage_id = chosen.stages[folded]
        stage = next((s for s in pipeline.stages if s.stage_id == stage_id), None) if stage_id else None
    else:
        stage = _named(list(pipeline.stages), stage_name)
    if stage is None:
        raise _invalid("stage", f"No stage with this name in {pipeline.name}", "unknown_stage")
    return pipeline.pipeline_id, stage


def lost_reason_of(ctx: TenantContext, stage: Any, typed: Any) -> tuple[str | None, list[dict[str, str]]]:
    """A row's lost reason: as typed; for a lost deal without one, a neutral one in the company's language (a lost
    deal needs a reason, and the company's history is kept rather than failed), with a note saying it was set."""
    from chalicelib.identity import service as identity_service

    if typed or stage is None or stage.stage_kind != "lost":
        return (str(typed) if typed else None), []
    reason = IMPORTED_AS_LOST.get(identity_service.company_locale(ctx), IMPORTED_AS_LOST["en"])
    return reason, [{"field": "lost_reason", "message": f"A lost deal without a reason: “{reason}” is recorded",
                     "type": "lost_reason_set"}]


def _company_zone(ctx: TenantContext) -> Any:
    from chalicelib.identity import zones

    return zones.company_zone(ctx)


def closed_moment(ctx: TenantContext, cell: str) -> datetime:
    """When a deal closed, from "2024-03-12 14:35:10" (Pipedrive), "12.03.2024 10:15:00" (amoCRM) or a date alone (its
    company's midnight), read on the company's clock; 422 for a cell that is no date."""
    from chalicelib.identity import service as identity_service

    country = str(identity_service.tenant_settings_or_raise(ctx).country or "US")
    try:
        day = date.fromisoformat(mapping.parse_date(cell, country))
    except value_types.InvalidValue as exc:
        raise _invalid("closed_at", exc.message, exc.kind) from exc
    clock = _CLOCK.search(cell.strip()[10:])
    hours, minutes, seconds = (int(part or 0) for part in clock.groups()) if clock else (0, 0, 0)
    try:
        local = datetime.combine(day, dtime(hours, minutes, seconds))
    except ValueError as exc:
        raise _invalid("closed_at", "Not a real time", "invalid_value") from exc
    return local.replace(tzinfo=_company_zone(ctx)).astimezone(UTC)


def closing_of(ctx: TenantContext, stage: Any,
               values: dict[str, Any]) -> tuple[datetime | None, str | None, list[dict[str, str]]]:
    """A won or lost deal's closing moment and the row's expected close date: a closing still to come is not kept (a
    note says so); an open deal's closing date is its expected close date when the row gives none, and a closed
    deal's past expected close date, when the row has no closing time, is when it closed (Bitrix24 sets it so)."""
    cells = [str(cell) for cell in values.get("closed_at") or [] if str(cell).strip()]
    expected = values.get("expected_close_on")
    if not cells:
        closed = closed_moment(ctx, str(expected)) if expected and stage is not None and \
            stage.stage_kind != "open" else None
        return (closed if closed is not None and closed <= db.utcnow() else None), expected, []
    closed = closed_moment(ctx, cells[0])
    if stage is None or stage.stage_kind == "open":
        return None, expected or closed.astimezone(_company_zone(ctx)).date().isoformat(), []
    if closed > db.utcnow():
        return None, expected, [{"field": "closed_at", "message": "A closing time still to come is not kept: the "
                                 "deal is closed now", "type": "closed_at_future", "value": cells[0]}]
    return closed, expected, []


def _name_forms(first: str | None, last: str | None) -> list[list[str]]:
    """The words a file may name a contact by, in any order (as an owner is named): the whole name, and the name
    without the patronymic kept with the first name (Bitrix24 writes Сергей Петрович Волков "Сергей Волков")."""
    given, family = matching.fold(first).split(), matching.fold(last).split()
    return [sorted(given + family), *([sorted(given[:1] + family)] if len(given) > 1 else [])]


def resolve_contacts(ctx: TenantContext, cell: str) -> list[str]:
    """The contacts a row names, one or several joined by ";" (as an export writes them), each resolved alone."""
    return list(dict.fromkeys(resolve_contact(ctx, part.strip()) for part in cell.split(";") if part.strip()))


def resolve_contact(ctx: TenantContext, reference: str) -> str:
    """The contact a row names by e-mail, phone or full name, or as an export writes it, "Name (e-mail or phone)"
    (422 when none, or several, match)."""
    from chalicelib.contacts import service as contacts_service
    from chalicelib.contacts.schemas import ContactListQuery
    from chalicelib.records import search, types

    written = _WRITTEN_CONTACT.match(reference)
    if written and ("@" in written["key"] or matching.looks_like_phone(written["key"])):
        reference = written["key"].strip()
    if "@" in reference:
        contact = contacts_service.find_by_email(ctx, reference)
        ids = [contact.contact_id] if contact is not None else []
    elif matching.looks_like_phone(reference):
        contact = contacts_service.find_by_phone(ctx, reference)
        ids = [contact.contact_id] if contact is not None else []
    else:
        wanted = sorted(matching.fold(reference).split())
        query = schema.validate(ContactListQuery, {"q": reference, "limit": 50})
        rows = search.list_records(ctx, types.get("contact"), query).items
        ids = list(dict.fromkeys(row.record_id for row in rows if wanted in _name_forms(row.first_name, row.last_name)))
    if not ids:
        raise _invalid("contact", "No contact with this e-mail, phone or name", "unknown_contact")
    if len(ids) > 1:
        raise _invalid("contact", "Several contacts have this name; use an e-mail or phone", "several_contacts")
    return ids[0]


def contacts_by_keys(ctx: TenantContext, values: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    """The contacts a deal row's Phone and Email columns find (their lookups: e-mails first, then phones), those the
    importer may see; none: no link, and a note saying so (a deal import never makes contacts)."""
    from chalicelib.contacts import service as contacts_service
    from chalicelib.core import permissions

    scope = permissions.scope_of(ctx, "contacts", "read")
    found: list[str] = []
    finders = (("contact_email", contacts_service.find_by_email), ("contact_phone", contacts_service.find_by_phone))
    for kind, find in finders:
        for key in values.get(kind) or []:
            contact = find(ctx, str(key))
            if contact is not None and scope is not None and permissions.may_touch(
                    ctx, scope, owner_id=contact.owner_id, team_id=contact.team_id):
                found.append(str(contact.contact_id))
    if found:
        return list(dict.fromkeys(found)), []
    return [], [{"field": "contact", "message": "No contact with this phone or e-mail: the deal is made without one",
                 "type": "contact_not_found"}]


def contact_of_row(ctx: TenantContext, values: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    """The contacts a row's Contact cell names; when it names nobody (or several), those its Phone and Email columns
    find, with a note saying so (Pipedrive's "Dr Raj Patel" beside "Person - Email"); neither: the cell's 422."""
    from chalicelib.deals.schemas import MAX_CONTACTS

    cell = str(values["contact"])
    try:
        return resolve_contacts(ctx, cell), []
    except errors.ValidationError:
        found = contacts_by_keys(ctx, values)[0] if values.get("contact_phone") or values.get("contact_email") else []
        if not found:
            raise
    note = {"field": "contact", "message": "No one contact by this name: the contact with the row's e-mail or phone "
            "is linked", "type": "contact_by_keys", "value": cell}
    return found[:MAX_CONTACTS], [note]


def resolve_company(ctx: TenantContext, reference: str) -> str:
    """The company a row names by name or web domain (422 when none, or several, match)."""
    host = website_host(reference) if "." in reference and " " not in reference.strip() else ""
    if host:
        ids = [row.record_id for row in visible_companies(ctx, q=host) if website_host(row.website) == host]
    else:
        ids = [row.record_id for row in visible_companies(ctx, q=reference)
               if matching.fold(row.name) == matching.fold(reference)]
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise _invalid("company", "No company with this name or domain", "unknown_company")
    if len(ids) > 1:
        raise _invalid("company", "Several companies have this name; use the web domain", "several_companies")
    return ids[0]


def currency_of(ctx: TenantContext, values: dict[str, Any]) -> str:
    """The row's currency (a code, a symbol or Bitrix24's name of it), else the company's; 422 for one that is no
    ISO 4217 code."""
    from chalicelib.identity import service as identity_service

    typed = str(values.get("currency") or identity_service.tenant_settings_or_raise(ctx).currency).strip()
    code = _CURRENCY_NAMES.get(matching.fold(typed)) or typed.upper()
    code = _SYMBOLS.get(code.casefold().rstrip("."), code)
    if code not in CURRENCIES:
        raise _invalid("currency", "Not an ISO 4217 currency code", "unknown_currency")
    return code


@dataclass
class DealRow:
    """A deal row ready to create, what of it is left out (a contact its phone or e-mail did not find), and its
    notes."""

    deal: Any  # DealCreate
    notes: list[dict[str, str]] = field(default_factory=list)
    timeline_notes: RowNotes = field(default_factory=RowNotes)
    closed_at: datetime | None = None  # when a won or lost deal closed, as the file says


class DealTarget:
    """Deals, through ``deals.service`` (its create schema and create)."""

    entity = "deal"
    permission = "deals"
    specs = DEAL_SPECS
    ignored = frozenset[str]()

    def build(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str, import_id: str,
              choices: Choices | None = None) -> Any:
        """DealCreate of a row: stage, amount, contact and company resolved (422 naming the field otherwise)."""
        from chalicelib.deals.schemas import MAX_CONTACTS, DealCreate

        if not values.get("title"):
            raise _invalid("title", "A deal needs a title", "missing")
        pipeline_name, unknown = known_pipeline(ctx, values.get("pipeline"))
        pipeline_id, stage = resolve_stage(ctx, pipeline_name, values.get("stage"), choices,
                                           deal_status(values.get("status")))
        lost_reason, notes = lost_reason_of(ctx, stage, values.get("lost_reason"))
        notes = unknown + notes
        closed_at, expected, closing = closing_of(ctx, stage, values)
        notes += closing
        payload: dict[str, Any] = {"title": values["title"], "pipeline_id": pipeline_id,
                                   "stage_id": stage.stage_id if stage is not None else None,
                                   "expected_close_on": expected,
                                   "lost_reason": lost_reason, "tags": values.get("tags"),
                                   "owner_id": values.get("owner_id"),
                                   "custom": values.get("custom") or {}, **mapping.attribution(values)}
        currency = currency_of(ctx, values)
        if values.get("amount"):
            payload["amount"] = {"minor": parse_amount(str(values["amount"]), currency), "currency": currency}
        if values.get("contact"):
            payload["contact_ids"], named = contact_of_row(ctx, values)
            notes += named
        elif values.get("contact_phone") or values.get("contact_email"):
            payload["contact_ids"], unfound = contacts_by_keys(ctx, values)
            notes += unfound
            payload["contact_ids"] = payload["contact_ids"][:MAX_CONTACTS]
        if values.get("company"):
            payload["company_id"] = resolve_company(ctx, str(values["company"]))
        data = schema.validate(DealCreate, {name: value for name, value in payload.items() if value is not None})
        if data.custom:
            customfields_service.clean(ctx, entity="deal", record_id=record_id, values=data.custom)
        return DealRow(data, notes, row_notes.read(ctx, values), closed_at)

    def notes(self, data: DealRow) -> list[dict[str, str]]:
        """A contact the row's phone or e-mail did not find; notes the role may not write."""
        return [*data.notes, *data.timeline_notes.problems]

    def match_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """None: two rows with one title are two deals."""
        return []

    def find_duplicates(self, ctx: TenantContext, data: Any) -> list[tuple[str, str]]:
        """None: deals have no natural key."""
        return []

    def create(self, ctx: TenantContext, data: DealRow, *, record_id: str) -> None:
        """One deal under the row's id, with its totals, links, audit record and notes, in one transaction."""
        from chalicelib.deals import service as deals_service

        deals_service.create(ctx, data=data.deal, deal_id=record_id, closed_at=data.closed_at,
                             change=row_notes.change(ctx, data.timeline_notes, subject_type="deal",
                                                     subject_id=record_id))

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        """True when the deal exists (a retried row finds the one it created)."""
        from chalicelib.deals import service as deals_service

        return deals_service.get_any(ctx, record_id) is not None

    def check_filters(self, filters: dict[str, str]) -> None:
        """422 for filters GET /api/v1/deals does not take."""
        deal_export.check_filters(filters)

    def export_page(self, ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
                    limit: int, reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
        """One page of deals the caller may export, as flat rows."""
        return deal_export.page(ctx, scope=scope, filters=filters, cursor=cursor, limit=limit)
