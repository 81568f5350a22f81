"""The public form hook (any website may post: CORS ``*``) and the embeddable snippet."""

from __future__ import annotations

from pathlib import Path

from chalice import Response
from pydantic import ConfigDict

from chalicelib.core.http import API_HEADERS, FORM, JSON, MULTIPART, Api, ApiRequest, json_response
from chalicelib.core.schema import Schema
from chalicelib.forms import processor as _processor  # noqa: F401 - registers the "form" processor
from chalicelib.forms import service

api = Api(__name__, tag="hooks")
SNIPPET = Path(__file__).parent / "static" / "forms.js"
# The page a form posted by the browser itself lands on (no redirect_url): laid out for the visitor's phone. Each
# language is marked, so a screen reader reads the Russian line with a Russian voice.
THANK_YOU = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>Thank you</title></head><body><main>"
             "<h1>Thank you!</h1><p>We have received your request and will contact you soon.</p>"
             "<p lang=\"ru\">Спасибо! Мы получили вашу заявку и скоро свяжемся с вами.</p>"  # noqa: RUF001
             "</main></body></html>")


class HookQuery(Schema):
    """A form's action URL may carry anything (UTM tags, a cache buster): it is not read."""

    model_config = ConfigDict(extra="allow")


def _post(request: ApiRequest, key: str) -> service.Post:
    return service.Post(
        key=key, content_type=request.header("content-type"), body=request.raw.raw_body or b"",
        ip=request.source_ip, user_agent=request.header("user-agent"), referrer=request.header("referer"),
        timestamp=request.header("x-crm-timestamp"), signature=request.header("x-crm-signature"),
        event_id=request.header("idempotency-key") or request.header("x-crm-event-id"),
        request_id=request.request_id)


def _plain_browser_post(request: ApiRequest) -> bool:
    """A form submitted by the browser itself (not fetch/XHR): it should land on a page."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    return (content_type in {FORM, MULTIPART} and "text/html" in (request.header("accept") or "")
            and not request.header("x-requested-with"))


def _page(status: int, body: str, headers: dict[str, str] | None = None) -> Response:
    merged: dict[str, str | list[str]] = {**API_HEADERS, "Content-Type": "text/html; charset=utf-8", **(headers or {})}
    return Response(body=body, status_code=status, headers=merged)


@api.route("/hooks/forms/{key}", method="POST", summary="A website form posts a lead (any origin)",
           public=True, raw_body=True, cors=True, query=HookQuery, content_types=(FORM, MULTIPART, JSON),
           errors=(400, 401, 404, 413, 415, 422, 429))
def forms_hook(request: ApiRequest, key: str) -> Response:
    submitted = service.submit(_post(request, key))
    if submitted.event_id is None:
        return Response(body="ok", status_code=200, headers={**API_HEADERS, "Content-Type": "text/plain"})
    if _plain_browser_post(request):
        if submitted.redirect_url:
            return _page(303, "", {"Location": submitted.redirect_url})
        return _page(200, THANK_YOU)
    answer = {"ok": True, "event_id": submitted.event_id, "duplicate": submitted.duplicate}
    return json_response(answer)


@api.route("/hooks/forms.js", summary="The embeddable form snippet", public=True, in_schema=False)
def forms_snippet(request: ApiRequest) -> Response:
    return Response(body=SNIPPET.read_text(encoding="utf-8"), status_code=200, headers={
        "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"})

