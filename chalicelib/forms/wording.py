"""What the form processor writes in words, in the company's language (#20 item 3): a lead deal's title and its
call-back task's title are the company's data, named once in its language; timeline entries keep their kind and data,
and the web app words them in the reader's language."""

from __future__ import annotations

from chalicelib.core.tenancy import TenantContext
from chalicelib.identity import service as identity_service

DEAL_TITLES = {"en": "Website form: {name}", "ru": "Заявка с сайта: {name}"}  # noqa: RUF001
CALL_BACK_TITLES = {"en": "Call back: {name}", "ru": "Перезвонить: {name}"}
CONTACT_SKIPPED = {"en": "Not saved as a contact: your plan's contact limit is reached.",
                   "ru": "Не сохранён как контакт: достигнут лимит контактов вашего тарифа."}  # noqa: RUF001


def _locale(ctx: TenantContext) -> str:
    locale = identity_service.company_locale(ctx)
    return locale if locale in DEAL_TITLES else "en"


def deal_title_template(ctx: TenantContext) -> str:
    """The title a lead deal gets when its form names none ({name} and the other placeholders of deal_title)."""
    return DEAL_TITLES[_locale(ctx)]


def call_back_title(ctx: TenantContext, name: str) -> str:
    """The title of the task to call a lead back."""
    return CALL_BACK_TITLES[_locale(ctx)].format(name=name)


def contact_skipped(ctx: TenantContext) -> str:
    """Why a lead has no contact: the plan's contact limit is reached (its call-back task says so)."""
    return CONTACT_SKIPPED[_locale(ctx)]
