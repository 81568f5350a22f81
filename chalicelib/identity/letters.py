"""The account e-mails (the sign-up confirmation, an invitation, a password reset) in the reader's language.

The reader's own language when the account has one (the owner chose it at sign-up), else the company's: an invited
colleague has none yet and reads the language the company works in. English and Russian, as the web app speaks.
"""

from __future__ import annotations

LANGS = ("en", "ru")


def language(*locales: str | None) -> str:
    """The first of the locales the e-mails are written in (``en`` when none is)."""
    return next((str(locale)[:2] for locale in locales if locale and str(locale)[:2] in LANGS), "en")


def _days_ru(n: int) -> str:
    forms = ("день", "дня", "дней")
    tail = n % 100
    form = 2 if 11 <= tail <= 14 else (0 if n % 10 == 1 else 1 if 2 <= n % 10 <= 4 else 2)
    return f"{n} {forms[form]}"


def confirmation(lang: str, *, name: str, company: str, days: int, link: str) -> dict[str, str]:
    """The owner's link to confirm the address given at sign-up."""
    if lang == "ru":
        return {"subject": f"Подтвердите адрес электронной почты для «{company}»",
                "text": (f"Здравствуйте, {name}!\n\nВы зарегистрировали «{company}» в CRM с этим адресом. Подтвердите "  # noqa: RUF001
                         f"его по ссылке в течение {_days_ru(days)}; иначе компания будет доступна только для "  # noqa: RUF001
                         f"чтения, пока вы этого не сделаете:\n{link}\n\nЕсли это были не вы, не обращайте "  # noqa: RUF001
                         "внимания на это письмо: с вашим адресом ничего не будет сделано.\n")}  # noqa: RUF001
    return {"subject": f"Confirm your e-mail address for {company}",
            "text": (f"Hello {name},\n\nYou signed {company} up for the CRM with this address. Confirm it here within "
                     f"{days} days; after that the company is read-only until you do:\n{link}\n\n"
                     "If it was not you, ignore this e-mail: nothing will be done with your address.\n")}


def invitation(lang: str, *, name: str, company: str, days: int, link: str) -> dict[str, str]:
    """A colleague's link to join the company and set a password."""
    if lang == "ru":
        return {"subject": f"Приглашение в «{company}»",
                "text": (f"Здравствуйте, {name}!\n\nВас пригласили в «{company}» в CRM.\nПридумайте пароль по "  # noqa: RUF001
                         f"этой ссылке (она действует {_days_ru(days)}):\n{link}\n")}
    return {"subject": f"You are invited to {company}",
            "text": (f"Hello {name},\n\nYou have been invited to join {company} in the CRM.\n"
                     f"Set your password here (the link works for {days} days):\n{link}\n")}


def reset(lang: str, *, email: str, links: list[tuple[str, str]], hours: int) -> dict[str, str]:
    """Links to set a new password, one per company the address signs in to; or word that none uses it."""
    if not links:  # no company, so no language of one: the e-mail is in English
        return {"subject": "Password reset requested", "text": (
            f"Someone asked to reset the password of {email} in the CRM, but no company's account uses this "
            "address. If it was you, you may have signed up with another address.\n\nIf not, ignore this e-mail.\n")}
    names = ", ".join(name for name, _ in links)
    lines = "\n".join(f"{name}: {link}" if len(links) > 1 else link for name, link in links)
    if lang == "ru":
        within = "часа" if hours == 1 else f"{hours} ч"
        return {"subject": f"Сброс пароля для «{links[0][0]}»" if len(links) == 1 else "Сброс пароля",  # noqa: RUF001
                "text": (f"Кто-то попросил сбросить пароль {email} для {names}.\nЕсли это были вы, задайте новый "  # noqa: RUF001
                         f"в течение {within}:\n{lines}\n\nЕсли нет, не обращайте внимания на это письмо.\n")}  # noqa: RUF001
    return {"subject": f"Reset your password for {links[0][0]}" if len(links) == 1 else "Reset your password",
            "text": (f"Someone asked to reset the password of {email} for {names}.\n"
                     f"If it was you, choose a new one here within {hours} hour:\n{lines}\n\n"
                     "If not, ignore this e-mail.\n")}
