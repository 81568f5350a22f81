"""What an exported file's columns are called and in what order, and how a value reads in one cell.

An export is read by people and imported again, so every field is one column headed as the import recognises it,
in the company's language (the contact's "Phone", "Телефон"; a custom field by its label), whatever the records
hold: nested values (an address, UTM tags, a custom amount) are one readable cell or a fixed set of columns, never
a column beside its own dotted parts. Rows are built under field keys (``owner_id``, ``utm.source``,
``custom.vip``) so field rules still drop what a role may not read (``fieldaccess.views.export_rows``); the
headings are put on when the file is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.dataio.mapping import fold_header
from chalicelib.records.customfields import service as customfields_service
from chalicelib.records.customfields.models import FieldDefinition
from chalicelib.records.money import CURRENCIES

CUSTOM = "custom."
SENSITIVE = ("passport_number", "tax_id", "iban")  # columns only of an export that asked for sensitive values
# key: (English, Russian). Each heading of a field an import reads is one of that import's header names.
HEADINGS: dict[str, tuple[str, str]] = {
    "id": ("ID", "ID"),
    "first_name": ("First name", "Имя"), "last_name": ("Last name", "Фамилия"),
    "phones": ("Phone", "Телефон"), "emails": ("Email", "Эл. почта"),
    "company_ids": ("Company", "Компания"), "tags": ("Tags", "Теги"), "birthday": ("Birthday", "Дата рождения"),
    "job_title": ("Job title", "Должность"),
    "owner_id": ("Owner", "Ответственный"),
    "messengers.whatsapp": ("WhatsApp", "WhatsApp"), "messengers.telegram": ("Telegram", "Telegram"),
    "billing_address": ("Billing address", "Адрес для счетов"),
    "shipping_address": ("Shipping address", "Адрес доставки"), "address": ("Address", "Адрес"),
    "source": ("Source", "Источник"),
    **{f"utm.{part}": (f"UTM {part}", f"UTM {part}") for part in ("source", "medium", "campaign", "term", "content")},
    "consent.marketing": ("Marketing consent", "Согласие на рассылки"),  # read back by the import's marketing_consent
    "consent.at": ("Consent given at", "Дата согласия"),
    "passport_number": ("Passport number", "Номер паспорта"), "tax_id": ("Tax ID", "ИНН"), "iban": ("IBAN", "IBAN"),
    "name": ("Name", "Название"), "website": ("Website", "Сайт"), "industry": ("Industry", "Отрасль"),
    "tax_number": ("VAT ID", "ИНН"), "kpp": ("KPP", "КПП"),
    "registration_number": ("Registration number", "ОГРН"),
    "title": ("Title", "Название"), "pipeline": ("Pipeline", "Воронка"), "stage": ("Stage", "Этап"),
    "status": ("Status", "Статус"),
    "amount": ("Amount", "Сумма"), "currency": ("Currency", "Валюта"), "contact_ids": ("Contact", "Контакт"),
    "company_id": ("Company", "Компания"), "expected_close_on": ("Expected close date", "Ожидаемая дата закрытия"),
    "lost_reason": ("Lost reason", "Причина проигрыша"), "closed_at": ("Closed", "Закрыта"),
    "sku": ("SKU", "Артикул"), "price": ("Price", "Цена"), "unit": ("Unit", "Единица измерения"),
    "description": ("Description", "Описание"), "tax_rate": ("Tax rate", "Ставка НДС"),
    "external_id": ("External ID", "Внешний код"), "track_stock": ("Track stock", "Учёт остатков"),
    "components": ("Components", "Состав"), "labour_minor": ("Labour", "Работа"),
    "created_at": ("Created", "Создано"), "updated_at": ("Updated", "Изменено"),
}
ORDER: dict[str, tuple[str, ...]] = {
    "contact": ("id", "first_name", "last_name", "phones", "emails", "company_ids", "job_title", "tags", "birthday",
                "owner_id",
                "messengers.whatsapp", "messengers.telegram", "billing_address", "shipping_address", "source",
                "utm.source", "utm.medium", "utm.campaign", "utm.term", "utm.content", "consent.marketing",
                "consent.at", "passport_number", "tax_id", "iban", "created_at", "updated_at"),
    "company": ("id", "name", "phones", "emails", "website", "industry", "address", "tax_number", "kpp",
                "registration_number", "tags", "owner_id", "created_at", "updated_at"),
    "deal": ("id", "title", "pipeline", "stage", "status", "amount", "currency", "contact_ids", "company_id", "tags",
             "owner_id", "expected_close_on", "lost_reason", "created_at", "updated_at", "closed_at"),
}
OVERRIDES = {"deal": {"status": ("Deal status", "Статус сделки")}}  # not "Status": the deal import's stage
WORDS = {True: ("yes", "да"), False: ("no", "нет")}


# -- cells --------------------------------------------------------------------------------------


def amount_text(minor: int, currency: str) -> str:
    """Minor units as a plain decimal ("1234.50"), which every spreadsheet reads as a number."""
    digits = CURRENCIES.get(currency, 2)
    sign, minor = ("-" if minor < 0 else ""), abs(minor)
    if digits == 0:
        return f"{sign}{minor}"
    return f"{sign}{minor // 10**digits}.{minor % 10**digits:0{digits}d}"


def yes_no(value: bool | None, locale: str) -> str | None:
    """A yes-or-no value as a word the import reads back."""
    return None if value is None else WORDS[bool(value)][locale == "ru"]


def address_text(address: dict[str, Any] | None) -> str | None:
    """An address on one line: "12 Main St, Apt 4, Springfield, IL 62701, US"."""
    if not address:
        return None
    region = " ".join(str(part) for part in (address.get("region"), address.get("postal_code")) if part)
    parts = [address.get("line1"), address.get("line2"), address.get("city"), region, address.get("country")]
    return ", ".join(str(part) for part in parts if part) or None


def plain(value: Any) -> Any:
    """Any value as one cell: a list stays a list (joined "; " when written), a mapping reads "key: value, ..."."""
    if isinstance(value, dict):
        if set(value) == {"minor", "currency"}:
            return f"{amount_text(int(value['minor']), str(value['currency']))} {value['currency']}"
        shown = [f"{key}: {plain(inner)}" for key, inner in value.items() if inner not in (None, "", [])]
        return ", ".join(shown) or None
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def moment(value: Any, zone: Any) -> str | None:
    """A stored time on the company's clock, as spreadsheets read it ("2026-12-06 21:51")."""
    if not value:
        return None
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def custom_text(definition: FieldDefinition | None, value: Any, locale: str) -> Any:
    """A custom value as the import reads it back: an option by its label, an amount as "12.50 EUR", yes/no."""
    if value is None or value == customfields_service.MASK:
        return None
    kind = definition.field_type if definition is not None else None
    labels = {str(o.get("value")): str(o.get("label")) for o in (definition.options or [])} if definition else {}
    if kind == "select":
        return labels.get(str(value), value)
    if kind == "multiselect" and isinstance(value, list):
        return [labels.get(str(item), item) for item in value]
    if kind == "bool" and isinstance(value, bool):
        return yes_no(value, locale)
    return plain(value)


