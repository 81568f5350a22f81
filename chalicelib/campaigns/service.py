"""Campaigns: make, list, read, change, delete; preview per channel, test send to yourself, send or schedule,
cancel; results. The sending itself is ``sending``'s, from the campaign queue.

Who may: ``campaigns:read`` to see them, ``campaigns:create``/``update``/``delete`` to make, change and send them
(owners and administrators; a custom role may be granted them), on a plan with the ``campaigns`` feature. A
campaign goes out only after a test send to the sender themself since its content last changed (409
``test_send_required``), to a segment whose members are placed (409 ``segment_building``).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from chalicelib.campaigns import consent, content, delivery, sending, usage
from chalicelib.campaigns import schemas as s
from chalicelib.campaigns.models import STATS, Campaign, CampaignStats, SendMarker
from chalicelib.core import audit, db, errors, permissions
from chalicelib.core.tenancy import TenantContext, new_id
from chalicelib.due import service as due
from chalicelib.due.models import DueTimer

START = "campaign.start"
BACKSTOP = timedelta(minutes=2)  # a send whose first queue message was lost starts from its timer then
CONTENT = ("segment_id", "integration_id", "subject", "body", "template")
TEST_CONTACT = "0" * 26  # a test send's links name no contact: its unsubscribe changes nothing


def audit_view(campaign: Campaign) -> dict[str, Any]:
    """What the audit trail records of a campaign."""
    return {name: getattr(campaign, name) for name in ("name", "channel", *CONTENT, "status", "scheduled_at")}


def campaign_read(campaign: Campaign) -> s.CampaignRead:
    """The API view of a campaign."""
    return s.CampaignRead(id=campaign.campaign_id, name=campaign.name, channel=campaign.channel,
                          segment_id=campaign.segment_id, integration_id=campaign.integration_id,
                          subject=campaign.subject, body=campaign.body, template=campaign.template,
                          links=list(campaign.links or []), status=campaign.status, scheduled_at=campaign.scheduled_at,
                          started_at=campaign.started_at, test_sent_at=campaign.test_sent_at,
                          created_by=campaign.created_by, created_at=campaign.created_at,
                          updated_at=campaign.updated_at, version=int(campaign.version or 0))


def get_or_raise(ctx: TenantContext, campaign_id: str, *, action: str = "read") -> Campaign:
    """A campaign the caller may act on, or 403/404."""
    permissions.require(ctx, "campaigns", action)
    campaign = sending.get(ctx, campaign_id)
    if campaign is None:
        raise errors.NotFoundError("No such campaign.")
    return campaign


def list_campaigns(ctx: TenantContext, *, limit: int, cursor: str | None) -> s.CampaignPage:
    """The tenant's campaigns, newest first."""
    permissions.require(ctx, "campaigns", "read")
    page = db.query_page(ctx, Campaign, sending.campaigns_pk(ctx), scope="campaigns", limit=limit, cursor=cursor)
    return s.CampaignPage(items=[campaign_read(item) for item in page.items], next_cursor=page.next_cursor)


def _invalid(loc: str, message: str, code: str = "invalid_campaign") -> errors.ValidationError:
    return errors.ValidationError(message, code=code, details=[{"loc": ["body", loc], "msg": message, "type": code}])


def _check_refs(ctx: TenantContext, campaign: Campaign) -> None:
    from chalicelib.segments import service as segments

    if campaign.segment_id is not None and segments.get(ctx, campaign.segment_id) is None:
        raise _invalid("segment_id", "No such segment", "unknown_reference")
    if campaign.integration_id is not None:
        line = delivery.line_of(ctx, campaign.integration_id)
        wanted = campaign.channel if campaign.channel != "email" else None
        if line is None or getattr(line[1], "channel", None) != wanted:
            raise _invalid("integration_id", f"No active {campaign.channel} line with this id", "unknown_reference")


def _apply(campaign: Campaign, data: Any) -> None:
    for name in ("name", *CONTENT):
        if name in data.model_fields_set:
            value = getattr(data, name)
            setattr(campaign, name, value.model_dump(mode="json") if hasattr(value, "model_dump") else value)
            _known_fields(name, value)
    campaign.links = content.links_of(campaign.body)


