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


RICH_ITEM: dict[str, Any] = {
    "pk": {"S": "X#1#RICH"}, "sk": {"S": "zoë#1"}, "gsi1pk": {"S": "X#1#GRICH"}, "gsi1sk": {"S": "вера"},
    "text": {"S": "Anna \"Karenina\" \u2014 \U0001f338"}, "blank": {"S": ""}, "n": {"N": "-12.50"},
    "blob": {"B": b"\x00\xffsealed"}, "tags": {"SS": ["vip", "lead"]}, "scores": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"a", b"\x01"]}, "yes": {"BOOL": True}, "no": {"BOOL": False}, "nothing": {"NULL": True},
    "empty_map": {"M": {}}, "empty_list": {"L": []}, "dotted.name": {"S": "kept"}, "#hash": {"N": "0"},
    "nested": {"M": {"phones": {"L": [{"M": {"number": {"S": "+442079460001"}, "primary": {"BOOL": True}}},
                                      {"NULL": True}, {"L": [{"N": "1"}, {"B": b"x"}]}]},
                     "seen": {"SS": ["a"]}, "deep.key": {"M": {"x": {"S": "y"}}}}},
}


def _responses(client: Any, name: str) -> list[tuple[str, Any, bytes]]:
    """Every read and write answer that carries items, with the raw body moto sent."""
    bodies: list[bytes] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        bodies.append(response_dict["body"])

    client.meta.events.register("before-parse.dynamodb.*", keep)
    key = {"pk": RICH_ITEM["pk"], "sk": RICH_ITEM["sk"]}
    other = {"pk": {"S": "X#1#P1"}, "sk": {"S": "none"}}
    capacity = {"ReturnConsumedCapacity": "INDEXES"}
    calls: list[tuple[str, Any]] = [
        ("put", lambda: client.put_item(TableName=name, Item=RICH_ITEM, ReturnValues="ALL_OLD", **capacity)),
        ("put again", lambda: client.put_item(TableName=name, Item=RICH_ITEM, ReturnValues="ALL_OLD")),
        ("get", lambda: client.get_item(TableName=name, Key=key, ConsistentRead=True, **capacity)),
        ("get projected", lambda: client.get_item(TableName=name, Key=key, ProjectionExpression="nested.phones, #t",
                                                  ExpressionAttributeNames={"#t": "tags"})),
        ("get missing", lambda: client.get_item(TableName=name, Key=other)),
        ("batch get", lambda: client.batch_get_item(RequestItems={name: {"Keys": [key, other]}}, **capacity)),
        ("transact get", lambda: client.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": key}},
                                                                          {"Get": {"TableName": name, "Key": other}}])),
        ("query", lambda: client.query(TableName=name, KeyConditionExpression="pk = :p",
                                       ExpressionAttributeValues={":p": RICH_ITEM["pk"]}, **capacity)),
        ("query page", lambda: client.query(TableName=name, KeyConditionExpression="pk = :p", Limit=2,
                                            ExpressionAttributeValues={":p": {"S": "X#1#P2"}})),
        ("index query", lambda: client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                                             ExpressionAttributeValues={":p": RICH_ITEM["gsi1pk"]})),
        ("scan", lambda: client.scan(TableName=name, Limit=7)),
        ("update", lambda: client.update_item(TableName=name, Key=key, UpdateExpression="SET #b = :b ADD tags :t",
                                              ExpressionAttributeNames={"#b": "blank"}, ReturnValues="ALL_NEW",
                                              ExpressionAttributeValues={":b": {"S": "now"}, ":t": {"SS": ["x"]}})),
        ("update old", lambda: client.update_item(TableName=name, Key=key, UpdateExpression="REMOVE nested",
                                                  ReturnValues="UPDATED_OLD")),
        ("delete", lambda: client.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")),
    ]
    answers = []
    try:
        for label, call in calls:
            found = call()
            found.pop("ResponseMetadata", None)
            answers.append((label, found, bodies[-1]))
    finally:
        client.meta.events.unregister("before-parse.dynamodb.*", keep)
    return answers


