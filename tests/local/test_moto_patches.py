"""local/moto_patches.py: each patch on the moto it was written for, and answering as moto does."""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest
from moto.dynamodb.models.table import Table

from chalicelib.core.config import settings
from local import moto_patches


@pytest.fixture
def table() -> Iterator[tuple[Any, str]]:
    """A table shaped like ours (pk/sk, gsi1 with ties and gaps) with 240 items in 4 partitions."""
    client = boto3.client("dynamodb", region_name=settings.region)
    name = f"patches-{uuid.uuid4().hex[:8]}"
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


@pytest.fixture
def streamed() -> Iterator[tuple[Any, str, Any]]:
    """A pk/sk table with its stream on (NEW_IMAGE, as infra/ declares ours): the client, its name, moto's shard."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    client = boto3.client("dynamodb", region_name=settings.region)
    name = f"streamed-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    yield client, name, dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[name].stream_shard
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


# -- each patch, on the moto it was written for --------------------------------------------------------


@pytest.mark.parametrize("patch", moto_patches.PATCHES, ids=lambda patch: patch.name)
def test_each_patch_was_written_for_the_installed_moto(patch: moto_patches.Patch) -> None:
    assert moto.__version__ in patch.moto_versions, (
        f"local/moto_patches.py's {patch.name!r} was written for moto {sorted(patch.moto_versions)}, and moto "
        f"{moto.__version__} is installed: read what it patches in the new moto, keep the patch only if moto "
        "still needs it, then add the version to its moto_versions")


@pytest.mark.parametrize("patch", moto_patches.PATCHES, ids=lambda patch: patch.name)
def test_each_patch_still_fits_the_internals_it_relies_on(patch: moto_patches.Patch) -> None:
    assert patch.fits() == [], f"moto changed under local/moto_patches.py's {patch.name!r}: {patch.fits()}"


def test_patches_are_installed() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    assert moto_patches._installed
    assert Table.query.__wrapped__ is not Table.query  # type: ignore[attr-defined]
    assert DynamoDBBackend.transact_write_items.__wrapped__  # type: ignore[attr-defined]
    assert DynamoDBBackend.query.__wrapped__  # type: ignore[attr-defined]


def test_a_failed_transaction_leaves_every_item_as_it_was_without_copying_the_table(
        table: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table as MotoTable

    client, name = table
    key = {"pk": {"S": "X#1#P1"}, "sk": {"S": "kept"}}
    doomed = {"pk": {"S": "X#1#P1"}, "sk": {"S": "doomed"}}
    client.put_item(TableName=name, Item={**key, "n": {"N": "1"}, "gsi1pk": {"S": "X#1#G1"}, "gsi1sk": {"S": "k"}})
    client.put_item(TableName=name, Item=doomed)
    before = client.scan(TableName=name)["Items"]
    copied: list[Any] = []
    deepcopy = copy.deepcopy
    monkeypatch.setattr(copy, "deepcopy", lambda value, memo=None: copied.append(type(value)) or deepcopy(value, memo))
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "X#1#P1"}, "sk": {"S": "new"}}}},
            {"Update": {"TableName": name, "Key": key, "UpdateExpression": "SET n = :n, gsi1pk = :g",
                        "ExpressionAttributeValues": {":n": {"N": "2"}, ":g": {"S": "X#1#G2"}}}},
            {"Delete": {"TableName": name, "Key": doomed}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "X#1#P9"}, "sk": {"S": "none"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])
    assert MotoTable not in copied  # the journal holds the touched items, never the table
    assert sorted(map(str, client.scan(TableName=name)["Items"])) == sorted(map(str, before))
    moved = client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                         ExpressionAttributeValues={":p": {"S": "X#1#G2"}})["Items"]
    assert key not in [{"pk": item["pk"], "sk": item["sk"]} for item in moved]


def test_every_request_reads_and_writes_the_table_holding_the_stand_ins_lock(
        table: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes each request atomic: no other request's thread can touch a table while it runs."""
    client, name = table
    held: list[tuple[str, bool]] = []
    for method in ("all_items", "put_item", "delete_item", "get_item"):
        original = getattr(Table, method)

        def spy(self: Any, *args: Any, _original: Any = original, _method: str = method, **kwargs: Any) -> Any:
            held.append((_method, moto_patches._lock._is_owned()))  # type: ignore[attr-defined]
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Table, method, spy)
    key = {"pk": {"S": "X#1#P1"}, "sk": {"S": "locked"}}
    client.put_item(TableName=name, Item={**key, "gsi1pk": {"S": "X#1#G1"}, "gsi1sk": {"S": "x"}})
    client.get_item(TableName=name, Key=key)
    client.update_item(TableName=name, Key=key, UpdateExpression="SET n = :n",
                       ExpressionAttributeValues={":n": {"N": "1"}})
    client.scan(TableName=name, Limit=5)
    client.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": key["pk"]})
    client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                 ExpressionAttributeValues={":p": {"S": "X#1#G1"}})
    client.batch_get_item(RequestItems={name: {"Keys": [key]}})
    client.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "X#1#P1"}, "sk": {"S": "b"}}}}]})
    client.delete_item(TableName=name, Key=key)
    assert {method for method, _ in held} >= {"all_items", "put_item", "delete_item", "get_item"}
    assert [method for method, owned in held if not owned] == []


