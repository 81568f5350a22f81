"""A cold Lambda's first contact-card request, in this fresh interpreter (bench.cold_start runs it).

``python -m bench.cold_card <contact id> <access token>`` with the stage's environment pointing at a
running embedded AWS: imports the app as Lambda's Init does, then hands the handler one API Gateway
event for the contact's card, as Lambda's first invocation does (built here by hand, so nothing that
Lambda does not load is imported). Everything the request loads (its route module, identity, pydantic,
PynamoDB, boto3 and its clients, the stage secret, the tenant's key) is loaded on this path. Prints the
answer's status and the process's CPU up to the answer; bench.cold_start takes the wall time from outside.
"""

from __future__ import annotations

import sys
from typing import Any


class Context:
    """What Lambda passes as the context of an invocation (the parts Chalice reads)."""

    function_name = "crm-bench-api"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:crm-bench-api"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left (a fresh invocation)."""
        return 30_000


def card_event(contact_id: str, token: str) -> dict[str, Any]:
    """The API Gateway (REST, proxy) event of GET /api/v1/contacts/{contact_id}."""
    path = f"/api/v1/contacts/{contact_id}"
    return {"resource": "/api/v1/contacts/{contact_id}", "path": path, "httpMethod": "GET",
            "headers": {"authorization": f"Bearer {token}", "accept": "application/json"},
            "multiValueHeaders": None, "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": {"contact_id": contact_id}, "stageVariables": None, "body": None,
            "isBase64Encoded": False,
            "requestContext": {"httpMethod": "GET", "resourcePath": "/api/v1/contacts/{contact_id}", "path": path,
                               "requestId": "cold-card", "identity": {"sourceIp": "127.0.0.1"}}}


def cpu_so_far() -> float:
    """The CPU seconds (user and system) this process has spent, its interpreter's start included."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def main() -> None:
    """Init (import app), then the first invocation: the card. Prints the answer's status and the CPU spent up to
    it: a Lambda's environment is frozen after its answer, never shut down with it, so the interpreter's own
    shutdown (about 250 ms of CPU here, freeing every module) is no part of a cold request."""
    contact_id, token = sys.argv[1], sys.argv[2]
    from app import app  # Lambda's Init

    answer = app(card_event(contact_id, token), Context())
    print(answer["statusCode"], f"{cpu_so_far():.6f}", flush=True)


if __name__ == "__main__":
    main()