def custom_cells(custom: dict[str, Any] | None, definitions: dict[str, FieldDefinition],
                 locale: str) -> dict[str, Any]:
    """The record's custom values as ``custom.<key>`` cells (a masked value is left out, never exported masked)."""
    return {CUSTOM + key: custom_text(definitions.get(key), value, locale) for key, value in (custom or {}).items()
            if value != customfields_service.MASK}


# -- headings -------------------------------------------------------------------------------


def ordered(order: Iterable[str], keys: list[str], custom_keys: list[str]) -> list[str]:
    """The keys in the entity's order (``name.*`` takes every key under it), then custom fields, then the rest."""
    present = dict.fromkeys(keys)
    result: list[str] = []
    for wanted in order:
        if wanted.endswith(".*"):
            result += sorted(key for key in present if key.startswith(wanted[:-1]) and key not in result)
        elif wanted in present and wanted not in result:
            result.append(wanted)
    result += [CUSTOM + key for key in custom_keys if CUSTOM + key in present and CUSTOM + key not in result]
    return result + [key for key in present if key not in result]


def headings(keys: list[str], *, locale: str, definitions: dict[str, FieldDefinition],
             named: dict[str, tuple[str, str]] | None = None,
             overrides: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """Each column's heading in the company's language (named: a record type's own, where HEADINGS has none;
    overrides: the entity's, before HEADINGS); a custom field by its label, unless another column is called the
    same (then ``custom.<key>``, which the import reads too)."""
    table = {**(named or {}), **HEADINGS, **(overrides or {})}
    ru = locale == "ru"
    own = [table[key][ru] if key in table else key for key in keys if not key.startswith(CUSTOM)]
    taken = {fold_header(text) for text in own}
    result = []
    for key in keys:
        if not key.startswith(CUSTOM):
            result.append(table[key][ru] if key in table else key)
            continue
        definition = definitions.get(key.removeprefix(CUSTOM))
        label = definition.label if definition is not None else key
        result.append(label if fold_header(label) not in taken else key)
        taken.add(fold_header(result[-1]))
    return result