def test_table_queries_answer_from_their_partition_as_moto_does(table: tuple[Any, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client, name = table
    cases = [(query, limit, forward) for query in QUERIES if "IndexName" not in query
             for limit in (None, 3, 50) for forward in (True, False)]
    patched = [_pages(client, name, *case) for case in cases]
    monkeypatch.setattr(Table, "query", Table.query.__wrapped__)  # type: ignore[attr-defined]
    assert [_pages(client, name, *case) for case in cases] == patched
    assert sum(len(pages) for pages in patched) > 50  # pagination was really exercised


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
    for step in range(96):
        _random_write(client, name, rng, step)
        if step % 12 == 11:
            compare()
    tables = [t for t in moto_patches._books if t.name == name]
    assert tables and moto_patches._books[tables[0]].partitions["gsi1"]  # the book answered the queries


def test_a_cancelled_transaction_leaves_no_stream_records(streamed: tuple[Any, str, Any]) -> None:
    """DynamoDB streams only what committed: the journal's roll-back must not leave moto's stream records of the
    cancelled writes (and of the roll-back itself) for the domain-event feed (#19) to read."""
    client, name, shard = streamed
    client.put_item(TableName=name, Item={"pk": {"S": "X#1"}, "sk": {"S": "kept"}})
    streamed = len(shard.items)
    assert streamed == 1
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "X#1"}, "sk": {"S": "new"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "X#1"}, "sk": {"S": "kept"}, "v": {"N": "2"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert len(shard.items) == streamed  # nothing of the cancelled transaction, nor of its roll-back
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "X#1"}, "sk": {"S": "new"}}}}])
    assert len(shard.items) == streamed + 1  # a committed one streams as before


def test_a_stream_read_sees_a_transaction_whole_or_not_at_all(streamed: tuple[Any, str, Any]) -> None:
    """A stream read holds the stand-in's lock, so it never falls between a cancelled transaction's writes and their
    roll-back: a reader there took records that never were, and the next write's record, numbered where they had
    stood, was skipped (a lead then waited for its retry timer; CI's load run caught it)."""
    client, name, shard = streamed
    client.put_item(TableName=name, Item={"pk": {"S": "X#1"}, "sk": {"S": "one"}})
    owned: list[bool] = []

    class Watched(list):  # type: ignore[type-arg]
        def __getitem__(self, index: Any) -> Any:
            owned.append(moto_patches._lock._is_owned())  # type: ignore[attr-defined]
            return super().__getitem__(index)

    shard.items = Watched(shard.items)
    # what GetRecords calls (moto's ShardIterator.get), here without the HTTP hop of the runner's poller
    assert len(shard.get(shard.starting_sequence_number, 10)) == 1
    assert owned and all(owned), owned
