"""From spreadsheet columns to CRM fields: recognising headers, and reading a row's cells as values.

A target (contacts, ...) names its importable fields as :class:`FieldSpec`; custom fields are
``custom.<key>``. Headers are matched after folding (case, ё, punctuation), in English and Russian.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.core import errors
from chalicelib.records.customfields import values as value_types
from chalicelib.records.customfields.models import FieldDefinition

CUSTOM = "custom."
_PUNCTUATION = re.compile(r"[\s\-_.:;,*\"'()\[\]/\\#№]+")
_SPLIT_LIST = re.compile(r"[;,|\n]+")
_SPLIT_PHONES = re.compile(r"[;,\n]+")
# A part of a phones cell that is only an extension ("8 (495) 123-45-67, доб. 12"): it belongs to the number before it.
_EXTENSION_ONLY = re.compile(r"^\(?(?:доб(?:авочный)?|вн(?:утр(?:енний)?)?|ext(?:ension)?|x|#)\.?\s*\d{1,8}\)?$",
                             re.IGNORECASE)
# Russian words for an extension phonenumbers does not read ("добавочный 12", "вн. 12"), as the one it does ("доб.").
_EXTENSION_WORDS = re.compile(r"\b(?:добавочный|внутренний|внутр|вн)\b\.?\s*(?=\d)", re.IGNORECASE)
# What a word typed after a number says of it ("+7 916 123-45-67 (моб)", "8 (495) 123-45-67 рабочий"): its kind.
_PHONE_KINDS = {"моб": "mobile", "мобильный": "mobile", "сотовый": "mobile", "mobile": "mobile", "cell": "mobile",
                "раб": "work", "рабочий": "work", "work": "work", "дом": "home", "домашний": "home",  # noqa: RUF001
                "home": "home"}
# A remark after a number: any words in brackets at its end, or one of the kind words, with a dot or not.
_PHONE_REMARK = re.compile(r"\s*(?:\(([^()]*[^\W\d_][^()]*)\)|\b("
                           + "|".join(sorted(_PHONE_KINDS, key=len, reverse=True)) + r")\b\.?)\s*$", re.IGNORECASE)
PHONE_KINDS = "phone_kinds"  # a row's values: the kind its remark or its column gave a phone, by number
# What a phone column's name says of its numbers (Bitrix24's "Рабочий телефон", "Номер факса", Pipedrive's "Person -
# Phone - Work", HubSpot's "Mobile Phone Number"): their kind, unless a number's own remark says otherwise.
_COLUMN_KINDS = {**_PHONE_KINDS, "мобильного": "mobile", "факс": "fax", "факса": "fax", "fax": "fax"}
# A column left out of the import: neither a field nor the note that keeps the cells of columns mapped to none
# (a column mapped to null). The importer chooses it, and so does a field the role may not change: its values
# are not written at all, not even as a note.
SKIP = "-"
_SPLIT_EMAILS = re.compile(r"[;,\s]+")
# A date as people type it, with the time another CRM writes after it ("12.03.2024 10:15:00" in amoCRM's exports).
_DOTTED_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


@dataclass(frozen=True)
class FieldSpec:
    """An importable field: its name, how its cells are read, and the headers that mean it."""

    name: str
    kind: str  # text | phone | email | list | date | note | yes_no | telegram | country
    headers: tuple[str, ...]
    repeatable: bool = False  # may come from several columns (work and mobile phone ...)
    numbered: bool = False  # a header with a number after it means it too: amoCRM's "Примечание 2"
    sensitive: bool = False  # masked wherever a preview shows it
    # What a column headed one of ``alone_headers`` means in a file with no column of ``alone_unless``: amoCRM's
    # contacts export without a "Фамилия" column has the whole name under "Имя", so there "Имя" is the full name.
    alone_headers: tuple[str, ...] = ()
    alone_as: str | None = None
    alone_unless: tuple[str, ...] = ()


# Tags, in every type's import: a column of them, comma-separated, or several such columns.
TAGS = FieldSpec("tags", "list", ("tags", "tag", "labels", "label", "теги", "тег", "тэги", "метки", "метка",
                                  "person label", "person labels", "organization label", "organization labels",
                                  "deal label", "deal labels",  # Pipedrive's "Person - Label" ...
                                  "lifecycle stage",  # HubSpot's (lead, customer ...): no field of ours holds it
                                  "тип контакта", "тип компании"),  # Bitrix24's (Клиенты, Поставщики ...): nor this
                 repeatable=True)


# The responsible person ("Ответственный"), in contacts', companies' and deals' imports: resolved to a user by
# ``dataio.owners`` before the row is built, as its owner.
OWNER = FieldSpec("owner_id", "text", ("owner", "owner id", "responsible", "responsible user", "responsible person",
                                       "assigned to", "deal owner", "contact owner", "company owner", "person owner",
                                       "organization owner", "ответственный",
                                       "ответственное лицо", "ответственный менеджер", "ответственный сотрудник"))


# Where a lead came from, in contacts' and deals' imports: amoCRM's leads export ("Источник", utm_source ...), our own
# export's "Source" and "UTM source" ... columns; the record's source and UTM as a form's lead keeps them.
UTM_PARTS = ("source", "medium", "campaign", "term", "content")
SOURCE = FieldSpec("source", "text", ("source", "lead source", "original source", "deal source", "person source",
                                      "источник", "источник сделки", "источник лида", "источник контакта"))
UTM = tuple(FieldSpec(f"utm_{part}", "text", (f"utm {part}",)) for part in UTM_PARTS)


def attribution(values: dict[str, Any]) -> dict[str, Any]:
    """A row's source (as a record keeps it: 40 characters) and UTM parameters, for its create schema."""
    utm = {part: str(values[f"utm_{part}"]).strip()[:200] for part in UTM_PARTS if values.get(f"utm_{part}")}
    source = str(values.get("source") or "").strip()[:40]
    return {"source": source or None, "utm": utm or None}


