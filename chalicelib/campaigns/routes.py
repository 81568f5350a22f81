"""Routes of campaigns: the campaigns, their wizard's steps (preview, test send, send), results and report, the
consent on a contact's card, and the public links of their messages (unsubscribe, click, open)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.campaigns import public, service
from chalicelib.campaigns import schemas as s
from chalicelib.core.http import API_HEADERS, FORM, JSON, MULTIPART, Api, ApiRequest

api = Api(__name__, tag="campaigns")
PAGE_HEADERS: dict[str, str | list[str]] = {
    **API_HEADERS, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; style-src 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'"}


@api.route("/api/v1/campaigns", summary="The company's campaigns, newest first", query=s.CampaignListQuery,
           response=s.CampaignPage, errors=(403,))
def campaigns_list(request: ApiRequest) -> s.CampaignPage:
    return service.list_campaigns(request.tenant, limit=request.query.limit, cursor=request.query.cursor)


@api.route("/api/v1/campaigns", method="POST", summary="Make a draft campaign to a segment (e-mail, SMS, WhatsApp)",
           body=s.CampaignCreate, response=s.CampaignRead, status=201, errors=(402, 403, 422))
def campaigns_create(request: ApiRequest) -> s.CampaignRead:
    return service.create(request.tenant, data=request.body)


@api.route("/api/v1/campaigns/{campaign_id}", summary="One campaign", response=s.CampaignRead, errors=(403, 404))
def campaigns_get(request: ApiRequest, campaign_id: str) -> s.CampaignRead:
    return service.campaign_read(service.get_or_raise(request.tenant, campaign_id))


@api.route("/api/v1/campaigns/{campaign_id}", method="PATCH", summary="Change a draft or scheduled campaign",
           body=s.CampaignUpdate, response=s.CampaignRead, errors=(403, 404, 409, 422))
def campaigns_update(request: ApiRequest, campaign_id: str) -> s.CampaignRead:
    return service.update(request.tenant, campaign_id, data=request.body)


@api.route("/api/v1/campaigns/{campaign_id}", method="DELETE", summary="Delete a campaign that is not sending",
           status=204, errors=(403, 404, 409))
def campaigns_delete(request: ApiRequest, campaign_id: str) -> None:
    service.delete(request.tenant, campaign_id)


@api.route("/api/v1/campaigns/{campaign_id}/preview", summary="The message as a sample recipient gets it",
           response=s.CampaignPreview, errors=(403, 404))
def campaigns_preview(request: ApiRequest, campaign_id: str) -> s.CampaignPreview:
    return service.preview(request.tenant, campaign_id)


@api.route("/api/v1/campaigns/{campaign_id}/test", method="POST", summary="Send the message to yourself first",
           body=s.CampaignTestSend, response=s.CampaignTestSent, errors=(402, 403, 404, 422, 503))
def campaigns_test(request: ApiRequest, campaign_id: str) -> s.CampaignTestSent:
    return service.test_send(request.tenant, campaign_id, data=request.body)


@api.route("/api/v1/campaigns/{campaign_id}/send", method="POST", summary="Send to the segment now, or schedule it",
           body=s.CampaignSendIn, response=s.CampaignRead, errors=(402, 403, 404, 409, 422))
def campaigns_send(request: ApiRequest, campaign_id: str) -> s.CampaignRead:
    return service.send(request.tenant, campaign_id, data=request.body)


@api.route("/api/v1/campaigns/{campaign_id}/cancel", method="POST", summary="Stop a scheduled or sending campaign",
           body=s.CampaignVersion, response=s.CampaignRead, errors=(403, 404, 409))
def campaigns_cancel(request: ApiRequest, campaign_id: str) -> s.CampaignRead:
    return service.cancel(request.tenant, campaign_id, data=request.body)


@api.route("/api/v1/campaigns/{campaign_id}/results", summary="A campaign's results: sends, deliveries, reads, "
           "bounces, complaints, opens, clicks, replies, unsubscribes, conversions", response=s.CampaignResults,
           errors=(403, 404))
def campaigns_results(request: ApiRequest, campaign_id: str) -> s.CampaignResults:
    return service.results(request.tenant, campaign_id)


@api.route("/api/v1/campaigns/{campaign_id}/messages", summary="A campaign's messages, one per recipient, with "
           "what the provider said of each: delivered, read, bounced, complained, undelivered, and why",
           query=s.CampaignMessagesQuery, response=s.CampaignMessagePage, errors=(400, 403, 404))
def campaigns_messages(request: ApiRequest, campaign_id: str) -> s.CampaignMessagePage:
    return service.messages(request.tenant, campaign_id, query=request.query)


@api.route("/api/v1/reports/campaigns", summary="Campaign results for a period (JSON or CSV)",
           query=s.CampaignReportQuery, response=s.CampaignsReport, errors=(403, 422))
def reports_campaigns(request: ApiRequest) -> Any:
    report = service.report(request.tenant, query=request.query)
    if request.query.format != "csv":
        return report
    from chalicelib.reports import service as reports_service

    return Response(body=reports_service.as_csv(report.items), status_code=200, headers={
        **API_HEADERS, "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="campaigns.csv"'})


@api.route("/api/v1/contacts/{contact_id}/consent", summary="A contact's consent per channel", response=s.ConsentRead,
           errors=(403, 404))
def contacts_consent(request: ApiRequest, contact_id: str) -> s.ConsentRead:
    return service.consent_read(request.tenant, contact_id)


@api.route("/api/v1/contacts/{contact_id}/consent", method="PUT", summary="Grant or withdraw a contact's consent",
           body=s.ConsentIn, response=s.ConsentRead, errors=(403, 404, 422))
def contacts_consent_update(request: ApiRequest, contact_id: str) -> s.ConsentRead:
    return service.consent_update(request.tenant, contact_id, data=request.body)


# -- the public links -----------------------------------------------------------------------------------------


def _page(status: int, kind: str, *, lang: str = "en", company: str = "", form: str | None = None) -> Response:
    return Response(body=public.page(kind, lang=lang, company=company, form=form), status_code=status,
                    headers=PAGE_HEADERS)


def _asked(request: ApiRequest) -> str | None:
    return (request.raw.query_params or {}).get("lang")


@api.route("/m/u/{token}", summary="The unsubscribe page of a campaign's message", public=True, in_schema=False)
def campaigns_unsubscribe_page(request: ApiRequest, token: str) -> Response:
    # A GET never unsubscribes: mail scanners follow links. The page's button (or a one-click POST) does.
    sender, asked = public.sender(token, "u"), _asked(request)
    lang = public.language(asked, sender)
    if sender is None:
        return _page(404, "unknown", lang=lang)
    form = f"/m/u/{token}" + (f"?lang={lang}" if asked in public.TEXT else "")
    return _page(200, "ask", lang=lang, company=sender.name, form=form)


@api.route("/m/u/{token}", method="POST", summary="Unsubscribe (the page's button, or RFC 8058 one-click)",
           public=True, in_schema=False, raw_body=True, content_types=(FORM, MULTIPART, JSON))
def campaigns_unsubscribe(request: ApiRequest, token: str) -> Response:
    sender = public.unsubscribe(token)
    lang = public.language(_asked(request), sender)
    if sender is None:
        return _page(404, "unknown", lang=lang)
    return _page(200, "done", lang=lang, company=sender.name)


@api.route("/m/c/{token}", summary="A link in a campaign's message", public=True, in_schema=False)
def campaigns_click(request: ApiRequest, token: str) -> Response:
    target = public.click(token)
    if target is None:
        return _page(404, "unknown")
    return Response(body="", status_code=302, headers={**API_HEADERS, "Location": target, "Cache-Control": "no-store"})


@api.route("/m/o/{token}", summary="The open pixel of a campaign's e-mail", public=True, in_schema=False)
def campaigns_open(request: ApiRequest, token: str) -> Response:
    public.opened(token)
    accept = (request.header("accept") or "").lower()
    if "image/" not in accept and "*/*" not in accept:  # API Gateway returns bytes only to who accepts them
        return Response(body="", status_code=204, headers={**API_HEADERS, "Cache-Control": "no-store"})
    return Response(body=public.GIF, status_code=200, headers={**API_HEADERS, "Content-Type": "image/gif",
                                                               "Cache-Control": "no-store"})
