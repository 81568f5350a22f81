"""The stage's application secret (JWT keys, cursor and blind-index keys) from Secrets Manager.

Fetched through Powertools Parameters, which caches it for a few minutes, so a warm Lambda makes
no Secrets Manager call per request and a rotated key is picked up without a deploy.
"""

from __future__ import annotations

import base64
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings

CACHE_SECONDS = 300
_provider: Any = None


def _secrets_provider() -> Any:
    global _provider
    if _provider is None:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        _provider = SecretsProvider(boto3_client=aws.client("secretsmanager"))
    return _provider


def app_secret(*, fresh: bool = False) -> dict[str, Any]:
    """The application secret as a dict, cached (fresh: fetch it again now)."""
    value = _secrets_provider().get(settings.app_secret_id, transform="json", max_age=CACHE_SECONDS,
                                    force_fetch=fresh)
    if not isinstance(value, dict):
        raise RuntimeError("the application secret is not a JSON object")
    return value


def _key(name: str) -> bytes:
    return base64.b64decode(app_secret()[name])


def cursor_key() -> bytes:
    """HMAC key that signs list cursors."""
    return _key("cursor_key")


def blind_index_key() -> bytes:
    """HMAC key of the blind indexes (exact-match lookups of encrypted values)."""
    return _key("blind_index_key")


def hook_key() -> bytes:
    """HMAC key that derives lookup ids of webhook integration keys."""
    return _key("hook_key")


def stripe_api_key() -> str | None:
    """The stage's Stripe secret key (None when billing is not configured)."""
    return app_secret().get("stripe_api_key") or None


def stripe_webhook_secret() -> str | None:
    """The signing secret of the stage's Stripe webhook endpoint (``whsec_...``)."""
    return app_secret().get("stripe_webhook_secret") or None


def jwt_keys(*, fresh: bool = False) -> list[dict[str, str]]:
    """JWT signing keys, newest first: the first signs, all verify (rotation by ``kid``)."""
    return list(app_secret(fresh=fresh)["jwt_keys"])


def reset() -> None:
    """Forget the cached provider and secret (tests that swap the embedded AWS)."""
    global _provider
    _provider = None