# An address in parts (HubSpot's "Street Address", "City", "State/Region", "Postal Code", "Country/Region"): a contact's
# shipping address (where an order goes), a company's address.
ADDRESS_PARTS = {
    "line1": ("street address", "street", "address line 1", "address 1", "улица"),
    "line2": ("street address 2", "address line 2", "address 2"),
    "city": ("city", "town", "город", "населенный пункт"),
    "region": ("state", "state region", "region", "province", "county", "регион", "область"),
    "postal_code": ("postal code", "zip", "zip code", "postcode", "post code", "индекс", "почтовый индекс"),
    "country": ("country", "country region", "страна"),
}
ADDRESS = tuple(FieldSpec(f"address_{part}", "country" if part == "country" else "text", headers)
                for part, headers in ADDRESS_PARTS.items())


def address_of(values: dict[str, Any], line: Any = None) -> dict[str, str] | None:
    """A row's address from its parts (a one-line address cell, where the file has one, as the first line when no
    street is given), as a record keeps it; None when the row has none."""
    parts = {part: str(values[f"address_{part}"]).strip() for part in ADDRESS_PARTS if values.get(f"address_{part}")}
    if str(line or "").strip():
        parts.setdefault("line1", str(line).strip())
    return {part: value for part, value in parts.items() if value} or None


def country_code(cell: str) -> str | None:
    """The ISO 3166 code of a country cell: a code ("US") or a name in English or Russian ("United States", "Россия"),
    as phonenumbers' geocoder names countries; None for neither."""
    typed = fold_header(cell)
    names = _country_names()
    return typed.upper() if typed.upper() in names.values() else names.get(typed)


@functools.cache
def _country_names() -> dict[str, str]:
    """Each country's English and Russian names, folded, to its code (read once, on the first address imported)."""
    from phonenumbers import geocoder
    from phonenumbers.phonenumberutil import SUPPORTED_REGIONS

    names = {"usa": "US", "united states of america": "US", "uk": "GB"}
    for region in SUPPORTED_REGIONS:
        for lang in ("en", "ru"):
            # the geocoder's own lookup of a region's name, which follows its data's references between languages
            name = geocoder._region_display_name(region, lang)
            if name:
                names.setdefault(fold_header(name), str(region))
    return names