def _known_fields(name: str, value: Any) -> None:
    """Refuse what is written as a merge field but is none (``{unsubscribe_url}``, ``{имя}``): it would go to every
    recipient as written. The unsubscribe link needs no field: every channel adds it."""
    texts = {(name, "parameters", i): str(p) for i, p in enumerate(value.parameters)} \
        if name == "template" and value is not None else {(name,): value}
    for loc, text in texts.items():
        if isinstance(text, str) and (unknown := content.unknown_fields(text)):
            message = (f"{unknown[0]} is not a merge field: use {{first_name}}, {{last_name}} or {{name}}; "
                       "the unsubscribe link is added by itself")
            raise errors.ValidationError(message, code="unknown_merge_field", details=[
                {"loc": ["body", *loc], "msg": message, "type": "unknown_merge_field", "ctx": {"field": unknown[0]}}])


def create(ctx: TenantContext, *, data: s.CampaignCreate) -> s.CampaignRead:
    """Make a draft campaign (audited)."""
    permissions.require(ctx, "campaigns", "create")
    usage.require(ctx, wanted=0, now=db.utcnow())
    campaign_id = new_id()
    campaign = Campaign(sending.campaigns_pk(ctx), campaign_id, campaign_id=campaign_id, name=data.name,
                        channel=data.channel, created_by=ctx.actor_id, status="draft")
    _apply(campaign, data)
    _check_refs(ctx, campaign)
    change = db.Change().save(campaign)
    audit.attach(ctx, change, campaign, entity="campaign", entity_id=campaign_id, action="create", before=None,
                 after=audit_view(campaign))
    db.commit(ctx, change)
    return campaign_read(campaign)


def _changeable(campaign: Campaign, version: int) -> None:
    if int(campaign.version or 0) != version:
        raise errors.VersionConflictError()
    if campaign.status not in {"draft", "scheduled"}:
        raise errors.ConflictError("A campaign that is sending or sent no longer changes.", code="campaign_sent")


def update(ctx: TenantContext, campaign_id: str, *, data: s.CampaignUpdate) -> s.CampaignRead:
    """Change a draft or scheduled campaign; a change of what it sends asks for a new test send."""
    campaign = get_or_raise(ctx, campaign_id, action="update")
    _changeable(campaign, data.version)
    before = audit_view(campaign)
    _apply(campaign, data)
    if campaign.channel == "whatsapp" and campaign.body is not None:
        raise _invalid("body", "A WhatsApp campaign sends an approved template, not a body")
    _check_refs(ctx, campaign)
    if any(before[name] != getattr(campaign, name) for name in CONTENT):
        campaign.test_sent_at = None
    change = db.Change().save(campaign)
    audit.attach(ctx, change, campaign, entity="campaign", entity_id=campaign_id, action="update", before=before,
                 after=audit_view(campaign))
    db.commit(ctx, change)
    return campaign_read(campaign)


def delete(ctx: TenantContext, campaign_id: str) -> None:
    """Delete a campaign that is not sending (its results go with it)."""
    campaign = get_or_raise(ctx, campaign_id, action="delete")
    if campaign.status in {"sending", "scheduled"}:
        raise errors.ConflictError("Cancel the campaign first.", code="campaign_sending")
    change = db.Change().delete(campaign)
    audit.attach(ctx, change, campaign, entity="campaign", entity_id=campaign_id, action="delete",
                 before=audit_view(campaign), after=None)
    db.commit(ctx, change)


def _ready(campaign: Campaign) -> None:
    if campaign.channel == "whatsapp" and not (campaign.template or {}).get("name"):
        raise _invalid("template", "Choose the approved template to send", "content_required")
    if campaign.channel != "whatsapp" and not campaign.body:
        raise _invalid("body", "Write the message", "content_required")
    if campaign.channel == "email" and not campaign.subject:
        raise _invalid("subject", "Write the subject", "content_required")
    if campaign.channel != "email" and not campaign.integration_id:
        raise _invalid("integration_id", "Choose the line to send from", "content_required")


def preview(ctx: TenantContext, campaign_id: str) -> s.CampaignPreview:
    """The message as a sample recipient (Anna Smith; Анна Смирнова in Russian) would get it on the campaign's
    channel."""
    from chalicelib.identity import service as identity_service

    campaign = get_or_raise(ctx, campaign_id)
    locale = identity_service.company_locale(ctx)
    rendered = content.render(ctx, campaign, TEST_CONTACT, content.sample(locale), locale=locale, tracked=False)
    return s.CampaignPreview(channel=campaign.channel, subject=rendered.subject, text=rendered.text, html=rendered.html,
                         parameters=list(rendered.parameters))


