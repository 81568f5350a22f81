"""The route table app.py registers: in step with the modules, and what a cold start imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chalicelib.core import routing
from chalicelib.core.http import REGISTRY

REPO = Path(__file__).resolve().parents[2]


def test_the_route_table_is_the_registry() -> None:
    on_disk = json.loads(routing.TABLE.read_text(encoding="utf-8"))
    ours = {key: spec for key, spec in REGISTRY.items() if spec.module in routing.DOMAINS}  # not the probe's
    assert on_disk == routing.table_of(ours), "stale: run `python -m chalicelib.core.routing`"
    assert {entry["module"] for entry in on_disk} == set(routing.DOMAINS)


def test_the_app_serves_exactly_the_table(app: object) -> None:
    served = {(path, method) for path, methods in app.routes.items() for method in methods}  # type: ignore[attr-defined]
    assert served == {(entry["path"], entry["method"]) for entry in routing.entries()}


COLD = r"""
import json, sys
import app
cold = sorted(m for m in sys.modules if m.startswith(("chalicelib.", "pydantic", "pynamodb", "boto3")))
from chalice.test import Client
with Client(app.app) as client:
    answer = client.http.get("/api/v1/openapi.json")
print(json.dumps({"cold": cold, "status": answer.status_code, "paths": len(json.loads(answer.body)["paths"]),
                  "after": sorted(m for m in sys.modules if m.endswith(".routes"))}))
"""


def test_a_cold_start_imports_no_domain_and_the_first_request_loads_what_it_needs() -> None:
    env = {**os.environ, "CRM_STAGE": "test", "AWS_DEFAULT_REGION": "eu-west-1"}
    proc = subprocess.run([sys.executable, "-c", COLD], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    # Only the core the middleware needs: no route module, no schema (pydantic), no table model.
    assert found["cold"] == ["chalicelib.core", "chalicelib.core.config", "chalicelib.core.errors",
                             "chalicelib.core.http", "chalicelib.core.observability", "chalicelib.core.routing",
                             "chalicelib.core.tenancy"], found["cold"]
    assert found["status"] == 200 and found["paths"] > 50  # the document still lists every route
    assert set(found["after"]) >= set(routing.DOMAINS)