# Notes ("Примечание", "Примечание 1" ... in amoCRM's exports): each non-empty cell a note on the record's timeline.
NOTES = FieldSpec("notes", "note", ("note", "notes", "comment", "comments", "примечание", "примечания", "заметка",
                                    "заметки", "комментарий", "комментарии"), repeatable=True, numbered=True)
_NUMBERED = re.compile(r"^(.*\D)\s*\d{1,3}$")


# amoCRM's combined export: a "Тип" column says whether a row is a contact or a company. Contacts' and companies'
# imports read it so a row of the other kind is not made into one of theirs (``other_entity``).
RECORD_TYPE = FieldSpec("record_type", "text", ("тип", "type", "тип записи", "record type"))
_ENTITY_NAMES = {"контакт": "contact", "contact": "contact", "компания": "company", "company": "company"}
_ENTITY_PLURALS = {"contact": "contacts", "company": "companies"}


@dataclass
class RowProblem:
    """Why one field of one row cannot be imported; or, as a note, what of a row that is imported is left out."""

    field: str
    message: str
    type: str = "invalid_value"
    note: bool = False  # the row is imported: this says what of it is not
    value: str | None = None  # the cell's part as typed, where the note is about it (a phone's extension)


@dataclass(frozen=True)
class Choices:
    """What the importer chose beside the columns, kept with the import: a deals import's pipeline (for rows naming
    none) and the stage each stage value of the file becomes (by its folded text; None: left unmapped)."""

    pipeline_id: str | None = None
    stages: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The JSON stored on the job."""
        return {"pipeline_id": self.pipeline_id, "stages": dict(self.stages)}

    @classmethod
    def of(cls, stored: dict[str, object] | None) -> Choices:
        """The choices a job stored (none for an import from before them)."""
        stored = dict(stored or {})
        stages = stored.get("stages")
        return cls(pipeline_id=str(stored["pipeline_id"]) if stored.get("pipeline_id") else None,
                   stages=dict(stages) if isinstance(stages, dict) else {})


@dataclass(frozen=True)
class Reading:
    """What reading a row needs besides the row: its fields, the tenant's custom fields and region, and the
    importer's choices."""

    specs: dict[str, FieldSpec]
    custom: dict[str, FieldDefinition]
    country: Callable[[], str]
    currency: str = "USD"
    choices: Choices = field(default_factory=Choices)


def fold_header(text: str) -> str:
    """A header as compared: accents and case folded (so yo reads as ye), punctuation as single spaces."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _PUNCTUATION.sub(" ", bare.casefold()).strip()


def _synonyms(specs: dict[str, FieldSpec], custom: dict[str, FieldDefinition]) -> dict[str, str]:
    table: dict[str, str] = {}
    for spec in specs.values():
        for header in (spec.name, *spec.headers):
            table.setdefault(fold_header(header), spec.name)
    for key, definition in custom.items():
        for header in (key, definition.label, CUSTOM + key):
            table.setdefault(fold_header(header), CUSTOM + key)
    return table


def _field_of(table: dict[str, str], specs: dict[str, FieldSpec], header: str) -> str | None:
    """The field a header names: by its synonyms, or a numbered field's with a number after it ("Примечание 2")."""
    folded = fold_header(header)
    found = table.get(folded)
    numbered = _NUMBERED.match(folded) if found is None else None
    if numbered is not None:
        found = table.get(numbered.group(1).strip())
        spec = specs.get(found or "")
        found = found if spec is not None and spec.numbered else None
    return found


def recogniser(specs: dict[str, FieldSpec], custom: dict[str, FieldDefinition]) -> Callable[[str], bool]:
    """A test of whether a header names a known field (used to find the header row)."""
    table = _synonyms(specs, custom)
    return lambda header: _field_of(table, specs, header) is not None


def auto_map(headers: list[str], reading: Reading, *, alone: bool = True) -> dict[str, str | None]:
    """Each column's field by its header; a field that takes one column gets the first that names it (with ``alone``,
    a column's field as the file's other columns make it: ``FieldSpec.alone_as``)."""
    table = _synonyms(reading.specs, reading.custom)
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        target = _field_of(table, reading.specs, header)
        spec = reading.specs.get(target or "")
        if target is None or (target in taken and not (spec and spec.repeatable)):
            mapping[header] = None
            continue
        mapping[header] = target
        taken.add(target)
    return _alone(mapping, reading.specs) if alone else mapping


