"""A test-only item kind holding sealed values, declared to the tenant data registry as a domain would."""

from __future__ import annotations

import json

from chalicelib.core import aws, crypto
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, bind, new_id, tenant_key
from chalicelib.tenantdata import registry

KIND = "probe_vault"
UNDECLARED = "probe_undeclared"


def _partitions(ctx: TenantContext) -> list[str]:
    return [tenant_key(ctx, "PROBEVAULT")]


registry.register_partitions("probe_vault", _partitions)
registry.register_sealed(registry.SealedValues(kind=KIND, entity="probe_vault", record_id_attribute="vault_id",
                                               fields=("secret",), nested=("custom", "custom.")))


def put_vault(ctx: TenantContext, *, secret: str, custom: dict[str, str], kind: str = KIND) -> str:
    """Write a vault item with a sealed top-level value and sealed values inside JSON text."""
    vault_id = new_id()

    def seal(field: str, value: str) -> str:
        return crypto.encrypt_field(ctx, entity="probe_vault", record_id=vault_id, field=field, plaintext=value)

    with bind(ctx):
        item = {"pk": {"S": tenant_key(ctx, "PROBEVAULT")}, "sk": {"S": vault_id}, "kind": {"S": kind},
                "vault_id": {"S": vault_id}, "secret": {"S": seal("secret", secret)},
                "custom": {"S": json.dumps({key: seal("custom." + key, value) for key, value in custom.items()})},
                "plain": {"S": "not secret"}, "tags": {"SS": ["a", "b"]}, "score": {"N": "42"},
                "blob": {"B": b"\x00\x01binary"}}
        aws.client("dynamodb").put_item(TableName=settings.table_name, Item=item)
    return vault_id
