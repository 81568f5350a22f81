"""``python -m tenants``: the operator's commands on tenants (run outside Lambda, with the stage's AWS).

    python -m tenants list [--status deleting]
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

from chalicelib.core import errors


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m tenants", description="Operate on the CRM's tenants.")
    commands = top.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list tenants")
    listing.add_argument("--status", choices=["active", "suspended", "deleting"], help="only tenants in this status")
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


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Carry out one parsed command."""
    import app  # noqa: F401 - loads every domain, so their registrations (data, reverters) are in place
    from tenants import commands

    if args.command == "list":
        return commands.list_tenants(out, status=args.status)
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