def _alone(mapping: dict[str, str | None], specs: dict[str, FieldSpec]) -> dict[str, str | None]:
    """Each column whose heading means another field when the file has none of its partners (``alone_as``): shown
    so in the preview, where the importer may choose otherwise."""
    for header, target in mapping.items():
        spec = specs.get(target or "")
        mapped = set(mapping.values())
        if (spec and spec.alone_as and fold_header(header) in {fold_header(h) for h in spec.alone_headers}
                and spec.alone_as not in mapped and not mapped & set(spec.alone_unless)):
            mapping[header] = spec.alone_as
    return mapping


def check_mapping(mapping: dict[str, str | None], headers: list[str], reading: Reading) -> dict[str, str | None]:
    """A caller's mapping, complete for every column; 422 naming each unknown column or field."""
    problems = []
    for column, target in mapping.items():
        if column not in headers:
            problems.append({"loc": ["mapping", column], "msg": "No such column in the file", "type": "unknown_column"})
        elif (target and target != SKIP and target not in reading.specs
              and target.removeprefix(CUSTOM) not in reading.custom):
            problems.append({"loc": ["mapping", column], "msg": "No such field", "type": "unknown_field"})
    targets = [t for t in mapping.values() if t and t != SKIP]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        spec = reading.specs.get(target)
        if spec is None or not spec.repeatable:
            problems.append({"loc": ["mapping"], "msg": f"{target} is mapped from more than one column",
                             "type": "mapped_twice"})
    if problems:
        raise errors.ValidationError(details=problems)
    return {header: mapping.get(header) for header in headers}


# -- reading cells --------------------------------------------------------------------------


def parse_date(cell: str, country: str) -> str:
    """An ISO date from ISO, dd.mm.yyyy, or a slashed date in the tenant's order (US: month first)."""
    cell = cell.strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", cell):
            return date.fromisoformat(cell[:10]).isoformat()
        found = _DOTTED_DATE.match(cell)
        if found:
            first, second, year = (int(part) for part in found.groups())
            month_first = "/" in cell and country == "US"
            day, month = (second, first) if month_first else (first, second)
            return date(year, month, day).isoformat()
    except ValueError as exc:
        raise value_types.InvalidValue("Not a real date") from exc
    raise value_types.InvalidValue("Not a date (use YYYY-MM-DD or DD.MM.YYYY)", "type_error")


def _phone_parts(cell: str) -> list[str]:
    """The numbers of a phones cell, each with the extension typed after it, even beyond a comma."""
    parts: list[str] = []
    for part in (part.strip() for part in _SPLIT_PHONES.split(cell)):
        if parts and _EXTENSION_ONLY.match(part):
            parts[-1] = f"{parts[-1]} {part}"
        elif part:
            parts.append(part)
    return parts


def extension(typed: str, country: str) -> str | None:
    """The extension typed with a phone number ("доб. 12", "ext. 12", "x12"), as phonenumbers reads it, or None."""
    import phonenumbers  # on first use, as core.phones does

    try:
        return phonenumbers.parse(typed, country).extension or None
    except phonenumbers.NumberParseException:
        return None


def _remark(part: str) -> tuple[str, str | None]:
    """A phone as typed without the remark after it ("(моб)", "рабочий", "(Иван)"), and that remark (an extension in
    brackets is no remark: phonenumbers reads it)."""
    found = _PHONE_REMARK.search(part)
    if found is None or _EXTENSION_ONLY.match(found.group(0).strip()):
        return part, None
    return part[:found.start()], (found.group(1) or found.group(2)).strip()


def column_kind(header: str) -> str | None:
    """The kind of phone a column's name gives its numbers ("Рабочий телефон": work, "Номер факса": fax), or None."""
    kinds = _column_kinds()
    return next((kinds[word] for word in fold_header(header).split() if word in kinds), None)


