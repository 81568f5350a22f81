"""The search tokens a record's custom values give it: a car's plate and VIN, its make and model, a contract number.

A front desk finds a customer by what the CRM keeps on them in its own fields, as amoCRM's and Bitrix24's search
does. The tokens come from the record alone (its stored values), so its old and new list rows follow from its
states before and after without reading the definitions: every text value that is not sensitive (a sensitive
one is sealed, and its words would tell it), not a number, money, a yes/no or a date. Each value gives its first
words, and a short value with digits also its words joined (a plate with its region apart is typed joined as
often); a word of letters and digits also in the other alphabet's look-alike letters (the twelve letters of a
Russian plate are those Cyrillic shares with Latin, and are typed in either). The tokens are capped, since each
one is up to three rows written with the record in its transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from chalicelib.records import matching

MAX_WORDS_PER_VALUE = 4
MAX_TOKENS = 8
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$")
_CYRILLIC, _LATIN = "авекмнорстух", "abekmhopctyx"
_TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)
_TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)


def tokens(custom: dict[str, Any] | None, sensitive: Iterable[str] | None = None) -> list[str]:
    """The tokens a record is found by from its custom values (sensitive keys left out), in a stable order."""
    hidden = set(sensitive or ())
    found: list[str] = []
    for key in sorted(custom or {}):
        if key in hidden:
            continue
        for text in _texts((custom or {})[key]):
            found += _value_tokens(text)
    spelled = [other for token in found if _has_digit(token) and not token.isdigit()
               for other in (token.translate(_TO_LATIN), token.translate(_TO_CYRILLIC))]
    unique = list(dict.fromkeys(found + spelled))
    kept = [token for token in unique if not any(other != token and other.startswith(token) for other in unique)]
    return kept[:MAX_TOKENS]


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and not _MOMENT.match(v.strip())]


def _value_tokens(text: str) -> list[str]:
    words = matching.words(text)[:MAX_WORDS_PER_VALUE]
    joined = "".join(words)
    return words + ([joined] if len(words) > 1 and _has_digit(joined) else [])


def _has_digit(token: str) -> bool:
    return any(char.isdigit() for char in token)
