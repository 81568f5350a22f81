"""What can be imported and exported, and how: one target per entity, over that entity's service.

The import and export jobs know nothing of contacts; a target turns a row's values into the
entity's create schema, finds duplicates, creates one record under an id the job chooses, and
reads pages of records for an export, through the entity's own service (never its models).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core import errors, schema
from chalicelib.core.tenancy import TenantContext
from chalicelib.dataio import contact_companies, row_notes
from chalicelib.dataio.contact_companies import CompanyLinks
from chalicelib.dataio.mapping import (
    ADDRESS,
    NOTES,
    OWNER,
    RECORD_TYPE,
    SOURCE,
    TAGS,
    UTM,
    Choices,
    FieldSpec,
    address_of,
    attribution,
    phones_in,
)
from chalicelib.dataio.row_notes import RowNotes
from chalicelib.records.customfields import service as customfields_service


class Target(Protocol):
    """An importable and exportable entity."""

    entity: str
    permission: str  # the permissions entity: "contacts"
    specs: dict[str, FieldSpec]
    ignored: frozenset[str]  # recognised, shown in the preview, not imported yet

    def build(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str, import_id: str,
              choices: Choices | None = None) -> Any:
        """The validated create payload of a row (422 with per-field details otherwise)."""

    def notes(self, data: Any) -> list[dict[str, str]]:
        """What of a valid row is not imported, and why ({field, message, type}): the row's problems."""

    def match_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """The (match, value) pairs that make two rows of one file the same record."""

    def find_duplicates(self, ctx: TenantContext, data: Any) -> list[tuple[str, str]]:
        """(match, existing record id) for records the row duplicates."""

    def create(self, ctx: TenantContext, data: Any, *, record_id: str) -> None:
        """Create one record under record_id, in one transaction; 409 if the id or a unique key is taken."""

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        """True when a record with this id exists."""

    def check_filters(self, filters: dict[str, str]) -> None:
        """422 for export filters the entity's list does not understand."""

    def export_page(self, ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
                    limit: int, reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
        """One page of flat rows the caller may see, and the cursor of the next."""


# -- contacts -------------------------------------------------------------------------------

CONTACT_SPECS = {spec.name: spec for spec in (
    FieldSpec("first_name", "text", ("first name", "firstname", "given name", "person first name", "имя"),
              alone_headers=("имя",), alone_as="full_name", alone_unless=("last_name", "fio", "full_name")),
    FieldSpec("middle_name", "text", ("middle name", "patronymic", "отчество")),
    FieldSpec("last_name", "text", ("last name", "lastname", "surname", "family name", "person last name",
                                    "фамилия")),
    FieldSpec("full_name", "text", ("name", "full name", "contact", "contact name", "contact person", "полное имя",
                                    "имя и фамилия", "контакт", "контактное лицо", "наименование",
                                    "полное имя контакта", "person name")),  # Pipedrive's "Person - Name"
    FieldSpec("fio", "text", ("фио", "\u0444.\u0438.\u043e.", "фамилия имя отчество", "фамилия имя")),
    FieldSpec("phone", "phone", ("phone", "phones", "phone number", "telephone", "tel", "mobile", "mobile phone",
                                 "cell", "cell phone", "work phone", "home phone", "телефон", "телефоны", "тел",
                                 "мобильный", "мобильный телефон", "сотовый", "рабочий телефон", "домашний телефон",
                                 "номер телефона", "other phone", "direct phone", "рабочий прямой телефон",
                                 "другой телефон", "телефон для рассылок", "номер факса",  # Bitrix24's
                                 "person phone", "person phone work", "person phone mobile",
                                 "person phone home", "person phone other", "phone work", "phone mobile", "phone home",
                                 "phone other",  # Pipedrive's "Person - Phone - Work" ...
                                 "mobile phone number"), repeatable=True),  # HubSpot's, beside its "Phone Number"
    FieldSpec("email", "email", ("email", "e-mail", "emails", "email address", "e-mail address", "mail", "почта",
                                 "эл. почта", "электронная почта", "адрес электронной почты", "емейл", "имейл",
                                 "work email", "personal email", "other email", "рабочий email", "личный email",
                                 "другой email",  # amoCRM's three e-mail columns
                                 "рабочий e-mail", "частный e-mail", "e-mail для рассылок",
                                 "другой e-mail",  # Bitrix24's four
                                 "person email", "person email work", "person email home", "person email other",
                                 "email work", "email home", "email other"),  # Pipedrive's "Person - Email - Work" ...
              repeatable=True),
    TAGS,
    FieldSpec("birthday", "date", ("birthday", "birth date", "date of birth", "dob", "день рождения",
                                   "дата рождения")),
    FieldSpec("job_title", "text", ("job title", "title", "position", "job", "должность", "позиция",
                                    "person job title")),  # Salesforce's and vCard's "Title", amoCRM's "Должность"
    # the messengers our export writes ("Telegram", "WhatsApp"), and a school's amoCRM field of parents' usernames
    FieldSpec("telegram", "telegram", ("telegram", "telegram username", "телеграм", "телеграмм", "ник в telegram",
                                       "ник в телеграм", "ник в телеграме", "tg",
                                       "контакт telegram")),  # Bitrix24's
    FieldSpec("whatsapp", "phone", ("whatsapp", "ватсап", "вотсап", "номер whatsapp", "whatsapp number")),
    FieldSpec("passport_number", "text", ("passport", "passport number", "паспорт", "номер паспорта",
                                          "серия и номер паспорта"), sensitive=True),
    FieldSpec("tax_id", "text", ("tax id", "inn", "vat", "vat number", "инн"), sensitive=True),
    FieldSpec("iban", "text", ("iban", "bank account", "расчетный счет"), sensitive=True),
    FieldSpec("company", "text", ("company", "company name", "organization", "organisation", "account",
                                  "компания", "организация", "название компании", "фирма", "компания контакта",
                                  "person organization", "organization name",  # Pipedrive's "Person - Organization"
                                  "associated company")),  # HubSpot's
    # a list's e-mail opt-in (our export's "Marketing consent", Mailchimp's and HubSpot's subscription columns):
    # the contact's consent to e-mails from the import, which campaigns honour
    FieldSpec("marketing_consent", "yes_no", ("marketing consent", "email consent", "email marketing consent",
                                            "newsletter", "subscribed", "email subscription", "opted in",
                                            "согласие на рассылки", "согласие на рассылку", "подписка на рассылку")),
    *ADDRESS,
    OWNER,
    NOTES,
    SOURCE,
    *UTM,
    RECORD_TYPE,
)}
_LOC_FIELDS = {"phones": "phone", "emails": "email"}


def contact_names(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """First and last name from the name columns the file has (ФИО is last, first, middle); a full name is split as
    a website form's name box is (``records.naming.split_name``: "Иван Петров", "Петров Иван Сергеевич")."""
    from chalicelib.records.naming import split_name

    first, last = values.get("first_name"), values.get("last_name")
    if not first and not last and values.get("fio"):
        parts = str(values["fio"]).split()
        last, first = parts[0], " ".join(parts[1:]) or None
    elif not first and not last and values.get("full_name"):
        first, last = split_name(str(values["full_name"]))
    if values.get("middle_name"):  # Russian records keep the patronymic with the first name
        first = f"{first} {values['middle_name']}" if first else values["middle_name"]
    return first, last


def _consent(said: bool | None) -> dict[str, Any] | None:
    """A consent column's yes or no as the contact's e-mail consent from the import (campaigns honour it)."""
    from chalicelib.core import db

    return None if said is None else {"marketing": said, "source": "import", "at": db.utcnow().isoformat()}


def _messengers(values: dict[str, Any]) -> dict[str, str] | None:
    """The row's Telegram username and WhatsApp number (its first), as the contact's messengers."""
    found = {"telegram_username": values.get("telegram"), "whatsapp": next(iter(values.get("whatsapp") or []), None)}
    return {name: value for name, value in found.items() if value} or None


def field_of(loc: list[Any]) -> str:
    """The import field a validation error's location names."""
    if not loc:
        return "*"
    if loc[0] == "custom" and len(loc) > 1:
        return f"custom.{loc[1]}"
    return _LOC_FIELDS.get(str(loc[0]), str(loc[0]))


@dataclass
class ContactRow:
    """A contact row ready to create: the contact, the companies its Company column names, and its notes."""

    contact: Any  # ContactCreate
    companies: CompanyLinks
    import_id: str
    timeline_notes: RowNotes


class ContactTarget:
    """Contacts, through ``contacts.service`` (its create schema, duplicate check and create); the Company column
    links each to its companies (``contact_companies``)."""

    entity = "contact"
    permission = "contacts"
    specs = CONTACT_SPECS
    ignored = frozenset[str]()

    def build(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str, import_id: str,
              choices: Choices | None = None) -> ContactRow:
        """The row's ContactCreate (custom values checked the way the contact's own create will) and its companies,
        resolved: nothing is made until the row is imported."""
        return ContactRow(self._contact(ctx, values, record_id=record_id),
                          contact_companies.resolve(ctx, values.get("company"), import_id=import_id), import_id,
                          row_notes.read(ctx, values))

    def notes(self, data: ContactRow) -> list[dict[str, str]]:
        """The companies the row names that are not linked, and notes the role may not write: why."""
        return [*data.companies.notes, *data.timeline_notes.problems]

    def _contact(self, ctx: TenantContext, values: dict[str, Any], *, record_id: str) -> Any:
        from chalicelib.contacts import schemas as contact_schemas

        first, last = contact_names(values)
        payload = {
            "first_name": first, "last_name": last,
            "phones": phones_in(values),
            "emails": [{"address": address} for address in values.get("email", [])],
            "tags": values.get("tags"), "birthday": values.get("birthday"), "job_title": values.get("job_title"),
            "custom": values.get("custom"), "consent": _consent(values.get("marketing_consent")),
            "owner_id": values.get("owner_id"), "messengers": _messengers(values), **attribution(values),
            "shipping_address": address_of(values),
            **{name: values.get(name) for name in ("passport_number", "tax_id", "iban")},
        }
        payload = {name: value for name, value in payload.items() if value}
        if not (first or last or payload.get("phones") or payload.get("emails")):
            raise errors.ValidationError(details=[{"loc": ["*"], "msg": "A contact needs a name, a phone or an e-mail",
                                                   "type": "empty_contact"}])
        data = schema.validate(contact_schemas.ContactCreate, payload)
        custom: dict[str, Any] = values.get("custom") or {}
        if custom:
            customfields_service.clean(ctx, entity="contact", record_id=record_id, values=custom)
        return data

    def match_keys(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """Phones and e-mails: two rows sharing one are one contact."""
        return [("phone", phone) for phone in values.get("phone", [])] + [
            ("email", email) for email in values.get("email", [])]

    def find_duplicates(self, ctx: TenantContext, data: ContactRow) -> list[tuple[str, str]]:
        """Existing contacts with the row's phone or e-mail."""
        from chalicelib.contacts import service as contacts_service

        return list(contacts_service.find_duplicates(ctx, data.contact))

    def create(self, ctx: TenantContext, data: ContactRow, *, record_id: str) -> None:
        """The row's new companies (each once per import), then one contact linked to its companies, with its
        lookups, audit record, timeline entry and notes, in one transaction."""
        from chalicelib.contacts import service as contacts_service
        from chalicelib.contacts.schemas import MAX_COMPANIES

        company_ids = contact_companies.make(ctx, data.companies, import_id=data.import_id)
        if len(company_ids) > MAX_COMPANIES:
            data.companies.notes.append({"field": "company", "message": f"A contact has at most {MAX_COMPANIES} "
                                         "companies: the rest are not linked", "type": "too_many_companies"})
        contact = data.contact.model_copy(update={"company_ids": company_ids[:MAX_COMPANIES]})
        contacts_service.create(ctx, data=contact, source="import", contact_id=record_id, change=row_notes.change(
            ctx, data.timeline_notes, subject_type="contact", subject_id=record_id))

    def exists(self, ctx: TenantContext, record_id: str) -> bool:
        """True when the contact exists (a retried row finds the one it created)."""
        from chalicelib.contacts import service as contacts_service

        return contacts_service.get(ctx, record_id) is not None

    def check_filters(self, filters: dict[str, str]) -> None:
        """422 for filters GET /api/v1/contacts does not take."""
        from chalicelib.dataio import contact_export

        contact_export.check_filters(filters)

    def export_page(self, ctx: TenantContext, *, scope: str, filters: dict[str, str], cursor: str | None,
                    limit: int, reveal: bool) -> tuple[list[dict[str, Any]], str | None]:
        """One page of contacts as flat rows (see ``contact_export.contact_row``)."""
        from chalicelib.dataio import contact_export

        return contact_export.page(ctx, scope=scope, filters=filters, cursor=cursor, limit=limit, reveal=reveal)


def _targets() -> dict[str, Target]:
    from chalicelib.dataio.company_target import CompanyTarget
    from chalicelib.dataio.deal_target import DealTarget
    from chalicelib.dataio.record_target import RecordTarget, importable
    from chalicelib.records import types

    own: dict[str, Target] = {"contact": ContactTarget(), "company": CompanyTarget(), "deal": DealTarget()}
    return {**{t.name: RecordTarget(t) for t in types.all_types() if importable(t)}, **own}


TARGETS: dict[str, Target] = _targets()


def target(entity: str) -> Target:
    """The target of an entity (422 when it cannot be imported or exported)."""
    found = TARGETS.get(entity)
    if found is None:
        raise errors.ValidationError(details=[{"loc": ["entity"], "msg": "Cannot be imported", "type": "unknown"}])
    return found