@functools.cache
def _column_kinds() -> dict[str, str]:
    """The kind words as a header is compared (folded: "рабочий" reads as "рабочии")."""
    return {fold_header(word): kind for word, kind in _COLUMN_KINDS.items()}


def _read_phones(spec: FieldSpec, cell: str, reading: Reading, notes: list[RowProblem],
                 kinds: dict[str, str], header: str = "") -> list[str]:
    """A cell's phones in E.164. A phone of the CRM has no extension and no remark: the number is kept (so a call
    from it finds the record) and the row's note says which extension or remark was not, with the number as typed; a
    remark naming the kind of phone ("моб", "рабочий", "home") gives it its kind instead, else the column's name
    does. A part that is no phone number is left out, and the row's note says which (the row is imported with its
    other values)."""
    numbers = []
    by_column = column_kind(header)
    for part in _phone_parts(cell):
        typed, remark = _remark(part)
        readable = _EXTENSION_WORDS.sub("доб. ", typed)
        try:
            numbers.append(value_types.phone(readable, country=reading.country))
        except value_types.InvalidValue as exc:  # a typo, a drama number: the row is kept without it
            notes.append(RowProblem(field=spec.name, message=f"{exc.message}: not kept", type="phone_dropped",
                                    note=True, value=part))
            continue
        kind = _PHONE_KINDS.get(remark.casefold().rstrip(". ")) if remark else None
        if kind or by_column:
            kinds.setdefault(numbers[-1], kind or str(by_column))
        if remark and not kind:
            notes.append(RowProblem(field=spec.name, message=f"The remark “{remark}” is not kept: a phone in the CRM "
                                    "has none", type="phone_remark", note=True, value=part))
        ext = extension(readable, reading.country())
        if ext:
            notes.append(RowProblem(field=spec.name, message=f"The extension {ext} is not kept: a phone in the CRM "
                                    "has none", type="phone_extension", note=True, value=part))
    return numbers


def _read_cell(spec: FieldSpec, cell: str, reading: Reading, notes: list[RowProblem], kinds: dict[str, str],
               header: str = "") -> Any:
    if spec.kind == "phone":
        return _read_phones(spec, cell, reading, notes, kinds, header)
    if spec.kind == "email":
        return [value_types.email(part) for part in _SPLIT_EMAILS.split(cell) if part.strip()]
    if spec.kind == "list":
        return [part.strip() for part in _SPLIT_LIST.split(cell) if part.strip()]
    if spec.kind == "date":
        return parse_date(cell, reading.country())
    if spec.kind == "note":
        return [cell.strip()] if cell.strip() else []
    if spec.kind == "yes_no":
        return _yes_no(spec, cell, notes)
    if spec.kind == "telegram":
        return _telegram(spec, cell, notes)
    if spec.kind == "country":
        code = country_code(cell)
        if code is None:
            notes.append(RowProblem(field=spec.name, message=f"“{cell.strip()}” is no country: not kept",
                                    type="country_dropped", note=True, value=cell.strip()))
        return code
    return cell


_TELEGRAM = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me/|telegram\.me/)?@?([A-Za-z][A-Za-z0-9_]{3,31})/?$")


def _telegram(spec: FieldSpec, cell: str, notes: list[RowProblem]) -> str | None:
    """A Telegram username as a file writes it ("@elena_k", "elena_k", "https://t.me/elena_k"); anything else is
    named in the row's note and not kept (the row is imported with its other values)."""
    found = _TELEGRAM.match(cell.strip())
    if found is None:
        notes.append(RowProblem(field=spec.name, message=f"“{cell.strip()}” is no Telegram username: not kept",
                                type="telegram_dropped", note=True, value=cell.strip()))
        return None
    return found.group(1)


YES = frozenset({"subscribed", "opted in", "opt-in", "granted", "согласен", "согласна", "подписан", "подписана"})
NO = frozenset({"unsubscribed", "opted out", "opt-out", "не подписан", "не подписана"})


