"""How contacts and companies are matched: search folding, name tokens, phones, e-mails, bank ids.

Everything a lookup or an index item is keyed by passes through here, so a value written and a
value searched for are normalised the same way.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata

from chalicelib.core import errors, phones
from chalicelib.core.tenancy import TenantContext

MAX_NAME_TOKENS = 6
# A phone is found by a part of 4 digits or more: a search reads the rows of the part's first 4 digits (each
# phone has a row per 4 digits in a row of its number), and a tail of 3 would match one number in a thousand.
MIN_PHONE_DIGITS = 4
PHONE_MARK = "~"  # a phone's digits among a row's search tokens: no word (\w+) a query is split into has it
MAX_FOUND_PHONES = 2  # a record's first phones found by a part (8 rows each): with 3, a contact with many e-mails
# and tags passes a transaction's 100 items when it changes its numbers; the others are found by the whole number
REGION_CACHE_SECONDS = 60.0
_WORD = re.compile(r"\w+")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]{5,40}$")
_DIGITS_LIKE = re.compile(r"^\+?[\d\s().\-]{4,40}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_TAX_ID = re.compile(r"^[A-Z0-9./\-]{4,32}$")

# Kazakh letters that a Russian keyboard has no keys for, as people type them on one ("Гулнур" for "Гүлнұр",
# "Асел" for "Әсел"): a word with them is found by that spelling too
_RUSSIAN_KEYS = str.maketrans("әғқңөұүһі", "агкноуухи")

# Cyrillic letters beyond Russian's, which code points put after "я", each put after its base letter as Unicode's
# root collation and the Kazakh alphabet order them: "Әсел" between "Ася" and "Бекзат". A table of our own, since
# ICU (PyICU) is a compiled package far heavier than the one sort key it would give.
_ALPHABET_PLACE = str.maketrans({"ә": "а\u04ff", "ғ": "г\u04ff", "ґ": "г\u04fe", "є": "е\u04ff", "і": "и\u04ff",  # noqa: RUF001
                                 "қ": "к\u04ff", "ң": "н\u04ff", "ө": "о\u04ff", "ұ": "у\u04fe", "ү": "у\u04ff",  # noqa: RUF001
                                 "һ": "х\u04ff"})  # noqa: RUF001
OUT_OF_PLACE = frozenset("әғґєіқңөұүһ")

_regions: dict[str, tuple[float, str]] = {}
_regions_lock = threading.Lock()


# -- text -----------------------------------------------------------------------------------


def fold(text: str | None) -> str:
    """Search form of text: accents dropped, case folded, Cyrillic io read as ie ("Ёлкин" matches "елк")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    # Dropping combining marks after NFKD strips accents (é -> e) and the diaeresis of ё; й loses
    # its breve too, which is harmless because queries are folded the same way.
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().replace("\u0451", "\u0435").split())  # io -> ie, should any survive


def sort_form(text: str | None) -> str:
    """The folded text as a name sorts: a letter beyond Russian's right after its base letter (``_ALPHABET_PLACE``)."""
    return fold(text).translate(_ALPHABET_PLACE)


def words(text: str | None) -> list[str]:
    """The folded words of text, in order."""
    return _WORD.findall(fold(text))


