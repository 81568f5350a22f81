"""The stand-in's page reads (CRM_MOTO_PAGE_READS, used by bench/) answer every Query as moto does."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.dynamodb.models.table import Table

from chalicelib.core.config import settings
from local import moto_patches


@pytest.fixture
def table() -> Iterator[tuple[Any, str]]:
    """A table shaped like ours (pk/sk, gsi1 with ties and gaps) with 240 items in 4 partitions."""
    client = boto3.client("dynamodb", region_name=settings.region)
    name = f"pagereads-{uuid.uuid4().hex[:8]}"
    string = {"AttributeType": "S"}
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, **string} for n in ("pk", "sk", "gsi1pk", "gsi1sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "gsi1", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"},
                                               {"AttributeName": "gsi1sk", "KeyType": "RANGE"}]}])
    rng = random.Random(7)
    words = ["anna", "anton", "boris", "вера", "вика", "zoë", "a#b", "a", ""]
    for number in range(240):
        item = {"pk": {"S": f"X#1#P{number % 4}"}, "sk": {"S": f"{rng.choice(words)}#{number:04d}"},
                "n": {"N": str(number)}}
        if number % 5:  # some items are not on the index
            item["gsi1pk"] = {"S": f"X#1#G{number % 3}"}
            item["gsi1sk"] = {"S": rng.choice(words[:-1])}  # many ties on the index's sort key
        client.put_item(TableName=name, Item=item)
    yield client, name
    client.delete_table(TableName=name)


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "X#1#P1"}}},
    {"KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
     "ExpressionAttributeValues": {":p": {"S": "X#1#P2"}, ":s": {"S": "an"}}},
    {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
     "ExpressionAttributeValues": {":p": {"S": "X#1#P0"}, ":a": {"S": "b"}, ":b": {"S": "в"}}},
    {"KeyConditionExpression": "pk = :p AND sk < :s", "ExpressionAttributeValues": {":p": {"S": "X#1#P3"},
                                                                                    ":s": {"S": "boris"}}},
    {"KeyConditionExpression": "pk = :p AND sk >= :s", "ExpressionAttributeValues": {":p": {"S": "X#1#P3"},
                                                                                     ":s": {"S": "boris"}}},
    {"KeyConditionExpression": "pk = :p AND sk = :s", "ExpressionAttributeValues": {":p": {"S": "X#1#P1"},
                                                                                    ":s": {"S": "a#0001"}}},
    {"KeyConditionExpression": "pk = :p", "FilterExpression": "n > :n",
     "ExpressionAttributeValues": {":p": {"S": "X#1#P1"}, ":n": {"N": "300"}}},
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "X#1#nobody"}}},
    {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p",
     "ExpressionAttributeValues": {":p": {"S": "X#1#G1"}}},
    {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p AND begins_with(gsi1sk, :s)",
     "ExpressionAttributeValues": {":p": {"S": "X#1#G2"}, ":s": {"S": "в"}}},
    {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p AND gsi1sk <= :s",
     "ExpressionAttributeValues": {":p": {"S": "X#1#G0"}, ":s": {"S": "anton"}}},
    {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p", "FilterExpression": "n < :n",
     "ExpressionAttributeValues": {":p": {"S": "X#1#G1"}, ":n": {"N": "200"}}},
]


def _pages(client: Any, name: str, query: dict[str, Any], limit: int | None, forward: bool) -> list[Any]:
    pages, start = [], None
    while True:
        extra = {"Limit": limit} if limit else {}
        extra |= {"ExclusiveStartKey": start} if start else {}
        found = client.query(TableName=name, ScanIndexForward=forward, **query, **extra)
        pages.append((found["Items"], found.get("LastEvaluatedKey"), found["ScannedCount"]))
        start = found.get("LastEvaluatedKey")
        if not start or len(pages) > 700:
            return pages


def test_page_reads_answer_every_query_and_page_as_moto_does(table: tuple[Any, str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client, name = table
    partition_query = Table.query
    cases = [(query, limit, forward) for query in QUERIES for limit in (None, 1, 4, 50) for forward in (True, False)]
    expected = [_pages(client, name, *case) for case in cases]
    monkeypatch.setattr(Table, "query", moto_patches.page_query(partition_query))
    for case, pages in zip(cases, expected, strict=True):
        assert _pages(client, name, *case) == pages, case
    assert sum(len(pages) for pages in expected) > 300  # pagination was really exercised


def test_a_write_is_seen_by_the_next_page_read(table: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> None:
    client, name = table
    monkeypatch.setattr(Table, "query", moto_patches.page_query(Table.query))
    query = {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p AND begins_with(gsi1sk, :s)",
             "ExpressionAttributeValues": {":p": {"S": "X#1#G9"}, ":s": {"S": "new"}}}
    assert client.query(TableName=name, **query)["Items"] == []  # the index's partitions are now cached
    client.put_item(TableName=name, Item={"pk": {"S": "X#1#P9"}, "sk": {"S": "x"}, "gsi1pk": {"S": "X#1#G9"},
                                          "gsi1sk": {"S": "newest"}})
    assert [item["sk"]["S"] for item in client.query(TableName=name, **query)["Items"]] == ["x"]
    client.delete_item(TableName=name, Key={"pk": {"S": "X#1#P9"}, "sk": {"S": "x"}})
    assert client.query(TableName=name, **query)["Items"] == []
