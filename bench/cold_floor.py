"""The floor under a cold Lambda's first card: the SDK's own work, and the stack's, with none of our code.

bench.cold_card measures a cold Lambda's Init and first contact card whole. What part of it no code of ours could
avoid is measured here, in fresh interpreters like the card's, against the same bare ``import boto3``:

- **record** (``python -m bench.cold_floor record <file> <contact id> <access token>``, not measured): runs the
  cold card exactly as bench.cold_card does, with botocore's events writing down every AWS request it makes
  (service, operation, parameters) and the answer it got, into file;
- **sdk** (``python -m bench.cold_floor sdk <file> <replay endpoint>``): a fresh interpreter imports boto3, makes
  the card's clients from one botocore session with the app's client configuration (``core/aws.py``) and makes
  exactly the card's requests, which bench.aws_process's replay server answers exactly as the card was answered;
- **stack** (``... stack <file> <replay endpoint>``): the same, after importing the libraries the card's path
  uses as they load there (Chalice, Powertools' logger, metrics and parameters, PynamoDB, pydantic, cryptography,
  PyJWT, python-ulid).

Each prints its CPU up to its last answer (``cold_card.cpu_so_far``); bench.cold_start loads the recorded answers
into the replay server before each run and takes the medians.
"""

from __future__ import annotations

import base64
import json
import sys
from contextlib import suppress
from typing import Any

# The third-party modules a first card loads besides boto3 (bench.cold_start's -X importtime breakdown), as it
# loads them: Chalice's app, Powertools' logger and metrics (core.observability) and parameters (core.secrets),
# PynamoDB's models (core.db), pydantic's models with constrained fields (the schemas), cryptography's AES-GCM,
# HKDF and Ed25519 (core.crypto, the tenant key; the token), PyJWT and python-ulid (core.tenancy).
STACK = ("chalice.app", "aws_lambda_powertools.logging", "aws_lambda_powertools.metrics",
         "aws_lambda_powertools.utilities.parameters", "pynamodb.models", "pynamodb.attributes", "pydantic.main",
         "pydantic.types", "annotated_types", "cryptography.hazmat.primitives.ciphers.aead",
         "cryptography.hazmat.primitives.kdf.hkdf", "cryptography.hazmat.primitives.asymmetric.ed25519", "jwt",
         "ulid")


def _plain(value: Any) -> Any:
    """Parameters as JSON can hold them (bytes, as a binary attribute or a KMS blob, tagged in base64)."""
    if isinstance(value, bytes | bytearray):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def _python(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {key: _python(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_python(item) for item in value]
    return value


def record(path: str, contact_id: str, token: str) -> None:
    """Serve the cold card as bench.cold_card does, writing its AWS requests and answers to path."""
    import botocore.handlers

    requests: list[dict[str, Any]] = []

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_params"] = _plain(params)

    def after(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        if "bench_params" in context:
            requests.append({"service": model.service_model.service_name, "operation": model.name,
                             "params": context.pop("bench_params"), "status": http_response.status_code,
                             "headers": dict(http_response.headers),
                             "body": base64.b64encode(http_response.content).decode()})

    botocore.handlers.BUILTIN_HANDLERS.extend([("before-parameter-build", before), ("after-call", after)])
    from app import app
    from bench.cold_card import Context, card_event

    answer = app(card_event(contact_id, token), Context())
    if answer["statusCode"] != 200:
        raise RuntimeError(f"the recorded card answered {answer['statusCode']}")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(requests, file)


def answers(path: str) -> list[dict[str, Any]]:
    """The recorded answers, as the replay server's ``POST /load`` takes them."""
    with open(path, encoding="utf-8") as file:
        return [{"status": r["status"], "headers": r["headers"], "body": r["body"]} for r in json.load(file)]


def floor(path: str, endpoint: str, *, stack: bool) -> None:
    """The card's clients and requests with bare boto3 (after the stack's imports); prints the CPU so far."""
    import importlib

    import boto3

    if stack:
        for module in STACK:
            importlib.import_module(module)
    import botocore.session
    from botocore import xform_name
    from botocore.config import Config
    from botocore.exceptions import ClientError

    from bench.cold_card import cpu_so_far

    with open(path, encoding="utf-8") as file:
        requests = json.load(file)
    session = boto3.session.Session(botocore_session=botocore.session.get_session())
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    clients: dict[str, Any] = {}
    for request in requests:
        service = request["service"]
        if service not in clients:
            clients[service] = session.client(service, region_name=session.region_name or "eu-west-1",
                                              endpoint_url=endpoint, config=config)
        with suppress(ClientError):  # the card met the same answer and handled it
            getattr(clients[service], xform_name(request["operation"]))(**_python(request["params"]))
    print(len(requests), f"{cpu_so_far():.6f}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(*sys.argv[2:5])
    else:
        floor(sys.argv[2], sys.argv[3], stack=sys.argv[1] == "stack")
