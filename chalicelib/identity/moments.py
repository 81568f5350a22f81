"""A moment as a company reads it in the words the server writes (a missed call's task, a call's ticket, an e-mail):
on the company's clock, in its language, dated as its country does: "7 December 2026" and "03:36", "December 7,
2026" and "3:36 AM" for a US company, "7 декабря 2026" and "03:36" in Russian. Such words are written once and read
beside the web app's own formatting, so they say the day as a person does, never UTC's ISO form ("2026-12-07
03:36"). What the app shows itself is handed over as data (ISO 8601 UTC) and formatted in the reader's language.
The months are a table of our own: two languages' twelve months do not justify Babel's locale data in the bundle."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import zones

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
}


def language(ctx: TenantContext) -> str:
    """The company's language for the server's words ("en" or "ru")."""
    from chalicelib.identity import service as identity_service

    spoken = identity_service.company_locale(ctx)[:2]
    return spoken if spoken in MONTHS else "en"


def _twelve_hour(ctx: TenantContext) -> bool:
    from chalicelib.identity import service as identity_service

    tenant = identity_service.tenant_settings(ctx)
    return tenant is not None and tenant.country == "US"


def day_and_time(ctx: TenantContext, moment: datetime, *, this_year: int | None = None) -> tuple[str, str]:
    """The moment's day and time of day on the company's clock, in its words: ("7 December 2026", "03:36"); the
    year left out when it is ``this_year`` (a reminder's "8 December")."""
    local, words, us = zones.company_time(ctx, moment), language(ctx), _twelve_hour(ctx)
    month, year = MONTHS[words][local.month - 1], local.year != this_year
    if us and words == "en":
        day = f"{month} {local.day}, {local.year}" if year else f"{month} {local.day}"
    else:
        day = f"{local.day} {month} {local.year}" if year else f"{local.day} {month}"
    clock = local.strftime("%I:%M %p").lstrip("0") if us and words == "en" else local.strftime("%H:%M")
    return day, clock


def when(ctx: TenantContext, moment: datetime) -> str:
    """The moment as one phrase on the company's clock: "7 December 2026, 03:36", "7 декабря 2026, 03:36"."""
    return ", ".join(day_and_time(ctx, moment))