def _own_number(ctx: TenantContext, typed: str, *, sms: bool) -> str:
    """The tester's number as typed, read as the company's country reads a phone (any format): E.164 for an SMS,
    its digits for WhatsApp (the Graph API's ``to``); 422 ``invalid_phone`` when it is none."""
    from chalicelib.core import phones
    from chalicelib.records import matching

    number = phones.e164(typed.strip(), matching.tenant_region(ctx))
    if number is None:
        raise _invalid("to", "Not a valid phone number", "invalid_phone")
    return number if sms else number.lstrip("+")


def _own_chat(ctx: TenantContext, campaign: Campaign, conversation_id: str | None) -> tuple[str, str]:
    """Where a Telegram test goes: a chat of the campaign's bot the caller may read. A bot cannot write first to
    anyone, so the tester writes to the bot from their own Telegram and chooses that chat: (chat id, its name)."""
    from chalicelib.messaging import service as messaging
    from chalicelib.messaging import threads

    if conversation_id is None:
        raise _invalid("conversation_id", "Write to the bot from your own Telegram, then choose that chat",
                       "to_required")
    with contextlib.suppress(errors.NotFoundError):
        chat = messaging.get_conversation(ctx, conversation_id)
        if chat.channel == "telegram" and chat.integration_id == campaign.integration_id and chat.provider_chat_id:
            return threads.chat_of(ctx, chat), threads.preview_of(ctx, chat, chat.conversation_id)[1] or "Telegram"
    raise _invalid("conversation_id", "No chat of this campaign's bot with this id", "unknown_reference")


def test_send(ctx: TenantContext, campaign_id: str, *, data: s.CampaignTestSend) -> s.CampaignTestSent:
    """Send the campaign's message to the caller (their sign-in e-mail, or their own number), as a recipient named
    as they are would get it; counted in the month's allowance. Required before the campaign goes out."""
    from chalicelib.identity import service as identity_service

    campaign = get_or_raise(ctx, campaign_id, action="update")
    _ready(campaign)
    user = identity_service.get_user(ctx, ctx.actor_id)
    if user is None:
        raise errors.ForbiddenError("A test send goes to a signed-in person.", code="user_required")
    shown = None
    if campaign.channel == "email":
        to = str(user.email)
    elif campaign.channel == "telegram":
        to, shown = _own_chat(ctx, campaign, data.conversation_id)
    elif data.to is None:
        raise _invalid("to", "Give your own number to send the test to", "to_required")
    else:
        to = _own_number(ctx, data.to, sms=campaign.channel == "sms")
    now = db.utcnow()
    names = str(user.name or "").split(" ", 1)
    person = {"first_name": names[0], "last_name": names[1] if len(names) > 1 else ""}
    rendered = content.render(ctx, campaign, TEST_CONTACT, person, locale=identity_service.company_locale(ctx),
                              tracked=False)
    line = delivery.line_of(ctx, campaign.integration_id) if campaign.channel != "email" else None
    counted = db.Change()  # counted once everything the message needs is read: a failure before writes nothing
    usage.count(ctx, counted, 1, now)
    db.commit(ctx, counted)
    try:
        message_id = delivery.send(campaign, to, rendered, line)
    except delivery.Refused as exc:
        raise errors.ValidationError(f"The provider refused the test: {exc}", code="test_refused") from exc
    except delivery.Unavailable as exc:
        raise errors.ServiceUnavailableError("The provider could not take the test now; try again.",
                                             code="provider_unavailable") from exc
    campaign.test_sent_at = now
    db.put(ctx, campaign)
    return s.CampaignTestSent(to=shown or to, provider_message_id=message_id, test_sent_at=now)


