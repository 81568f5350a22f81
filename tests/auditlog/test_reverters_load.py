"""A revert answers in a Lambda that has loaded no domain's routes: route modules load with their first
request, so the reverters of every audited entity must not depend on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chalicelib.auditlog import reverters
from chalicelib.core import audit
from chalicelib.records import types

REPO = Path(__file__).resolve().parents[2]
FRESH = """
import json
from chalicelib.auditlog import reverters, service  # the revert route's module registers identity's
from chalicelib.core import audit, routing
from chalicelib.records import types
names = [*types.names(), "user", "team", "role", "tenant", "task", "note", "custom_field"]
print(json.dumps({name: reverters.reverter_for(name) is not None for name in names}))
print(json.dumps(sorted({spec.module for spec in __import__("chalicelib.core.http").core.http.REGISTRY.values()})))
"""


def test_every_reverter_is_found_without_loading_any_route_module() -> None:
    done = subprocess.run([sys.executable, "-c", FRESH], cwd=REPO, capture_output=True, text=True, check=True,
                          env={k: v for k, v in os.environ.items() if k != "CRM_AWS_ENDPOINT_URL"})
    found_line, modules_line = done.stdout.strip().splitlines()[-2:]
    found = json.loads(found_line)
    assert json.loads(modules_line) == [], "the check itself loaded route modules"
    expected = {name: reverters.reverter_for(name) is not None for name in found}  # every route module loaded
    assert found == expected
    assert all(found[name] for name in types.names()), found  # every record type reverts


def test_a_type_without_a_reverter_of_its_own_gets_the_engines() -> None:
    own = {name for name in types.names() if audit.reverter_for(name) is not None}
    for name in types.names():
        assert reverters.reverter_for(name) is not None, name
    assert "contact" in own  # contacts keep theirs (merges, company links)
