"""One record of every declared record type for the cross-tenant matrix (domain seeds, loaded after this
one, replace the ids of the types they seed with records linked as their routes need)."""

from __future__ import annotations

from chalicelib.records import types
from tests.factories import Company
from tests.records.samples import SAMPLES
from tests.support import ApiClient


def seed(client: ApiClient, company: Company) -> tuple[dict[str, str], list[str]]:
    """Create a record of each type from its sample; return ids by path parameter and secrets."""
    ids: dict[str, str] = {}
    secrets: list[str] = []
    for rtype in types.all_types():
        sample = SAMPLES.get(rtype.name)
        assert sample is not None, f"add a sample of the record type {rtype.name} to tests/records/samples.py"
        made = sample.made(client, company.owner.token, rtype.plural)
        ids[f"{rtype.name}_id"] = made["id"]
        secrets += [made["id"], *(value for value in made.values() if isinstance(value, str) and "Sample" in value)]
    return ids, secrets