def test_attribute_values_are_serialised_as_moto_does(table: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.serialize import BaseJSONSerializer

    client, name = table
    assert BaseJSONSerializer._serialize_type_structure is not moto_patches._MOTO_STRUCTURE[0]  # installed
    direct = _responses(client, name)
    monkeypatch.setattr(BaseJSONSerializer, "_serialize_type_structure", moto_patches._MOTO_STRUCTURE[0])
    generic = _responses(client, name)
    for (label, found, body), (_, expected, expected_body) in zip(direct, generic, strict=True):
        assert body == expected_body, label
        assert found == expected, label
    by_label = {label: found for label, found, _ in direct}
    assert by_label["get"]["Item"] == RICH_ITEM  # every type comes back as it was put
    assert by_label["put again"]["Attributes"] == RICH_ITEM
    assert sorted(by_label["delete"]["Attributes"]["tags"]["SS"]) == ["lead", "vip", "x"]


def _index_answers(client: Any, name: str) -> list[Any]:
    answers = []
    for group in range(5):
        for extra in ({}, {"Limit": 3}, {"ScanIndexForward": False}):
            found = client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                                 ExpressionAttributeValues={":p": {"S": f"X#1#G{group}"}}, **extra)
            answers.append((found["Items"], found.get("LastEvaluatedKey"), found["Count"]))
    return answers


def _random_write(client: Any, name: str, rng: random.Random, step: int) -> None:
    key = {"pk": {"S": f"X#1#P{rng.randrange(5)}"}, "sk": {"S": f"k{rng.randrange(40):02d}"}}
    group = {"S": f"X#1#G{rng.randrange(5)}"}
    kind = rng.choice(["put", "put bare", "move", "leave", "delete", "transact", "transact failing", "batch"])
    if kind == "put":
        client.put_item(TableName=name, Item={**key, "gsi1pk": group, "gsi1sk": {"S": f"s{step}"}})
    elif kind == "put bare":
        client.put_item(TableName=name, Item={**key, "n": {"N": str(step)}})
    elif kind == "move":  # an update in place that changes the item's index partition
        client.update_item(TableName=name, Key=key, UpdateExpression="SET gsi1pk = :g, gsi1sk = :s",
                           ExpressionAttributeValues={":g": group, ":s": {"S": f"m{step}"}})
    elif kind == "leave":
        client.update_item(TableName=name, Key=key, UpdateExpression="REMOVE gsi1pk")
    elif kind == "delete":
        client.delete_item(TableName=name, Key=key)
    elif kind.startswith("transact"):
        other = {"pk": {"S": "X#1#P9"}, "sk": {"S": f"t{step}"}}
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": name, "Item": {**other, "gsi1pk": group, "gsi1sk": {"S": "t"}}}},
            {"Update": {"TableName": name, "Key": key, "UpdateExpression": "SET gsi1pk = :g, gsi1sk = :s",
                        "ExpressionAttributeValues": {":g": group, ":s": {"S": f"t{step}"}}}}]
        if kind == "transact failing":  # rolled back: nothing moves
            items.append({"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "X#1#P9"}, "sk": {"S": "none"}},
                                             "ConditionExpression": "attribute_exists(pk)"}})
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException:
            assert kind == "transact failing"
    else:
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {**key, "gsi1pk": group, "gsi1sk": {"S": f"b{step}"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "X#1#P9"}, "sk": {"S": f"t{step - 1}"}}}}]})


def test_index_queries_answer_from_their_partition_as_moto_does(table: tuple[Any, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client, name = table
    rng = random.Random(11)

    def compare() -> None:
        found = _index_answers(client, name)
        with monkeypatch.context() as moto_alone:
            moto_alone.setattr(moto_patches, "_index_partition", lambda *args: None)  # moto reads the whole table
            assert found == _index_answers(client, name)

    compare()
    for step in range(160):
        _random_write(client, name, rng, step)
        if step % 8 == 7:
            compare()
    tables = [t for t in moto_patches._books if t.name == name]
    assert tables and moto_patches._books[tables[0]].partitions["gsi1"]  # the book answered the queries
