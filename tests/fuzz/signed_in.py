"""schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): every request signed in as the run's owner.

An access token lives 15 minutes and the full run (``make fuzz``) takes longer, and an operation
under test may end the session it runs with (revoking sessions, deactivating a user). So the token
is fetched by signing in, again every ten minutes, and again whenever an answer is 401.
Credentials come from the environment the test sets: CRM_FUZZ_URL, CRM_FUZZ_EMAIL, CRM_FUZZ_PASSWORD.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import schemathesis

REFRESH_SECONDS = 600  # well inside the 15-minute access token


def sign_in() -> str:
    """A fresh access token for the run's owner."""
    request = urllib.request.Request(
        os.environ["CRM_FUZZ_URL"] + "/api/v1/auth/login", method="POST",
        data=json.dumps({"email": os.environ["CRM_FUZZ_EMAIL"], "password": os.environ["CRM_FUZZ_PASSWORD"]}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


@schemathesis.auth(refresh_interval=REFRESH_SECONDS, retry_on=[401])
class OwnerToken:
    """The owner's bearer token, refreshed by signing in again."""

    def get(self, case: Any, ctx: Any) -> str:
        return sign_in()

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
