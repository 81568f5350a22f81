"""The tenancy watcher: sees every DynamoDB request the suite makes, through botocore's events.

A handler is appended to botocore's built-in handlers before any session exists, so every client
(boto3's, PynamoDB's per-thread sessions, Powertools') carries it. A request is a violation when it
names a tenant-scoped key (``T#...``) outside the tenant bound to the running code, names one with
no tenant bound, or scans the table while a tenant is bound (a Scan never runs on a request path).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

from chalicelib.core.tenancy import TENANT_PREFIX, bound_tenant

KEY_ATTRIBUTES = ("pk", "gsi1pk", "gsi2pk")


@dataclass
class Watcher:
    """Every DynamoDB request seen, and the violations among them."""

    requests: list[tuple[str, str | None]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.violations.clear()


WATCHER = Watcher()


def _attribute_string(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("S"), str):
        return value["S"]
    return value if isinstance(value, str) else None


def tenant_keys(params: Any) -> list[str]:
    """Every tenant-scoped key string in a DynamoDB request's parameters."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name in KEY_ATTRIBUTES or name == "ExpressionAttributeValues":
                    values = value.values() if name == "ExpressionAttributeValues" else [value]
                    for item in values:
                        text = _attribute_string(item)
                        if text and text.startswith(TENANT_PREFIX):
                            found.append(text)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params)
    return found


def _check(params: dict[str, Any], model: Any, **_: Any) -> None:
    operation = model.name
    tenant = bound_tenant()
    problems = []
    if operation in {"Scan", "ParallelScan"} and tenant is not None:
        problems.append(f"Scan while serving tenant {tenant}")
    for key in tenant_keys(params):
        if tenant is None:
            problems.append(f"{operation} on {key!r} with no tenant bound")
        elif not key.startswith(f"{TENANT_PREFIX}{tenant}#"):
            problems.append(f"{operation} on {key!r} while serving tenant {tenant}")
    with WATCHER.lock:
        WATCHER.requests.append((operation, tenant))
        WATCHER.violations.extend(problems)


def install() -> None:
    """Hook the watcher into every botocore session created from now on."""
    handler = ("provide-client-params.dynamodb", _check)
    if handler not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(handler)