def _yes_no(spec: FieldSpec, cell: str, notes: list[RowProblem]) -> bool | None:
    """A yes ("yes", "да", "subscribed" ...) or a no; a word the CRM cannot read is neither, and the row's note says
    so (the row is imported: nobody is opted in on a guess)."""
    from chalicelib.records.customfields.values import FALSE_WORDS, TRUE_WORDS

    typed = cell.strip().casefold()
    if typed in TRUE_WORDS or typed in YES:
        return True
    if typed in FALSE_WORDS or typed in NO:
        return False
    notes.append(RowProblem(field=spec.name, message=f"“{cell.strip()}” is neither a yes nor a no: not kept",
                            type="not_yes_or_no", note=True, value=cell.strip()))
    return None


def _merge(values: dict[str, Any], spec: FieldSpec, value: Any) -> None:
    if spec.kind == "note":  # two notes of the same words are two notes
        values.setdefault(spec.name, []).extend(value)
    elif isinstance(value, list):
        merged = values.setdefault(spec.name, [])
        for item in value:
            if item not in merged:
                merged.append(item)
    elif spec.name in values:  # a repeatable text field: several columns make one text
        values[spec.name] = f"{values[spec.name]} {value}"
    else:
        values[spec.name] = value


def _read_custom(definition: FieldDefinition, cell: str, reading: Reading) -> Any:
    if definition.field_type == "date":  # as a birthday is read: "12.03.2024", amoCRM's "12.03.2024 10:15:00"
        return parse_date(cell, reading.country())
    return value_types.from_text(definition.field_type, cell, options=list(definition.options or []),
                                 default_currency=reading.currency)


def read_row(row: list[str], headers: list[str], mapping: dict[str, str | None],
             reading: Reading) -> tuple[dict[str, Any], list[RowProblem]]:
    """A row's values by field (custom ones under ``custom``), and the problems of its cells (those marked as a note
    leave the row importable). The cells of columns mapped to no field ("Record ID", "Lead Status" of a HubSpot
    export) are one note on the record, each "Column: value", where the entity takes notes: nothing is lost."""
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    kinds: dict[str, str] = {}
    unmapped: list[str] = []
    for header, cell in zip(headers, row, strict=False):
        target = mapping.get(header)
        if target == SKIP:
            continue
        if not target and cell.strip():
            unmapped.append(f"{header.strip()}: {cell.strip()}")
        if not target or not cell:
            continue
        try:
            if target.startswith(CUSTOM):
                key = target.removeprefix(CUSTOM)
                values.setdefault("custom", {})[key] = _read_custom(reading.custom[key], cell, reading)
            else:
                spec = reading.specs[target]
                _merge(values, spec, _read_cell(spec, cell, reading, problems, kinds, header))
        except value_types.InvalidValue as exc:
            problems.append(RowProblem(field=target, message=exc.message, type=exc.kind))
    if kinds:
        values[PHONE_KINDS] = kinds
    if unmapped and NOTES.name in reading.specs:  # no field holds them: kept as the record's note, as the file says
        values.setdefault(NOTES.name, []).append("\n".join(unmapped))
    return values, problems


def other_entity(values: dict[str, Any], entity: str) -> RowProblem | None:
    """Why a row is not this import's, when its Тип names the other kind ("Компания" in a contacts import: the row is
    not imported, and says to import the file again as that); a Тип naming neither is a note: it is not kept."""
    typed = str(values.get("record_type") or "").strip()
    named = _ENTITY_NAMES.get(fold_header(typed)) if typed else entity
    if named == entity:
        return None
    if named is not None:
        return RowProblem(field="record_type", message=f"A {named}: import this file again as {_ENTITY_PLURALS[named]}",
                          type=f"a_{named}")
    return RowProblem(field="record_type", message=f"The type “{typed}” is not kept: this column says only whether a "
                      "row is a contact or a company", type="record_type_not_kept", note=True, value=typed)


def phones_in(values: dict[str, Any], name: str = "phone") -> list[dict[str, str]]:
    """A row's phones as a create schema takes them: each number, with the kind its remark gave it."""
    kinds = values.get(PHONE_KINDS) or {}
    return [{"number": number, **({"kind": kinds[number]} if number in kinds else {})}
            for number in values.get(name, [])]
