"""The public hooks telephony providers call: one per provider, each handed to its adapter.

``/hooks/zadarma/<key>`` (GET for the ``zd_echo`` URL check, POST for events),
``/hooks/mango/<key>/events/<name>`` (Mango appends the event's name to the URL it is given; a command's
result comes to ``/result/<name>``, the URL check to ``/ping``),
``/hooks/twilio/<key>`` (status and recording callbacks), ``/hooks/pbx/<key>`` (our JSON format).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.channels import hooks
from chalicelib.channels.web import HookQuery
from chalicelib.channels.web import inbound as _inbound
from chalicelib.channels.web import response as _response
from chalicelib.core.http import FORM, JSON, Api, ApiRequest
from chalicelib.telephony import processor as _processor  # noqa: F401 - registers the call processors

api = Api(__name__, tag="hooks")
HOOK_ERRORS = (400, 401, 404, 413, 415, 422)


@api.route("/hooks/zadarma/{key}", summary="Zadarma checks the URL (zd_echo)", public=True, query=HookQuery,
           errors=(404,))
def zadarma_check(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "zadarma", f"/hooks/zadarma/{key}"), key))


@api.route("/hooks/zadarma/{key}", method="POST", summary="Zadarma posts a call event (NOTIFY_*)", public=True,
           raw_body=True, query=HookQuery, content_types=(FORM,), errors=HOOK_ERRORS)
def zadarma_hook(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "zadarma", f"/hooks/zadarma/{key}"), key))


@api.route("/hooks/mango/{key}/events/{name}", method="POST", summary="Mango Office posts a call event",
           public=True, raw_body=True, query=HookQuery, content_types=(FORM,), errors=HOOK_ERRORS)
def mango_hook(request: ApiRequest, key: str, name: str) -> Response:
    inbound = _inbound(request, "mango", f"/hooks/mango/{key}/events/{name}", tail=name)
    return _response(hooks.receive(inbound, key))


@api.route("/hooks/mango/{key}/result/{name}", method="POST",
           summary="Mango Office posts the result of a command (a click-to-call's callback)", public=True,
           raw_body=True, query=HookQuery, content_types=(FORM,), errors=HOOK_ERRORS)
def mango_result(request: ApiRequest, key: str, name: str) -> Response:
    inbound = _inbound(request, "mango", f"/hooks/mango/{key}/result/{name}", tail=f"result/{name}")
    return _response(hooks.receive(inbound, key))


@api.route("/hooks/mango/{key}/ping", method="POST", summary="Mango Office checks the URL", public=True,
           raw_body=True, query=HookQuery, content_types=(FORM,), errors=HOOK_ERRORS)
def mango_ping(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "mango", f"/hooks/mango/{key}/ping", tail="ping"), key))


@api.route("/hooks/twilio/{key}", method="POST", summary="Twilio posts a voice status or recording callback",
           public=True, raw_body=True, query=HookQuery, content_types=(FORM,), errors=HOOK_ERRORS)
def twilio_hook(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "twilio", f"/hooks/twilio/{key}"), key))


@api.route("/hooks/pbx/{key}", method="POST", summary="A PBX posts a call event (our signed JSON format)",
           public=True, raw_body=True, content_types=(JSON,), errors=HOOK_ERRORS)
def pbx_hook(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "pbx", f"/hooks/pbx/{key}"), key))