def send(ctx: TenantContext, campaign_id: str, *, data: s.CampaignSendIn) -> s.CampaignRead:
    """Send the campaign to its segment now, or schedule it (402 when the month's allowance cannot take the
    segment; 409 before a test send or while the segment is being built)."""
    from chalicelib.segments import service as segments

    campaign = get_or_raise(ctx, campaign_id, action="update")
    _changeable(campaign, data.version)
    _ready(campaign)
    if campaign.test_sent_at is None:
        raise errors.ConflictError("Send yourself a test first.", code="test_send_required")
    segment = segments.get(ctx, campaign.segment_id or "")
    if segment is None:
        raise _invalid("segment_id", "Choose the segment to send to", "content_required")
    if segment.status != "ready":
        raise errors.ConflictError("The segment's members are still being placed; send in a minute.",
                                   code="segment_building")
    now = db.utcnow()
    usage.require(ctx, wanted=segments.counts(ctx, [segment.segment_id]).get(segment.segment_id, 0), now=now)
    before = audit_view(campaign)
    later = data.scheduled_at is not None and data.scheduled_at > now
    campaign.status = "scheduled" if later else "sending"
    campaign.scheduled_at = data.scheduled_at if later else None
    campaign.started_at = None if later else now
    from chalicelib.identity import service as identity_service

    campaign.currency = str(getattr(identity_service.tenant_settings(ctx), "currency", None) or "USD")
    change = db.Change().save(campaign)
    due.set_timer(ctx, kind=START, ref=campaign_id, due_at=campaign.scheduled_at or now + BACKSTOP,
                  change=change)
    audit.attach(ctx, change, campaign, entity="campaign", entity_id=campaign_id, action="send", before=before,
                 after=audit_view(campaign))
    db.commit(ctx, change)
    if not later:
        with contextlib.suppress(errors.ServiceUnavailableError):  # the timer starts it within BACKSTOP
            sending.enqueue([sending.fanout_message(ctx, campaign)])
    return campaign_read(campaign)


def cancel(ctx: TenantContext, campaign_id: str, *, data: s.CampaignVersion) -> s.CampaignRead:
    """Stop a scheduled or sending campaign: what is still queued is dropped."""
    campaign = get_or_raise(ctx, campaign_id, action="update")
    if int(campaign.version or 0) != data.version:
        raise errors.VersionConflictError()
    if campaign.status not in {"scheduled", "sending"}:
        raise errors.ConflictError("Only a scheduled or sending campaign is canceled.", code="not_cancelable")
    before = audit_view(campaign)
    campaign.status = "canceled"
    change = db.Change().save(campaign).delete(DueTimer(due.timers_pk(ctx), due.timer_sk(START, campaign_id)))
    audit.attach(ctx, change, campaign, entity="campaign", entity_id=campaign_id, action="cancel", before=before,
                 after=audit_view(campaign))
    db.commit(ctx, change)
    return campaign_read(campaign)


def fire(ctx: TenantContext, timer: Any) -> None:
    """The due run's handler of ``campaign.start``: a scheduled campaign starts; a sending one whose fan-out has not
    finished gets its current page queued again (dropped if its own message comes first: the step), and the timer
    looks again later, so a lost queue message only delays a campaign."""
    campaign = sending.get(ctx, timer.ref)
    if campaign is None or campaign.status not in {"scheduled", "sending"} or campaign.fanned_out_at is not None:
        return
    if campaign.status == "scheduled":
        campaign.status, campaign.started_at = "sending", db.utcnow()
        db.put(ctx, campaign)
    sending.enqueue([sending.fanout_message(ctx, campaign)])
    due.set_timer(ctx, kind=START, ref=campaign.campaign_id, due_at=db.utcnow() + BACKSTOP)


def results_of(campaign: Campaign, found: CampaignStats | None) -> s.CampaignResults:
    """A campaign's counters and rates."""
    numbers = {name: int(getattr(found, name, 0) or 0) if found is not None else 0 for name in STATS}
    settled = sum(numbers[name] for name in ("sent", "failed", "skipped_consent", "skipped_address", "skipped_limit"))
    sent = numbers["sent"]
    return s.CampaignResults(
        id=campaign.campaign_id, name=campaign.name, channel=campaign.channel, status=campaign.status,
        started_at=campaign.started_at, in_flight=max(numbers["recipients"] - settled, 0), currency=campaign.currency,
        delivery_rate=round(numbers["delivered"] / sent, 4) if sent else 0.0,
        open_rate=round(numbers["opened"] / sent, 4) if sent else 0.0,
        click_rate=round(numbers["clicked"] / sent, 4) if sent else 0.0, **numbers)


