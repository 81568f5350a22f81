"""schemathesis against /api/v1/openapi.json on a running CRM, signed in as a tenant's owner.

No operation may answer 5xx, and every documented answer must match its schema. ``make test``
runs a few examples per operation (``CRM_FUZZ_EXAMPLES``, default 3); ``make fuzz`` runs the
full size with every phase. Operations that would end the owner's session for the rest of the
run (logout, password change, scheduling the company's deletion) are left out.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz import known_bugs
from tests.fuzz.runner import REPO, Crm, running_crm, sign_up

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

SESSION_ENDING = r"^/api/v1/(auth/logout|auth/password|tenant/deletion)$"
EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "3"))
PHASES = os.environ.get("CRM_FUZZ_PHASES", "examples,fuzzing")
TIMEOUT = 600 if EXAMPLES <= 5 else 5400  # the full run (make fuzz) takes tens of minutes on 2 cores


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crm]:
    """A CRM on loopback for this module."""
    with running_crm(tmp_path_factory.mktemp("fuzz-crm")) as running:
        yield running


def _schemathesis(crm: Crm, owner: dict[str, Any], report_dir: Path) -> subprocess.CompletedProcess[str]:
    # Signed in by tests/fuzz/signed_in.py, again before the 15-minute token runs out and after a 401.
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("signed_in.py")),
           "CRM_FUZZ_URL": crm.url, "CRM_FUZZ_EMAIL": owner["email"], "CRM_FUZZ_PASSWORD": owner["password"]}
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{crm.url}/api/v1/openapi.json",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--exclude-path-regex", SESSION_ENDING,
        "--max-examples", str(EXAMPLES), "--phases", PHASES, "--workers", "1",
        "--generation-database", "none", "--request-timeout", "30", "--no-color",
        "--report", "junit,har", "--report-dir", str(report_dir),
    ]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)


def failures(report_dir: Path) -> list[tuple[str, str, str]]:
    """(operation, check code, details) of every failure in schemathesis' JUnit report."""
    found = []
    for report in report_dir.glob("junit*.xml"):
        for case in ElementTree.parse(report).iter("testcase"):
            for failure in [*case.iter("failure"), *case.iter("error")]:
                details = failure.text or failure.get("message") or ""
                for code in sorted(set(re.findall(r"\b(ST\d{3})\b", details))) or ["error"]:
                    found.append((case.get("name", "?"), code, details))
    return found


def signed_in_successes(report_dir: Path) -> int:
    """Requests of schemathesis' HAR report that carried a token and were answered 2xx."""
    count = 0
    for report in report_dir.glob("har*.json"):
        for entry in json.loads(report.read_text())["log"]["entries"]:
            headers = {header["name"].lower() for header in entry["request"]["headers"]}
            count += "authorization" in headers and 200 <= entry["response"]["status"] < 300
    return count


def test_no_operation_answers_5xx_or_breaks_its_schema(crm: Crm, tmp_path: Path) -> None:
    owner = sign_up(crm, "Fuzz Flowers Ltd")
    done = _schemathesis(crm, owner, tmp_path)
    tested = re.search(r"Tested:\s+(\d+)", done.stdout)
    assert tested and int(tested.group(1)) > 50, f"schemathesis tested too little:\n{done.stdout[-5000:]}{done.stderr}"
    signed = signed_in_successes(tmp_path)  # without a token it would have met 401 everywhere
    assert signed > 50, f"only {signed} signed-in requests succeeded: did the auth hook sign in?"
    found = failures(tmp_path)
    new = []
    for operation, code, details in found:
        reason = known_bugs.known(operation, code, details)
        if code == "error":  # schemathesis' or hypothesis' own crash, not an answer of the API
            warnings.warn(f"schemathesis could not test {operation}: {details[:300]}", stacklevel=1)
        elif reason is not None:
            warnings.warn(f"known fuzz failure {code} {operation}: {reason}", stacklevel=1)
        else:
            new.append((operation, code, details))
    assert not new, "schemathesis found new problems:\n" + "\n".join(
        f"--- {operation} {code}\n{details[:3000]}" for operation, code, details in new)
    assert done.returncode == 0 or found, f"schemathesis failed to run:\n{done.stdout[-5000:]}\n{done.stderr[-2000:]}"
