"""From form fields to a lead: built-in names in English and Russian, the integration's own map, UTM tags.

Field names are compared folded (case, spaces, dashes and dots ignored, "yo" as "ye"), so "Your Phone",
"your-phone" and "your_phone" are one name. The integration's ``field_map`` wins over the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
REFERRER_FIELDS = ("referrer", "referer", "crm_referrer", "http_referer")
PAGE_FIELDS = ("page_url", "crm_page", "page", "url")
# Fields form builders add that say nothing about the lead (Tilda's ids, CSRF tokens, captchas).
SERVICE_FIELDS = ("tranid", "formid", "formname", "form_name", "cookies", "csrf", "csrf_token", "token",
                  "g_recaptcha_response", "cf_turnstile_response", "h_captcha_response", "submit", "crm_form")
DEFAULTS: dict[str, str] = {}
for _target, _names in {
    "name": ("name", "fio", "full_name", "fullname", "your_name", "client_name", "contact_name", "имя", "фио",
             "ваше_имя", "как_вас_зовут", "имя_клиента"),
    "first_name": ("first_name", "firstname", "fname", "given_name", "имя_отчество"),
    "last_name": ("last_name", "lastname", "lname", "surname", "family_name", "фамилия"),
    "phone": ("phone", "tel", "telephone", "phone_number", "phonenumber", "mobile", "your_phone", "телефон",
              "тел", "номер_телефона", "ваш_телефон", "мобильный", "номер"),
    "email": ("email", "e_mail", "mail", "your_email", "email_address", "почта", "электронная_почта", "ваш_email",
              "емейл", "эл_почта"),
    "message": ("message", "comment", "comments", "text", "question", "msg", "your_message", "сообщение",
                "комментарий", "вопрос", "текст", "ваше_сообщение", "ваш_вопрос"),
    # The visitor's Telegram (a school's parents leave their @username to be written to there): the contact's.
    "telegram": ("telegram", "telegram_username", "telegram_nick", "tg", "телеграм", "телеграмм", "ник_в_телеграм",
                 "ник_в_telegram", "ваш_телеграм"),
    "company": ("company", "company_name", "organization", "organisation", "компания", "организация",
                "название_компании"),
    # Where the visitor is (a plumber's job site, a delivery): a new contact's shipping address.
    "address": ("address", "street_address", "street", "your_address", "service_address", "address_line_1",
                "адрес", "ваш_адрес", "адрес_доставки", "улица"),
    "city": ("city", "town", "город", "населенный_пункт"),
    "region": ("state", "region", "province", "регион", "область"),
    "postal_code": ("zip", "zip_code", "zipcode", "postal_code", "postcode", "post_code", "индекс",
                    "почтовый_индекс"),
    # The contact's sensitive built-ins: stored sealed on a new contact, shown masked everywhere else.
    "passport_number": ("passport", "passport_number", "passport_no", "паспорт", "номер_паспорта",
                        "серия_и_номер_паспорта", "паспортные_данные"),
    "tax_id": ("tax_id", "taxid", "tin", "inn", "vat_id", "vat_number", "инн"),
    "iban": ("iban", "bank_account_iban"),
    # A ticked box agreeing to hear from the business (never a privacy-policy "agree": that is no marketing opt-in).
    "consent_email": ("newsletter", "subscribe", "subscribe_newsletter", "marketing", "marketing_consent",
                      "email_consent", "email_marketing", "email_opt_in", "opt_in", "optin", "рассылка", "подписка",
                      "подписаться", "подписка_на_рассылку", "согласие_на_рассылку"),
    "consent_sms": ("sms_consent", "sms_marketing", "sms_opt_in", "согласие_на_смс", "согласие_на_sms"),
    "consent_whatsapp": ("whatsapp_consent", "whatsapp_opt_in", "согласие_на_whatsapp"),
}.items():
    DEFAULTS.update(dict.fromkeys(_names, _target))


def fold(name: str) -> str:
    """A field name as compared: lower case, "yo" as "ye", runs of spaces, dashes and dots as one underscore."""
    return re.sub(r"[\s\-.]+", "_", name.strip().casefold().replace("\u0451", "\u0435")).strip("_")


@dataclass
class Lead:
    """What a submission says about the person and where they came from."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    message: str | None = None
    company: str | None = None
    telegram: str | None = None  # the @username the visitor typed, as typed
    address: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    utm: dict[str, str] = field(default_factory=dict)
    referrer: str | None = None
    page: str | None = None
    other: dict[str, str] = field(default_factory=dict)
    honeypot: bool = False
    sensitive: dict[str, str] = field(default_factory=dict)  # passport_number, tax_id, iban: the first of each
    consent: list[str] = field(default_factory=list)  # channels a ticked box agreed to: email, sms, whatsapp
    masked: list[str] = field(default_factory=list)  # the posted names of sensitive values: shown only masked

    @property
    def display_name(self) -> str:
        """The person's name as typed, or their contact details."""
        full = " ".join(part for part in (self.first_name or self.name, self.last_name) if part)
        return full or self.email or self.phone or "Unknown"


