"""``python -m webhooks``: the integrator's tools.

    python -m webhooks simulate form --url <webhook url> [--field name=value ...] [--count N]
        [--duplicates PCT] [--format urlencoded|multipart|json] [--concurrency C] [--secret whsec_...]
    python -m webhooks simulate zadarma|mango|twilio|pbx --url <webhook url> --secret <secret>
        [--key <api key or account sid>] [--scenario answered|missed|outbound|all] [--customer +7...]
        [--extension 101]

    python -m webhooks simulate whatsapp --url <webhook url> --secret <app secret> --verify-token <whsec_...>
        [--scenario text|image|ad|statuses|all] [--customer +7...] [--name ...] [--phone-number-id ...]
        [--reply-id wamid...]
    python -m webhooks simulate telegram --url <webhook url> --secret <whsec_...> [--chat-id N] [--start-code ...]
    python -m webhooks simulate sms --url <twilio line's webhook url> --secret <auth token> --key <account SID>
        [--customer +7...] [--reply-id SM...] [--status sent|delivered|undelivered|failed ...]
    python -m webhooks simulate ses-events [--event delivery|bounce|soft-bounce|complaint|reject ...]
        [--message-id <SES message id>] [--last N] [--queue ...] [--endpoint ...]
    python -m webhooks simulate email --to <line's forwarding address> [--scenario new|reply|auto|all]
        [--from maria@example.com] [--name ...] [--fail dmarc|spf-dkim|virus] [--reply-to <Message-ID of our reply>]
        [--bucket ...] [--endpoint ...]

For a provider, ``--secret`` is what the provider signs with: Zadarma's api_secret, Mango's api_salt,
Twilio's auth_token, or a PBX integration's own secret (whsec_...); ``--key`` is Zadarma's or Mango's
api_key, or Twilio's account SID. WhatsApp signs with the Meta app's secret and checks the URL with the
integration's secret as verify token; Telegram sends the integration's secret as its secret token. E-mail is not
posted: a real MIME message is put where SES's receipt rule stores mail (the mail bucket of ``make run``'s embedded
AWS, ``.local/aws-endpoint``), and S3's notification brings it to the app, as in AWS. SES's delivery events of
campaign e-mails are not posted either: for the campaign e-mails in ``.local/outbox.jsonl`` (the last one, the last
N, or one by SES's message id) each event is put on the campaign mail events queue as SNS delivers it (#24). A
campaign SMS's or WhatsApp template's statuses are the sms and whatsapp statuses above, with the message's sid or
wamid as ``--reply-id``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from webhooks import mail, messengers, ses_events, simulate
from webhooks.providers import SCENARIOS, Call

PROVIDERS = ("zadarma", "mango", "twilio", "pbx")


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m webhooks", description="Play providers against a running CRM.")
    commands = top.add_subparsers(dest="command", required=True)
    sim = commands.add_parser("simulate", help="send simulated deliveries")
    kinds = sim.add_subparsers(dest="kind", required=True)
    form = kinds.add_parser("form", help="a website form posting leads")
    form.add_argument("--url", required=True, help="the form integration's webhook URL")
    form.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                      help="a form field (repeatable); default: a sample lead")
    form.add_argument("--count", type=int, default=1, help="how many submissions (default 1)")
    form.add_argument("--duplicates", type=float, default=0.0, metavar="PCT",
                      help="percent of submissions that repeat an earlier one (default 0)")
    form.add_argument("--format", choices=simulate.FORMATS, default="urlencoded", help="the body format")
    form.add_argument("--concurrency", type=int, default=1, help="parallel senders (default 1)")
    form.add_argument("--secret", help="sign requests with the integration's secret (require_signature)")
    for provider in PROVIDERS:
        one = kinds.add_parser(provider, help=f"{provider}: an answered, a missed and an outbound call")
        one.add_argument("--url", required=True, help="the integration's webhook URL")
        one.add_argument("--secret", required=True, help="what the provider signs with (see above)")
        one.add_argument("--key", help="the provider's API key or account SID, where it signs with one")
        one.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
        one.add_argument("--customer", default=Call.customer, help="the customer's number")
        one.add_argument("--line", default=Call.line, help="the business's number")
        one.add_argument("--extension", default=Call.extension, help="the employee's extension or SIP login")
    whatsapp = kinds.add_parser("whatsapp", help="WhatsApp Cloud API: the URL check, messages, statuses")
    whatsapp.add_argument("--url", required=True, help="the integration's webhook URL")
    whatsapp.add_argument("--secret", required=True, help="the Meta app's secret (it signs the notifications)")
    whatsapp.add_argument("--verify-token", required=True, help="the integration's secret (whsec_...)")
    whatsapp.add_argument("--scenario", choices=(*messengers.SCENARIOS, "all"), default="all")
    whatsapp.add_argument("--customer", default=messengers.Chat.customer, help="the customer's number")
    whatsapp.add_argument("--name", default=messengers.Chat.name, help="the customer's WhatsApp profile name")
    whatsapp.add_argument("--phone-number-id", default=messengers.Chat.phone_number_id,
                          help="the business number's id (the integration's phone_number_id)")
    whatsapp.add_argument("--reply-id", help="a wamid of our reply, for the statuses scenario")
    telegram = kinds.add_parser("telegram", help="Telegram Bot API: a chat with a bot (/start, text, photo, edit)")
    telegram.add_argument("--url", required=True, help="the integration's webhook URL")
    telegram.add_argument("--secret", required=True, help="the integration's secret (Telegram's secret token)")
    telegram.add_argument("--chat-id", type=int, default=messengers.Chat.chat_id, help="the customer's chat id")
    telegram.add_argument("--name", default=messengers.Chat.name, help="the customer's name in Telegram")
    telegram.add_argument("--start-code", help="a deep link's code (from a contact card) to bind the chat with")
    sms = kinds.add_parser("sms", help="SMS to a Twilio line: a customer's message (and our reply's statuses)")
    sms.add_argument("--url", required=True, help="the Twilio line's webhook URL")
    sms.add_argument("--secret", required=True, help="the account's auth token (Twilio signs with it)")
    sms.add_argument("--key", required=True, help="the account SID (AC...)")
    sms.add_argument("--customer", default=messengers.Chat.customer, help="the customer's number")
    sms.add_argument("--reply-id", help="the sid (SM...) of our reply or campaign message, for its statuses")
    sms.add_argument("--status", action="append", choices=messengers.SMS_STATUSES,
                     help="a status of --reply-id to report (repeatable; default: sent, delivered)")
    ses = kinds.add_parser("ses-events", help="SES's delivery events of campaign e-mails, as SNS delivers them")
    ses.add_argument("--event", action="append", choices=ses_events.EVENTS,
                     help="an event to publish (repeatable; default: delivery)")
    ses.add_argument("--message-id", help="SES's message id of a campaign e-mail (default: the last one sent)")
    ses.add_argument("--last", type=int, default=1, help="the last N campaign e-mails (default 1)")
    ses.add_argument("--queue", default="crm-local-campaign-mail-events", help="the campaign mail events queue")
    ses.add_argument("--outbox", help="make run's outbox (default .local/outbox.jsonl)")
    ses.add_argument("--endpoint", help="the embedded AWS (default: what .local/aws-endpoint names)")
    email = kinds.add_parser("email", help="e-mail forwarded to a line's address, dropped where SES stores mail")
    email.add_argument("--to", required=True, help="the line's forwarding address (its settings' inbound_address)")
    email.add_argument("--scenario", choices=(*mail.SCENARIOS, "all"), default="new")
    email.add_argument("--from", dest="sender", default=mail.Correspondent.sender, help="the customer's address")
    email.add_argument("--name", default=mail.Correspondent.name, help="the customer's name")
    email.add_argument("--fail", choices=sorted(mail.FAILURES),
                       help="SES's verdict FAIL: dmarc (a spoofed sender), spf-dkim (the same from a domain without "
                            "DMARC), virus (the files are not kept); default: every verdict PASS")
    email.add_argument("--reply-to", help="the Message-ID our reply went out with (the reply scenario answers it)")
    email.add_argument("--bucket", default="crm-local-mail-in", help="the mail bucket (CRM_INBOUND_MAIL_BUCKET)")
    email.add_argument("--endpoint", help="the embedded AWS (default: what .local/aws-endpoint names)")
    return top


def simulate_email(args: argparse.Namespace, out: TextIO) -> int:
    """Drop the scenario's messages where SES would store them, printing each object's key."""
    who = mail.Correspondent(forward_to=args.to, sender=args.sender, name=args.name,
                             verdicts=mail.FAILURES[args.fail] if args.fail else mail.Verdicts())
    endpoint = args.endpoint or mail.local_endpoint()
    dropped = 0
    for scenario in mail.SCENARIOS if args.scenario == "all" else (args.scenario,):
        for message in mail.messages(scenario, who, reply_to=args.reply_to):
            key = mail.drop(message, bucket=args.bucket, endpoint=endpoint)
            dropped += 1
            print(f"{scenario}: {message['Message-ID']} -> s3://{args.bucket}/{key}", file=out)
    return 0 if dropped else 1


def simulate_ses_events(args: argparse.Namespace, out: TextIO) -> int:
    """Put each chosen SES event of the chosen campaign e-mails on the campaign mail events queue."""
    from pathlib import Path

    outbox = Path(args.outbox) if args.outbox else Path(__file__).resolve().parent.parent / ".local" / "outbox.jsonl"
    sent = ses_events.campaign_mails(outbox)
    chosen = [m for m in sent if m["message_id"] == args.message_id] if args.message_id else sent[-max(args.last, 1):]
    if not chosen:
        print("no campaign e-mail in the outbox" + (f" with id {args.message_id}" if args.message_id else ""), file=out)
        return 1
    endpoint = args.endpoint or mail.local_endpoint()
    for found in chosen:
        for kind in args.event or ["delivery"]:
            record = ses_events.event(kind, message_id=found["message_id"], tenant_id=found["tenant_id"],
                                      campaign_id=found["campaign_id"], contact_id=found["contact_id"],
                                      recipient=found["recipient"])
            queued = ses_events.deliver(record, queue=args.queue, endpoint=endpoint)
            print(f"{kind}: {found['message_id']} -> {args.queue} ({queued})", file=out)
    return 0


def simulate_calls(args: argparse.Namespace, out: TextIO, sender: simulate.Sender | None) -> int:
    """Play the chosen scenarios of a provider, one call each, printing every answer."""
    module = importlib.import_module(f"webhooks.providers.{args.kind}")
    send = sender or simulate.http_sender()
    failed = 0
    for scenario in SCENARIOS if args.scenario == "all" else (args.scenario,):
        call = Call(customer=args.customer, line=args.line, extension=args.extension)
        for request in module.requests(scenario, args.url, key=args.key, secret=args.secret, call=call):
            answer = send(request)
            failed += answer.status >= 300
            print(f"{scenario}: {request.method} -> {answer.status} {answer.body[:80]!r}", file=out)
    return 1 if failed else 0


def simulate_messenger(args: argparse.Namespace, out: TextIO, sender: simulate.Sender | None) -> int:
    """Play a messenger's requests, signed as it signs them, printing every answer."""
    send = sender or simulate.http_sender()
    if args.kind == "whatsapp":
        chat = messengers.Chat(customer=args.customer, name=args.name, phone_number_id=args.phone_number_id)
        plays = [(scenario, messengers.whatsapp_requests(scenario, args.url, app_secret=args.secret,
                                                         verify_token=args.verify_token, chat=chat,
                                                         reply_id=args.reply_id))
                 for scenario in (messengers.SCENARIOS if args.scenario == "all" else (args.scenario,))]
    elif args.kind == "sms":
        plays = [("sms", messengers.sms_requests(args.url, auth_token=args.secret, account_sid=args.key,
                                                 chat=messengers.Chat(customer=args.customer),
                                                 reply_id=args.reply_id, statuses=tuple(args.status or ())))]
    else:
        chat = messengers.Chat(chat_id=args.chat_id, name=args.name)
        plays = [("chat", messengers.telegram_requests(args.url, secret_token=args.secret, chat=chat,
                                                       start_code=args.start_code))]
    failed = 0
    for scenario, requests in plays:
        for request in requests:
            answer = send(request)
            failed += answer.status >= 300
            print(f"{scenario}: {request.method} -> {answer.status} {answer.body[:80]!r}", file=out)
    return 1 if failed else 0


