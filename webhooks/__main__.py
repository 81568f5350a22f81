"""``python -m webhooks``: the integrator's tools.

    python -m webhooks simulate form --url <webhook url> [--field name=value ...] [--count N]
        [--duplicates PCT] [--format urlencoded|multipart|json] [--concurrency C] [--secret whsec_...]
    python -m webhooks simulate zadarma|mango|twilio|pbx --url <webhook url> --secret <secret>
        [--key <api key or account sid>] [--scenario answered|missed|outbound|all] [--customer +7...]
        [--extension 101]

For a provider, ``--secret`` is what the provider signs with: Zadarma's api_secret, Mango's api_salt,
Twilio's auth_token, or a PBX integration's own secret (whsec_...); ``--key`` is Zadarma's or Mango's
api_key, or Twilio's account SID.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from webhooks import simulate
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
    return top


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
