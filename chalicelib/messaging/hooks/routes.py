"""The public hooks messengers call: ``/hooks/whatsapp/<key>`` (Meta's GET check and POSTed notifications) and
``/hooks/telegram/<key>`` (a bot's updates), each handed to its adapter through the channel seam."""

from __future__ import annotations

from chalice import Response

from chalicelib.channels import hooks
from chalicelib.channels.web import HookQuery
from chalicelib.channels.web import inbound as _inbound
from chalicelib.channels.web import response as _response
from chalicelib.core.http import JSON, Api, ApiRequest
from chalicelib.messaging import processor as _processor  # noqa: F401 - registers the message processors

api = Api(__name__, tag="hooks")
HOOK_ERRORS = (400, 401, 403, 404, 413, 415, 422)


@api.route("/hooks/whatsapp/{key}", summary="Meta checks the URL (hub.challenge)", public=True, query=HookQuery,
           errors=(403, 404))
def whatsapp_check(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "whatsapp", f"/hooks/whatsapp/{key}"), key))


@api.route("/hooks/whatsapp/{key}", method="POST", summary="WhatsApp Cloud API posts messages and statuses",
           public=True, raw_body=True, query=HookQuery, content_types=(JSON,), errors=HOOK_ERRORS)
def whatsapp_hook(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "whatsapp", f"/hooks/whatsapp/{key}"), key))


@api.route("/hooks/telegram/{key}", method="POST", summary="Telegram posts a bot's update", public=True,
           raw_body=True, query=HookQuery, content_types=(JSON,), errors=HOOK_ERRORS)
def telegram_hook(request: ApiRequest, key: str) -> Response:
    return _response(hooks.receive(_inbound(request, "telegram", f"/hooks/telegram/{key}"), key))
