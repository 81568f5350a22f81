"""What the embedded table holds, read from moto's own store: a view independent of the code under test.

Reading the fake directly (not through boto3) sees every item without a Scan, so the tenancy watcher
has nothing to flag and no page boundary can hide an item.
"""

from __future__ import annotations

import copy
from typing import Any

from chalicelib.core.config import settings

Key = tuple[str, str]


def every_item() -> dict[Key, dict[str, Any]]:
    """Every item of the main table in DynamoDB's typed JSON, by key (a deep copy)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].get_table(settings.table_name)
    found = {}
    for item in table.all_items():
        typed = copy.deepcopy(item.to_json()["Attributes"])
        found[(typed["pk"]["S"], typed["sk"]["S"])] = typed
    return found


def of_tenant(tenant_id: str) -> dict[Key, dict[str, Any]]:
    """Every item of one tenant: its own keys, and global items naming it."""
    return {key: item for key, item in every_item().items()
            if key[0].startswith(f"T#{tenant_id}#")
            or (key[0].startswith("G#") and tenant_id in (item.get("tenant_id", {}).get("S"), key[1]))}
