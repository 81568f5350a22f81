"""The public rating page of a closed ticket: plain HTML, no script, works without signing in.

Everything shown is escaped; the page names the company asking (a customer who gets a bare "How did we do?" does
not know who asks) and holds no personal data (not even the ticket's subject: a forwarded link would show it to
whoever opens it). A bad link answers the same 404 page whether it is forged, expired or of an
earlier closing; a bad answer (no score, a score outside 1..5, a comment too long) answers 422 with the form again
and changes nothing.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from chalice import Response

from chalicelib.core import errors
from chalicelib.core.schema import CONTROL
from chalicelib.tickets import csat

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
TEXT = {
    "en": {"title": "How did we do?", "lead": "Please rate how we handled your request.", "comment": "Comment",
           "send": "Send", "thanks": "Thank you for your rating!", "done": "This request has been rated already.",
           "gone": "This rating link is not valid or has expired.", "bad": "Please choose a score from 1 to 5.",
           "labels": ["Very bad", "Bad", "Fair", "Good", "Excellent"]},
    "ru": {"title": "Как мы справились?", "lead": "Оцените, пожалуйста, как мы решили ваш вопрос.",
           "comment": "Комментарий", "send": "Отправить", "thanks": "Спасибо за оценку!",
           "done": "Это обращение уже оценено.", "gone": "Ссылка для оценки недействительна или устарела.",
           "bad": "Выберите оценку от 1 до 5.",
           "labels": ["Очень плохо", "Плохо", "Нормально", "Хорошо", "Отлично"]},
}
MAX_COMMENT = 2000


def page(title: str, body: str, *, status: int = 200, lang: str = "en", company: str = "") -> Response:
    """A small public HTML page with the public stylesheet, headed by the company's name where it is known."""
    heading = f'<p class="company">{escape(company)}</p>' if company else ""
    html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(f"{title} · {company}" if company else title)}</title>'
            '<link rel="icon" href="/static/icon.svg"><link rel="stylesheet" href="/static/public.css"></head>'
            f'<body><main class="public">{heading}{body}</main></body></html>')
    return Response(body=html, status_code=status, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP, "Cache-Control": "no-store"})


def _language(lang: str | None) -> str:
    """The page's language: the one asked for when we have its words, else English."""
    asked = (lang or "en")[:2]
    return asked if asked in TEXT else "en"


def _words(lang: str | None) -> dict[str, object]:
    return dict(TEXT[_language(lang)])


def _said(words: dict[str, object], key: str) -> str:
    """A page that only says something (thanks, rated already, a bad link): the sentence is its heading, so a screen
    reader's list of headings finds it, as it finds the form's question."""
    return f"<h1>{escape(str(words[key]))}</h1>"


def _form(token: str, words: dict[str, object], *, error: str | None = None) -> str:
    labels = list(words["labels"])  # type: ignore[call-overload]
    scores = "".join(f'<label class="score"><input type="radio" name="score" value="{n}" required>'
                     f'<span>{n}</span><small>{escape(str(labels[n - 1]))}</small></label>' for n in range(1, 6))
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (f'<h1>{escape(str(words["title"]))}</h1><p>{escape(str(words["lead"]))}</p>{problem}'
            f'<form method="post" action="/csat/{escape(token, quote=True)}">'
            f'<fieldset class="scores">{scores}</fieldset>'
            f'<label class="comment">{escape(str(words["comment"]))}'
            f'<textarea name="comment" maxlength="{MAX_COMMENT}" rows="4"></textarea></label>'
            f'<button type="submit">{escape(str(words["send"]))}</button></form>')


def form(token: str, *, lang: str | None = None) -> Response:
    """The rating form, or why it cannot be shown."""
    try:
        state = csat.open_request(token)
    except errors.NotFoundError:
        words = _words(lang)  # in Russian when asked (?lang=ru), so marked Russian for screen readers
        return page(str(words["title"]), _said(words, "gone"), status=404, lang=_language(lang))
    language = lang if lang in TEXT else str(state["language"])
    words, company = _words(language), str(state["company"])
    if state["answered"]:
        return page(str(words["title"]), _said(words, "done"), lang=language, company=company)
    return page(str(words["title"]), _form(token, words), lang=language, company=company)


def _read(raw: bytes) -> tuple[int | None, str | None]:
    try:
        fields = parse_qs(raw.decode("utf-8"), max_num_fields=5)
    except (UnicodeDecodeError, ValueError):
        return None, None
    score_text = (fields.get("score") or [""])[0]
    comment = (fields.get("comment") or [""])[0].strip() or None
    score = int(score_text) if score_text.isdigit() and len(score_text) == 1 else None
    if score is not None and not 1 <= score <= 5:
        score = None
    if comment is not None and (len(comment) > MAX_COMMENT or CONTROL.search(comment)):
        return None, None
    return score, comment


def submit(token: str, raw: bytes) -> Response:
    """Take the customer's rating once; the page says so."""
    try:
        state = csat.open_request(token)
    except errors.NotFoundError:
        words = _words("en")
        return page(str(words["title"]), _said(words, "gone"), status=404)
    language, company = str(state["language"]), str(state["company"])
    words = _words(language)
    score, comment = _read(raw)
    if score is None:
        return page(str(words["title"]), _form(token, words, error=str(words["bad"])), status=422, lang=language,
                    company=company)
    taken = csat.answer(token, score=score, comment=comment)
    return page(str(words["title"]), _said(words, "thanks" if taken else "done"), lang=language,
                company=company)
