"""The password policy: long enough for the company (10 characters before it has chosen), not a common or
guessable one. A pure check, so a request's schema can say it beside its other fields' problems."""

from __future__ import annotations

DEFAULT_MIN_LENGTH = 10
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "1234567890", "qwertyuiop", "12345678910", "iloveyou12",
    "qwerty12345", "1q2w3e4r5t", "administrator", "welcome123", "letmein123", "йцукенгшщз",
})


def problems(password: str, *, email: str, minimum: int = DEFAULT_MIN_LENGTH) -> list[str]:
    """What the password lacks, in words ("at least 10 characters"), or nothing."""
    found = []
    if len(password) < minimum:
        found.append(f"at least {minimum} characters")
    if password.lower() in COMMON_PASSWORDS or (email and password.lower() == email.lower()) or len(set(password)) < 4:
        found.append("not a common or guessable password")
    return found


def wanted(found: list[str]) -> str:
    """The problems as the API's message says them ("Needs at least 10 characters and ...")."""
    return "Needs " + " and ".join(found)
