"""The demo tenant of ``make run``: created once on an empty embedded AWS, its logins printed.

The passwords are generated on the first start and kept in ``.local/demo-logins.json`` (never in
the repository); a restored snapshot already holds the tenant, so the second start only prints.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from local.paths import local_dir

OWNER_EMAIL = "owner@demo.example.com"
AGENT_EMAIL = "agent@demo.example.com"


def _logins_file() -> Path:
    return local_dir() / "demo-logins.json"


def _create() -> dict[str, str]:
    from chalicelib.core.tenancy import bind
    from chalicelib.identity import service

    logins = {"owner": secrets.token_urlsafe(9), "agent": secrets.token_urlsafe(9)}
    ctx, _, _ = service.signup(company_name="Demo Flowers Ltd", name="Olga Owner", email=OWNER_EMAIL,
                               password=logins["owner"], locale="en", country="GB", email_confirmed=True)
    with bind(ctx):
        agent = service.create_active_user(ctx, email=AGENT_EMAIL, name="Anton Agent", role="agent",
                                           password=logins["agent"])
        logins.update(_phone_line(ctx, owner_id=ctx.actor_id, agent_id=str(agent.user_id)))
    _month(logins["owner"], agent_id=str(agent.user_id))
    return logins


def _month(password: str, *, agent_id: str) -> None:
    """A month of the flower shop's work, so a newcomer sees the product working (local/demo_month.py), filled in
    the background: the runner answers meanwhile (the seeding thread alone sees the clock moved back)."""
    import importlib
    import threading

    from local.demo_month import seed_month, sign_in

    app = importlib.import_module("app").app  # the app the runner serves (already imported)

    def fill() -> None:
        try:
            seed_month(app, sign_in(app, OWNER_EMAIL, password), agent_id=agent_id)
        except Exception as exc:  # noqa: BLE001 - the demo works without its month; say why
            print(f"demo month not filled: {exc}", flush=True)

    threading.Thread(target=fill, name="demo-month", daemon=True).start()


def _phone_line(ctx: object, *, owner_id: str, agent_id: str) -> dict[str, str]:
    """A PBX line of the demo company (extensions 101: the owner, 102: the agent), to play calls into."""
    from chalicelib.integrations import schemas, service

    integration, secret = service.create(ctx, data=schemas.IntegrationCreate(  # type: ignore[arg-type]
        type="pbx", name="Office PBX", settings={"extensions": {"101": owner_id, "102": agent_id}}))
    return {"pbx_url": service.webhook_url(ctx, integration), "pbx_secret": secret}  # type: ignore[arg-type]


def _exists() -> bool:
    from chalicelib.identity.models import EmailLogin
    from chalicelib.identity.service import email_login_key

    return any(True for _ in EmailLogin.query(email_login_key(OWNER_EMAIL), limit=1))


def seed_demo_tenant() -> list[str]:
    """Create the demo tenant if it does not exist yet; returns lines for the banner (logins, hints)."""
    path = _logins_file()
    if not _exists():
        logins = _create()
        path.write_text(json.dumps(logins))
        path.chmod(0o600)
    logins = json.loads(path.read_text()) if path.exists() else {}
    if not logins:
        return ["demo tenant exists, but .local/demo-logins.json is gone: reset a password from the login page"]
    lines = [
        f"demo tenant 'Demo Flowers Ltd', a month of a flower shop's work in it "
        f"(passwords generated on first start, kept in {path}):",
        f"  owner  {OWNER_EMAIL}  {logins['owner']}",
        f"  agent  {AGENT_EMAIL}  {logins['agent']}",
    ]
    if logins.get("pbx_url"):
        lines.append("  calls into its PBX line (extensions 101 owner, 102 agent): python -m webhooks simulate pbx "
                     f"--url {logins['pbx_url']} --secret {logins['pbx_secret']}")
    return lines
