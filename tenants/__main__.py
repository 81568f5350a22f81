"""``python -m tenants``: the operator's commands on tenants (run outside Lambda, with the stage's AWS).

    python -m tenants list [--status deleting]
    python -m tenants provision --company <name> --email <owner e-mail> [--name <owner>] [--country GB] [--plan pro]
    python -m tenants show --tenant <id>
    python -m tenants suspend --tenant <id>
    python -m tenants resume --tenant <id>
    python -m tenants usage --tenant <id> [--month YYYYMM] [--recount]
    python -m tenants sync-plans
    python -m tenants verify-audit --tenant <id>
    python -m tenants export --tenant <id> --out <file.zip>
    python -m tenants import --file <file.zip> --into-new-tenant
    python -m tenants delete --tenant <id> [--now | --cancel | --grace-days N]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from chalicelib.billing.catalog import PLANS
from chalicelib.core import errors


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m tenants", description="Operate on the CRM's tenants.")
    commands = top.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list tenants")
    listing.add_argument("--status", choices=["active", "suspended", "deleting"], help="only tenants in this status")
    provision = commands.add_parser("provision", help="create a tenant and its owner (on the trial, or a plan)")
    provision.add_argument("--company", required=True, help="the company's name")
    provision.add_argument("--email", required=True, help="the owner's e-mail")
    provision.add_argument("--name", default="Owner", help="the owner's name")
    provision.add_argument("--country", default="US", help="ISO 3166 country (sets the currency)")
    provision.add_argument("--plan", choices=list(PLANS), help="grant a plan without Stripe (invoiced elsewhere)")
    for name, text in (("show", "a tenant's plan, subscription and usage"),
                       ("suspend", "suspend a tenant: nobody signs in, nothing is deleted"),
                       ("resume", "resume a suspended tenant")):
        commands.add_parser(name, help=text).add_argument("--tenant", required=True, help="the tenant id")
    usage = commands.add_parser("usage", help="a tenant's counters and its estimated monthly AWS cost")
    usage.add_argument("--tenant", required=True, help="the tenant id")
    usage.add_argument("--month", help="YYYYMM (default: this month)")
    usage.add_argument("--recount", action="store_true",
                       help="first set the usage counters from what the tenant holds (tenants from before billing)")
    commands.add_parser("sync-plans", help="create or update the Stripe products and prices of the plan catalog")
    verify = commands.add_parser("verify-audit", help="verify every audit hash chain of a tenant")
    verify.add_argument("--tenant", required=True, help="the tenant id")
    export = commands.add_parser("export", help="write a tenant's export archive (sealed values in clear)")
    export.add_argument("--tenant", required=True, help="the tenant id")
    export.add_argument("--out", required=True, help="the zip file to write")
    load = commands.add_parser("import", help="create a new tenant from an export archive")
    load.add_argument("--file", required=True, help="the export archive (zip)")
    load.add_argument("--into-new-tenant", action="store_true", required=True,
                      help="required: the data always lands in a new tenant with a new id and data key")
    delete = commands.add_parser("delete", help="schedule, cancel or carry out a tenant's deletion")
    delete.add_argument("--tenant", required=True, help="the tenant id")
    when = delete.add_mutually_exclusive_group()
    when.add_argument("--now", action="store_true", help="purge now: destroy the data key, then every item")
    when.add_argument("--cancel", action="store_true", help="cancel a scheduled deletion")
    when.add_argument("--grace-days", type=int, default=30, help="days before the purge (default 30)")
    return top


def _import(out: TextIO, path: str) -> int:
    from tenants import importer

    summary = importer.import_archive(path)
    out.write(f"imported tenant {summary.source_tenant_id} as NEW tenant {summary.tenant_id}: "
              f"{sum(summary.counts.values())} items, {summary.relinked_chains} audit chains re-linked\n")
    for chain in summary.broken_chains:
        out.write(f"  audit chain already broken in the archive, kept as it was: {chain}\n")
    if summary.users_to_reset:
        out.write(f"  {len(summary.users_to_reset)} user(s) must set a password with a reset link: "
                  f"{', '.join(summary.users_to_reset)}\n")
    if summary.api_keys_to_reissue:
        keys = ", ".join(summary.api_keys_to_reissue)
        out.write(f"  API keys to issue again (secrets never leave a tenant): {keys}\n")
    return 0


PLAN_COMMANDS = ("provision", "show", "suspend", "resume", "usage", "sync-plans")


def _plans(args: argparse.Namespace, out: TextIO) -> int:
    from tenants import plans

    if args.command == "provision":
        return plans.provision(out, company=args.company, email=args.email, name=args.name, country=args.country,
                               plan=args.plan)
    if args.command == "show":
        return plans.show(out, args.tenant)
    if args.command in ("suspend", "resume"):
        return plans.set_status(out, args.tenant, active=args.command == "resume")
    if args.command == "usage":
        if args.recount:
            plans.recount(out, args.tenant)
        return plans.usage(out, args.tenant, month=args.month)
    return plans.sync_plans(out)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Carry out one parsed command."""
    import app  # noqa: F401 - loads every domain, so their registrations (data, reverters) are in place
    from tenants import commands

    if args.command == "list":
        return commands.list_tenants(out, status=args.status)
    if args.command in PLAN_COMMANDS:
        return _plans(args, out)
    if args.command == "verify-audit":
        return commands.verify_audit(out, args.tenant)
    if args.command == "export":
        return commands.export_tenant(out, args.tenant, path=args.out)
    if args.command == "import":
        return _import(out, args.file)
    return commands.delete_tenant(out, args.tenant, now=args.now, cancel=args.cancel, grace_days=args.grace_days)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    """Parse argv, run the command; 0 on success, 1 when something is wrong (printed to stderr)."""
    args = parser().parse_args(argv)
    try:
        return run(args, out)
    except (ValueError, errors.CRMError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
