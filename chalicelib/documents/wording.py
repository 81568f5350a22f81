"""How a document words what it prints: amounts per currency and language, dates, quantities, type names."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.records.money import minor_exponent

# An act (a certificate of services rendered, the Russian "Akt ob okazanii uslug") closes a job done for a client: a
# dental visit, a site launched, a boiler serviced; both sides sign it
DOC_TYPES = ("quote", "invoice", "delivery_note", "act")
# A number's prefix per type: "INV" makes INV-2026-0001; none makes the bare number of the year (a Russian invoice is
# "Счёт на оплату № 12 от 07.12.2026", its number restarting each year). A company changes them in its requisites.
# A German company's are RE (Rechnung), AN (Angebot) and LS (Lieferschein): RE-2026-0001 as German invoices read.
PREFIXES = {"en": {"quote": "QUO", "invoice": "INV", "delivery_note": "DN", "act": "ACT"},
            "ru": {"quote": "", "invoice": "", "delivery_note": "", "act": ""},
            "de": {"quote": "AN", "invoice": "RE", "delivery_note": "LS", "act": "LN"}}
# The languages documents are worded in: the web app's two and German, which only documents speak (a Berlin agency's
# clients read German invoices whatever language its staff reads the CRM in)
LOCALES = ("en", "ru", "de")
# The language a company of a country writes its documents in, offered when it chooses one (``document_locale``)
COUNTRY_LOCALES = {**dict.fromkeys(("DE", "AT", "CH", "LI", "LU"), "de"), **dict.fromkeys(("RU", "BY", "KZ"), "ru")}
# What a line without a tax rate prints in its tax column: not "0%", which is a rate (Russia's 0% VAT on exports is
# not "not subject to VAT")
NO_RATE = {"en": "—", "ru": "Без НДС", "de": "ohne USt."}
TITLES = {
    "en": {"quote": "Quote", "invoice": "Invoice", "delivery_note": "Delivery note",
           "act": "Certificate of services rendered"},
    "ru": {"quote": "Коммерческое предложение", "invoice": "Счёт на оплату", "delivery_note": "Товарная накладная",
           "act": "Акт"},  # "Акт № 3 от 07.12.2026", as accountants title an act of services rendered
    "de": {"quote": "Angebot", "invoice": "Rechnung", "delivery_note": "Lieferschein", "act": "Leistungsnachweis"},
}
# What an act is based on ("Основание"): the invoice it follows, else its deal or order
BASIS = {"en": {"invoice": "{named} dated {day}", "deal": "Deal \u201c{title}\u201d", "order": "Order of {day}"},
         "ru": {"invoice": "{named} от {day}", "deal": "Сделка «{title}»", "order": "Заказ от {day}"},
         "de": {"invoice": "{named} vom {day}", "deal": "Auftrag \u201e{title}\u201c", "order": "Bestellung vom {day}"}}
# ... an order with its number ("Заказ № 154 от 07.12.2026"; one made before orders had numbers, by its date alone)
NUMBERED_ORDER = {"en": "Order No. {number} of {day}", "ru": "Заказ № {number} от {day}",
                  "de": "Bestellung Nr. {number} vom {day}"}
# German months: a German document is dated "7. Dezember 2026"
MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "RUB": "₽", "UAH": "₴", "KZT": "₸", "JPY": "¥", "CNY": "¥",
           "INR": "₹", "TRY": "₺", "ILS": "₪", "KRW": "₩", "GEL": "₾", "AMD": "֏", "BYN": "Br", "PLN": "zł"}
PREFIXED = frozenset({"USD", "GBP", "JPY", "CNY", "INR", "ILS", "KRW"})  # written before the number in English
# Currencies whose minor unit no shop writes to a customer (Kazakhstan's tiyn): a message says a whole amount without
# it ("8 900 ₸", as the web app shows it); documents print it, as accountants do
WHOLE_UNITS = frozenset({"KZT"})
NBSP = "\u00a0"  # an amount is never broken across lines


# A German seller's invoice says the reverse charge in German: section 14a (5) UStG names these words, and the client's
# and the seller's tax auditors look for them. A German document prints them alone; an English or Russian one of a
# German seller prints them beside its own words, for the client abroad and the auditor at home.
REVERSE_CHARGE_DE = "Steuerschuldnerschaft des Leistungsempfängers"
# Why an invoice charges no VAT, in the law's words (Art. 226(11) and (11a) of the VAT Directive): the reverse charge
# of Art. 196 (an EU business client in another member state accounts for the VAT), or an exemption and its ground
REVERSE_CHARGE = {"en": "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)",
                  "ru": "Обратное начисление: НДС уплачивает покупатель (статья 196 Директивы 2006/112/ЕС)",  # noqa: RUF001
                  "de": REVERSE_CHARGE_DE}
EXEMPT = {"en": "VAT exempt: {reason}", "ru": "Освобождено от НДС: {reason}", "de": "Umsatzsteuerfrei: {reason}"}


def vat_note(treatment: str, locale: str, country: str | None, reason: str | None = None) -> str:
    """What an invoice says of a VAT treatment other than the standard one (empty for the standard one)."""
    found = locale_of(locale)
    if treatment == "reverse_charge":
        text = REVERSE_CHARGE[found]
        return f"{text} / {REVERSE_CHARGE_DE}" if country == "DE" and found != "de" else text
    if treatment == "exempt":
        return EXEMPT[found].format(reason=reason or "")
    return ""


def basis(kind: str, locale: str, *, named: str = "", day: str = "", title: str = "", number: int | None = None) -> str:
    """What an act names as its basis: "Счёт на оплату № 12 от 07.12.2026" (kind invoice), "Сделка «Ремонт котла»",
    "Заказ № 154 от 07.12.2026" ("Заказ от 07.12.2026" before orders had numbers); empty for a deal without a title."""
    if kind == "deal" and not title:
        return ""
    if kind == "order" and number is not None:
        return NUMBERED_ORDER[locale_of(locale)].format(number=number, day=day)
    return BASIS[locale_of(locale)][kind].format(named=named, day=day, title=title)


def locale_of(value: str | None) -> str:
    """One of the languages documents are worded in (English when another is asked)."""
    short = (value or "en")[:2].lower()
    return short if short in LOCALES else "en"


def _grouped(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def number(value: Decimal | int, *, places: int, locale: str) -> str:
    """A number with its thousands grouped and places decimals, as the language writes it."""
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    whole, _, fraction = f"{abs(quantized):f}".partition(".")
    group, point = {"ru": (NBSP, ","), "de": (".", ",")}.get(locale, (",", "."))
    text = _grouped(whole, group)
    return f"{sign}{text}{point}{fraction}" if places else f"{sign}{text}"


def money(minor: int, currency: str, locale: str, *, said: bool = False) -> str:
    """An amount in minor units as the language writes it: "$1,234.50", "1,234.50 EUR"-like, "1 234,50 ₽", in German
    "1.234,50 €" (the symbol after the amount, whatever the currency); said (a message to a customer): a whole amount
    of a currency whose minor unit no shop writes without it ("8 900 ₸")."""
    places = minor_exponent(currency)
    shown = 0 if said and currency in WHOLE_UNITS and int(minor) % 10**places == 0 else places
    text = number(Decimal(int(minor)).scaleb(-places), places=shown, locale=locale)
    symbol = SYMBOLS.get(currency)
    if locale == "en" and symbol and currency in PREFIXED:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    if locale == "en" and currency == "EUR":
        return f"€{text}"
    return f"{text}{NBSP}{symbol or currency}"


def quantity(value: Decimal, locale: str) -> str:
    """A quantity with as many decimals as it has (up to three): "2", "1.5", "0,250" ("1,5" in German)."""
    places = max(0, min(3, -int(value.normalize().as_tuple().exponent)))
    return number(value, places=places, locale=locale)


def rate(percent: Decimal | None, locale: str) -> str:
    """A tax rate as typed, with as many decimals as it has (up to three): 20 -> "20%", 12.5 -> "12.5%", 8.875 ->
    "8.875%" ("8,875%" in Russian, "8,875 %" in German, which spaces the sign), 0 -> "0%"; no rate (None) -> "Без
    НДС" in Russian, "ohne USt." in German, "—" in English."""
    if percent is None:
        return NO_RATE[locale_of(locale)]
    return f"{quantity(Decimal(percent), locale)}{NBSP if locale == 'de' else ''}%"


