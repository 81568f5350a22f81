"""Generation and rotation of the stage's application secret (never stored in the repository)."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ulid import ULID


def new_signing_key() -> dict[str, str]:
    """Return a fresh Ed25519 JWT signing key with its key id, PEM encoded."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return {"kid": str(ULID()), "private_pem": private_pem, "public_pem": public_pem}


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def stripe_sandbox_keys() -> dict[str, str]:
    """Stripe keys for a stage without a Stripe account: the local sandbox accepts them, and the app never sends
    a ``sk_test_sandbox_`` key to Stripe itself. A real stage's operator replaces both (infra/README.md)."""
    return {"stripe_api_key": f"sk_test_sandbox_{secrets.token_hex(16)}",
            "stripe_webhook_secret": f"whsec_{secrets.token_hex(24)}"}


def generate_app_secret() -> dict[str, Any]:
    """Return a new application secret: JWT keys, cursor and blind-index keys, (sandbox) Stripe keys."""
    return {
        "jwt_keys": [new_signing_key()],
        "cursor_key": _random_key(),
        "blind_index_key": _random_key(),
        "hook_key": _random_key(),
        **stripe_sandbox_keys(),
    }


def rotate_jwt_key(secret: dict[str, Any], *, keep: int = 2) -> dict[str, Any]:
    """Put a new signing key first (it signs from now on) and keep the last ones for verification."""
    keys = [new_signing_key(), *secret.get("jwt_keys", [])][: keep + 1]
    return {**secret, "jwt_keys": keys}


def ensure_app_secret(client: Any, secret_id: str) -> bool:
    """Create the application secret if it does not exist (or give an older one the keys it lacks: Stripe's);
    return True when created."""
    try:
        client.describe_secret(SecretId=secret_id)
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=secret_id, SecretString=json.dumps(generate_app_secret()))
        return True
    try:
        current = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    except (ValueError, KeyError, client.exceptions.ResourceNotFoundException):
        return False  # a placeholder (the deploy bootstrap fills it), or no value yet
    if not isinstance(current, dict) or "jwt_keys" not in current:
        return False
    missing = {name: value for name, value in stripe_sandbox_keys().items() if name not in current}
    if missing:
        client.put_secret_value(SecretId=secret_id, SecretString=json.dumps({**current, **missing}))
    return False
