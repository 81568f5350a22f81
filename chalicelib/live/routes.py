"""The live-updates route: a ticket for the socket (the socket's own events are in ``live.sockets``)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from chalicelib.core.config import LOCAL_LIVE_PATH, settings
from chalicelib.core.http import Api, ApiRequest
from chalicelib.live import service
from chalicelib.live.schemas import LiveTicketOut

api = Api(__name__, tag="live")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def socket_url(request: ApiRequest) -> str:
    """The stage's WebSocket URL; where no WebSocket API is configured (the local runner, tests) the app serves
    the socket itself, on the origin the browser reached it at."""
    if settings.live_url:
        return settings.live_url
    public = urlsplit(settings.public_url)
    scheme = "wss" if public.scheme == "https" else "ws"
    host = request.header("host") or ""
    return f"{scheme}://{host if _HOST.match(host) else public.netloc}{LOCAL_LIVE_PATH}"


@api.route("/api/v1/live/ticket", method="POST", summary="A single-use ticket that opens the live-updates socket",
           response=LiveTicketOut, errors=(403,))
def live_ticket(request: ApiRequest) -> LiveTicketOut:
    ticket = service.issue_ticket(request.tenant)
    return LiveTicketOut(ticket=ticket, url=socket_url(request), expires_in=service.TICKET_SECONDS)