def fields_from(pairs: list[str]) -> dict[str, str]:
    """``name=value`` arguments as fields (the sample lead when none are given)."""
    if not pairs:
        return dict(simulate.DEFAULT_FIELDS)
    fields: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--field takes NAME=VALUE, not {pair!r}")
        fields[name] = value
    return fields


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout,
         sender: simulate.Sender | None = None) -> int:
    """Run a command; the exit status is 0 when every submission was accepted."""
    args = parser().parse_args(argv)
    if args.kind in PROVIDERS:
        return simulate_calls(args, out, sender)
    if args.kind in ("whatsapp", "telegram", "sms"):
        return simulate_messenger(args, out, sender)
    if args.kind == "email":
        return simulate_email(args, out)
    if args.kind == "ses-events":
        return simulate_ses_events(args, out)
    if args.count < 1 or args.concurrency < 1 or not 0 <= args.duplicates <= 100:
        raise SystemExit("--count and --concurrency must be at least 1, --duplicates 0 to 100")
    report = simulate.simulate_form(args.url, fields_from(args.field), count=args.count,
                                    duplicates=args.duplicates, fmt=args.format, concurrency=args.concurrency,
                                    secret=args.secret, sender=sender)
    for line in report.lines():
        print(line, file=out)
    return 0 if set(report.statuses) <= {200} else 1


if __name__ == "__main__":
    raise SystemExit(main())