# A person's name, phone, e-mail or company is one line: a form's line breaks and control characters become
# spaces here (the lead matters more than a stray Enter), where the API refuses them (422).
ADDRESS_TARGETS = ("address", "city", "region", "postal_code")
ONE_LINE_TARGETS = frozenset({"first_name", "last_name", "name", "phone", "email", "company", "telegram",
                              *ADDRESS_TARGETS})
SENSITIVE_TARGETS = ("passport_number", "tax_id", "iban")
CONSENT_TARGETS = ("consent_email", "consent_sms", "consent_whatsapp")
# What a ticked checkbox posts: its value attribute, "on" by default; an unticked box posts nothing at all.
TICKED = frozenset({"on", "yes", "y", "true", "1", "checked", "agree", "agreed", "да", "согласен", "согласна"})
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """A value with its control characters and line breaks as single spaces."""
    return " ".join(_NOT_ONE_LINE.sub(" ", value).split())


def _place(lead: Lead, name: str, target: str, value: str) -> None:
    if target in ONE_LINE_TARGETS:
        value = one_line(value)
    if target in SENSITIVE_TARGETS:
        lead.masked.append(name)  # never in other: its value is shown nowhere in clear
        lead.sensitive.setdefault(target, value)
    elif target.startswith("custom."):
        lead.custom[target[len("custom."):]] = value
    elif target == "ignore":
        return
    elif target in CONSENT_TARGETS:  # kept as sent on the lead's history; a ticked box is the channel's consent
        lead.other[name] = value
        channel = target.removeprefix("consent_")
        if fold(value) in TICKED and channel not in lead.consent:
            lead.consent.append(channel)
    elif target == "message" and lead.message:
        lead.message = f"{lead.message}\n{value}"
    elif target in (*ADDRESS_TARGETS, "telegram"):  # a new contact's, and the lead's history as the visitor typed it
        if getattr(lead, target) is None:
            setattr(lead, target, value)
        lead.other[name] = value
    elif getattr(lead, target) is None:
        setattr(lead, target, value)
    else:
        lead.other[name] = value  # a second phone or e-mail is kept, not lost


_TELEGRAM = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me/|telegram\.me/)?@?([A-Za-z][A-Za-z0-9_]{3,31})/?$")


def telegram_username(value: str | None) -> str | None:
    """The Telegram username a visitor typed ("@elena_k", "elena_k", "t.me/elena_k"), else None (a phone number
    typed in the box, a name: the lead's history keeps it as typed)."""
    found = _TELEGRAM.match((value or "").strip())
    return found.group(1) if found else None


def _special(lead: Lead, folded: str, value: str) -> bool:
    if folded in UTM_FIELDS:
        lead.utm[folded[len("utm_"):]] = value
    elif folded in REFERRER_FIELDS:
        lead.referrer = lead.referrer or value
    elif folded in PAGE_FIELDS:
        lead.page = lead.page or value
    elif folded not in SERVICE_FIELDS:
        return False
    return True


def read_lead(fields: dict[str, str], *, field_map: dict[str, str], honeypot_field: str) -> Lead:
    """The lead in a submission's fields (empty values are skipped)."""
    lead = Lead()
    honeypot = fold(honeypot_field)
    own = {fold(key): target for key, target in field_map.items()}
    for name, raw in fields.items():
        value, folded = raw.strip(), fold(name)
        if folded == honeypot:
            lead.honeypot = lead.honeypot or bool(value)
            continue
        target = own.get(folded)  # the business's own map wins over everything built in
        if not value or (target is None and _special(lead, folded, value)):
            continue
        target = target or DEFAULTS.get(folded)
        if target is None:
            lead.other[name] = value
        else:
            _place(lead, name, target, value)
    return lead


def sensitive_names(fields: dict[str, str], *, field_map: dict[str, str], sensitive_custom: frozenset[str]) -> set[str]:
    """The posted names whose values are sensitive: mapped (or named by default) to a sensitive built-in, or
    mapped to a custom field marked sensitive."""
    own = {fold(key): target for key, target in field_map.items()}
    found = set()
    for name in fields:
        target = own.get(fold(name)) or DEFAULTS.get(fold(name), "")
        if target in SENSITIVE_TARGETS or (target.startswith("custom.") and target[7:] in sensitive_custom):
            found.add(name)
    return found