def search_tokens(*texts: str | None, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Distinct tokens a record is found by (a word with Kazakh letters also as typed without them), without tokens
    that merely prefix another one.

    A token that is a prefix of another ("ivan" of "ivanov") is redundant for prefix search and
    would list the record twice for the same query.
    """
    name_words: list[str] = []
    for text in texts:
        name_words += [word for word in words(text) if word not in name_words]
    candidates = name_words[:MAX_NAME_TOKENS]
    candidates += [typed for typed in (word.translate(_RUSSIAN_KEYS) for word in candidates) if typed not in candidates]
    candidates += [token for token in extra if token]
    unique = sorted(set(candidates))
    return [token for token in unique if not any(other != token and other.startswith(token) for other in unique)]


def key_segment(value: str) -> str:
    """A value made safe for a key segment ('#' separates segments, so it is escaped)."""
    return value.replace("%", "%25").replace("#", "%23")


# -- phones ---------------------------------------------------------------------------------


def tenant_region(ctx: TenantContext) -> str:
    """The tenant's country (ISO 3166 alpha-2), the default region of the phones it types."""
    now = time.monotonic()
    with _regions_lock:
        cached = _regions.get(ctx.tenant_id)
    if cached is not None and now - cached[0] < REGION_CACHE_SECONDS:
        return cached[1]
    from chalicelib.identity import service as identity_service

    tenant = identity_service.tenant_settings(ctx)
    region = tenant.country if tenant is not None else "US"
    with _regions_lock:
        _regions[ctx.tenant_id] = (now, region)
    return region


def looks_like_phone(text: str) -> bool:
    """True when a search query reads as a phone number rather than a name."""
    return bool(_PHONE_LIKE.match(text)) and sum(char.isdigit() for char in text) >= 5


def digit_query(text: str) -> str | None:
    """The digits a search query is a part of a phone number by: 4 or more digits with spaces, dashes, dots or
    brackets ("45-67", "916 123", "+7 916 12": a leading country code is dropped, as a phone's digit tokens have
    none), else None."""
    if not _DIGITS_LIKE.match(text.strip()):
        return None
    digits = "".join(char for char in text if char.isdigit())
    if text.strip().startswith("+"):
        digits = _without_country_code(digits)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def _without_country_code(digits: str) -> str:
    import phonenumbers

    for length in (1, 2, 3):  # country codes are a prefix code: at most one of these is one
        if int(digits[:length] or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[length:]
    return digits


def phone_tokens(numbers: list[str]) -> list[str]:
    """The search tokens of phones (E.164): each number's national significant number ("9161234567") and its
    digits as dialled at home ("89161234567"), marked, so a query's digits find a number by its start or tail."""
    import phonenumbers

    found: list[str] = []
    for number in numbers[:MAX_FOUND_PHONES]:
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            continue
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        for digits in (phonenumbers.national_significant_number(parsed), "".join(filter(str.isdigit, national))):
            token = f"{PHONE_MARK}{digits}"
            if len(digits) >= MIN_PHONE_DIGITS and token not in found:
                found.append(token)
    return found


def phone_windows(token: str) -> set[str]:
    """The 4-digit runs of a phone token, each marked: a row each, so a part of the number finds it in one read."""
    digits = token.removeprefix(PHONE_MARK)
    return {f"{PHONE_MARK}{digits[i:i + MIN_PHONE_DIGITS]}" for i in range(len(digits) - MIN_PHONE_DIGITS + 1)}


def digit_start(token: str) -> str | None:
    """The marked first 4 characters of a word, e-mail or web address that starts with 4 digits ("~1520" of
    "1520", "2024shop@mail.ru"), or None: such a token has a row in the bucket a digits-only query reads, which
    is its phone part's (``listing.token_prefixes``), so "1520" finds "1520 Studio" in the same Query as a phone."""
    start = token[:MIN_PHONE_DIGITS]
    return f"{PHONE_MARK}{start}" if len(start) == MIN_PHONE_DIGITS and start.isdigit() else None


def digits_alone(q: str) -> bool:
    """True when a query is one run of digits and nothing else ("1520"): a phone's part or a word's start alike
    ("15-20", "+7 916" are a phone's part only: no word is written so)."""
    return q.strip().isdigit()


def matches_digits(digits: str, tokens: list[str], *, words: bool) -> bool:
    """True when a phone token starts or ends with the digits, or (words) a word token starts with them."""
    return matches_phone(digits, tokens) or (
        words and any(not token.startswith(PHONE_MARK) and token.startswith(digits) for token in tokens))


def matches_phone(digits: str, tokens: list[str]) -> bool:
    """True when a phone token starts or ends with the digits (a national number's start or any tail)."""
    return any(token.startswith(PHONE_MARK) and (token[1:].startswith(digits) or token.endswith(digits))
               for token in tokens)


def clean_phone(raw: str, region: str, *, loc: list[str | int]) -> str:
    """E.164 of a phone given in a request; 422 with the field's location when it is not valid."""
    e164 = phones.e164(raw, region)
    if e164 is None:
        raise errors.ValidationError(details=[{"loc": loc, "msg": "Not a valid phone number",
                                               "type": "invalid_phone"}])
    return e164


# -- e-mails --------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    """The stored form of an e-mail address: trimmed and lower-cased."""
    return value.strip().lower()


def is_email(value: str) -> bool:
    """A pragmatic check of an e-mail address (the mail server has the last word)."""
    local, at, domain = value.partition("@")
    return (bool(at) and bool(local) and "." in domain and not domain.startswith(".")
            and not domain.endswith(".") and "@" not in domain and len(value) <= 254
            and not any(char.isspace() for char in value))


# -- bank and tax ids -----------------------------------------------------------------------


def clean_iban(value: str) -> str:
    """An IBAN without spaces, upper-cased, its check digits verified (ValueError when not one)."""
    compact = "".join(value.split()).upper()
    if not _IBAN.match(compact):
        raise ValueError("not an IBAN")
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    if int(digits) % 97 != 1:
        raise ValueError("the IBAN's check digits do not match")
    return compact


def clean_tax_id(value: str) -> str:
    """A tax id without spaces, upper-cased (ValueError when it has other characters)."""
    compact = "".join(value.split()).upper()
    if not _TAX_ID.match(compact):
        raise ValueError("not a tax id")
    return compact