def day(value: date, locale: str, country: str | None = None) -> str:
    """A date as the language (and in English the company's country) writes it on paper: "07.12.2026", "December 7,
    2026" for a US company, "7 December 2026" elsewhere, "7. Dezember 2026" in German (the months of
    ``identity.moments`` and ``MONTHS_DE``, never the process's locale, which strftime's "%b" would read)."""
    from chalicelib.identity.moments import MONTHS

    if locale == "ru":
        return value.strftime("%d.%m.%Y")
    if locale == "de":
        return f"{value.day}. {MONTHS_DE[value.month - 1]} {value.year}"
    month = MONTHS["en"][value.month - 1]
    return f"{month} {value.day}, {value.year}" if country == "US" else f"{value.day} {month} {value.year}"


def title(doc_type: str, locale: str) -> str:
    """The name of a document type in a language."""
    return TITLES[locale_of(locale)][doc_type]


def default_prefixes(locale: str) -> dict[str, str]:
    """The number prefixes a company of a language starts with."""
    return dict(PREFIXES[locale_of(locale)])


def document_number(prefix: str, year: int, seq: int) -> str:
    """A document's number: its type's prefix, the year and its place in that year (INV-2026-0001), or without a
    prefix its place in the year alone (12)."""
    return f"{prefix}-{year}-{seq:04d}" if prefix else str(seq)


def named(doc_type: str, number: str, locale: str) -> str:
    """A document named as its language names it: "Invoice INV-2026-0001", "Счёт на оплату № 12", "Rechnung
    RE-2026-0001"."""
    found = locale_of(locale)
    return f"{title(doc_type, found)} № {number}" if found == "ru" else f"{title(doc_type, found)} {number}"


def file_name(doc_type: str, number: str, year: int, seq: int) -> str:
    """A document's PDF file name in ASCII (headers and mail clients carry it safely): its number when that says what
    it is ("INV-2026-0001.pdf"), else its type, year and place in the year ("invoice-2026-0012.pdf" for "12" or
    "СЧ-2026-0012")."""
    if number.isascii() and not number.isdigit():
        return f"{number}.pdf"
    return f"{doc_type}-{year}-{seq:04d}.pdf"


def in_words(minor: int, currency: str, locale: str) -> str:
    """An amount in words as an invoice writes it ("Одна тысяча двести рублей 50 копеек"), the minor units in
    figures; empty for a currency num2words cannot name."""
    from num2words import num2words

    places = minor_exponent(currency)
    try:
        text = str(num2words(Decimal(int(minor)).scaleb(-places), lang=locale_of(locale), to="currency",
                             currency=currency, cents=False, separator=""))
    except (NotImplementedError, KeyError, ValueError, OverflowError):
        return ""
    return text[:1].upper() + text[1:]


def country_locale(country: str | None) -> str | None:
    """The language a company of a country writes its documents in, where we have it (DE -> "de", RU -> "ru")."""
    return COUNTRY_LOCALES.get((country or "").upper())
