"""What every provider's hook route shares: its query (the adapter reads it), the request as an Inbound, the
adapter's Reply as an HTTP response."""

from __future__ import annotations

from urllib.parse import urlencode

from chalice import Response
from pydantic import ConfigDict

from chalicelib.channels.adapters import Inbound, Reply
from chalicelib.core.config import settings
from chalicelib.core.http import API_HEADERS, ApiRequest
from chalicelib.core.schema import Schema


class HookQuery(Schema):
    """A provider may add parameters of its own to the URL (Zadarma's zd_echo, Meta's hub.*): the adapter reads them."""

    model_config = ConfigDict(extra="allow")


def inbound(request: ApiRequest, provider: str, path: str, tail: str | None = None) -> Inbound:
    """A provider's request as the hook flow takes it (the URL as the provider called it: Twilio signs it)."""
    query = {str(k): str(v) for k, v in (request.raw.query_params or {}).items()}
    url = f"{settings.public_url}{path}" + (f"?{urlencode(query)}" if query else "")
    return Inbound(provider=provider, method=request.raw.method, url=url, query=query,
                   headers={str(k).lower(): str(v) for k, v in (request.raw.headers or {}).items()},
                   body=request.raw.raw_body or b"", tail=tail, ip=request.source_ip, request_id=request.request_id)


def response(reply: Reply) -> Response:
    """The adapter's answer as the provider expects it."""
    return Response(body=reply.body, status_code=reply.status,
                    headers={**API_HEADERS, "Content-Type": f"{reply.content_type}; charset=utf-8"})