def results(ctx: TenantContext, campaign_id: str) -> s.CampaignResults:
    """One campaign's results (a GetItem of its counters)."""
    campaign = get_or_raise(ctx, campaign_id)
    return results_of(campaign, db.get(ctx, CampaignStats, sending.stats_pk(ctx), campaign_id))


MESSAGE_TIMES = ("sent_at", "delivered_at", "read_at", "bounced_at", "complained_at", "undelivered_at", "opened_at",
                 "clicked_at")


def _shown(marker: SendMarker, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == "skipped":
        return marker.status.startswith("skipped_")
    if wanted == "failed":
        return marker.status == "failed"
    return marker.status == "sent" and (marker.delivery or "sent") == wanted


def messages(ctx: TenantContext, campaign_id: str, *, query: s.CampaignMessagesQuery) -> s.CampaignMessagePage:
    """A campaign's messages, one per recipient, with what the provider said of each (one Query of its markers and
    one BatchGetItem naming their contacts; a state filter reads the page and keeps the matching ones)."""
    from chalicelib.records import naming

    campaign = get_or_raise(ctx, campaign_id)
    page = db.query_page(ctx, SendMarker, sending.markers_pk(ctx), scope=f"campaign-messages:{campaign_id}:"
                         f"{query.delivery or 'all'}", limit=query.limit, cursor=query.cursor, newest_first=False,
                         range_key_condition=SendMarker.sk.startswith(f"{campaign.campaign_id}#"),
                         keep=lambda item: isinstance(item, SendMarker) and _shown(item, query.delivery))
    names = naming.record_names(ctx, [("contact", item.contact_id) for item in page.items])
    return s.CampaignMessagePage(next_cursor=page.next_cursor, items=[s.CampaignMessageRead(
        contact_id=item.contact_id, contact_name=names.get(("contact", item.contact_id)), status=item.status,
        delivery=item.delivery if item.status == "sent" else None, reason=item.reason,
        **{name: getattr(item, name) for name in MESSAGE_TIMES}) for item in page.items])


def report(ctx: TenantContext, *, query: s.CampaignReportQuery) -> s.CampaignsReport:
    """The results of the campaigns started in a period (30 days by default): a Query of the campaigns and one
    BatchGetItem of their counters per 100."""
    permissions.require(ctx, "campaigns", "read")
    end = query.to or db.utcnow()
    start = query.from_ or end - timedelta(days=30)
    with db.translate_errors():
        found = [item for item in Campaign.query(sending.campaigns_pk(ctx)) if isinstance(item, Campaign)
                 and item.started_at is not None and start <= item.started_at <= end]
    items = []
    for batch in db.each_in_batches(found, 100):
        stats = db.get_many(ctx, [(sending.stats_pk(ctx), item.campaign_id) for item in batch])
        for item in batch:
            counted = stats.get((sending.stats_pk(ctx), item.campaign_id))
            items.append(results_of(item, counted if isinstance(counted, CampaignStats) else None))
    items.sort(key=lambda row: row.started_at or datetime.min, reverse=True)
    return s.CampaignsReport(items=items)


# -- consent on the contact card -------------------------------------------------------------------------------


def _contact(ctx: TenantContext, contact_id: str, action: str) -> Any:
    from chalicelib.contacts.record import CONTACT
    from chalicelib.records import access

    return access.get_or_raise(ctx, CONTACT, contact_id, action=action)


def consent_read(ctx: TenantContext, contact_id: str) -> s.ConsentRead:
    """A contact's consent per channel (who may read the contact)."""
    contact = _contact(ctx, contact_id, "read")
    shown = consent.view(consent.get(ctx, contact_id), contact)
    return s.ConsentRead(contact_id=contact_id, **{k: s.ConsentState(**{n: v.get(n) for n in ("status", "source",
                                                                                                 "at", "by")})
                                                   for k, v in shown.items()})


def consent_update(ctx: TenantContext, contact_id: str, *, data: s.ConsentIn) -> s.ConsentRead:
    """Grant or withdraw channels' consent (who may change the contact), with its source; audited."""
    _contact(ctx, contact_id, "update")
    states = {channel: getattr(data, channel) for channel in consent.CHANNELS if getattr(data, channel) is not None}
    if states:
        consent.change(ctx, contact_id, states, source=data.source, by=ctx.actor_id)
    return consent_read(ctx, contact_id)
