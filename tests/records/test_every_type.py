"""Every record type with list rows, over the API: create, read, change, validation, search, filters, cursors.

The suite runs once per declared type (``chalicelib/records/catalog.py``) that has list rows; a new type is
tested by adding its sample to ``tests/records/samples.py``. Trash, revert, scope and tenancy are in
``test_every_type_access.py``, the rules of one type in ``test_type_rules.py``.
"""

from __future__ import annotations

import pytest

from chalicelib.core import permissions
from tests.factories import Company, Member
from tests.records.kit import IDS, KINDS, Kind, error_code, fresh_tag, letters
from tests.support import ApiClient, body

every_type = pytest.mark.parametrize("kind", KINDS, ids=IDS)


# -- create, read, change ---------------------------------------------------------------------


@every_type
def test_a_record_is_created_read_listed_and_changed_with_its_version(client: ApiClient, shop: Company,
                                                                     kind: Kind) -> None:
    token, tag = shop.owner.token, fresh_tag()
    made = kind.make(client, token, tags=[tag])
    assert made["version"] == 1 and made["owner_id"] == shop.owner.user_id and made["tags"] == [tag]
    shown = kind.shown(client, token, made["id"])
    assert shown["id"] == made["id"] and shown["version"] == 1
    assert shown[kind.name_field] == made[kind.name_field]
    assert kind.listed(client, token, tag=tag) == [made["id"]]
    assert made["id"] in kind.listed(client, token, limit=200)  # the newest first in the unfiltered list too
    timeline = body(client.get(kind.item(made["id"], "/timeline"), token=token))
    assert [entry["kind"] for entry in timeline["items"]] == ["created"]

    changed = kind.patch(client, token, made["id"], 1, **kind.sample.change)
    assert changed.status_code == 200, changed.body
    assert body(changed)["version"] == 2
    shown = kind.shown(client, token, made["id"])
    assert {name: shown[name] for name in kind.sample.change} == kind.sample.change
    assert shown["version"] == 2
    [row] = kind.page(client, token, tag=tag)["items"]
    assert row["version"] == 2  # the list row follows the record

    stale = kind.patch(client, token, made["id"], 1, **{kind.name_field: "Stale Edit"})
    assert stale.status_code == 409, stale.body
    assert error_code(stale) == "version_conflict"
    shown = kind.shown(client, token, made["id"])
    assert shown["version"] == 2 and shown[kind.name_field] == kind.sample.change.get(
        kind.name_field, made[kind.name_field])
    assert kind.page(client, token, tag=tag)["items"][0]["version"] == 2


@every_type
def test_bad_input_answers_422_and_creates_nothing(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, tag = shop.owner.token, fresh_tag()
    good = kind.body(tags=[tag])
    unknown = client.post(kind.base, {**good, "no_such_field": "x"}, token=token)
    assert unknown.status_code == 422, unknown.body
    assert error_code(unknown) == "validation_error"
    wrong_type = client.post(kind.base, {**good, kind.name_field: 12345}, token=token)
    assert wrong_type.status_code == 422, wrong_type.body
    not_a_list = client.post(kind.base, {**good, "tags": tag}, token=token)
    assert not_a_list.status_code == 422, not_a_list.body
    assert kind.listed(client, token, tag=tag) == []
    retried = client.post(kind.base, good, token=token)  # nothing was claimed by the refused bodies
    assert retried.status_code == 201, retried.body
    assert kind.listed(client, token, tag=tag) == [body(retried)["id"]]

    made = body(retried)
    bad_patch = kind.patch(client, token, made["id"], 1, no_such_field="x")
    assert bad_patch.status_code == 422, bad_patch.body
    no_version = client.patch(kind.item(made["id"]), dict(kind.sample.change), token=token)
    assert no_version.status_code == 422, no_version.body
    assert kind.shown(client, token, made["id"])["version"] == 1
    unknown_filter = client.get(f"{kind.base}?colour=red", token=token)
    assert unknown_filter.status_code == 422, unknown_filter.body


# -- search, filters, order -------------------------------------------------------------------


@every_type
def test_search_finds_the_record_and_a_non_matching_query_does_not(client: ApiClient, shop: Company,
                                                                   kind: Kind) -> None:
    assert kind.sample.search is not None, f"the sample of {kind.rtype.name} needs a search (its type lists rows)"
    token, tag = shop.owner.token, fresh_tag()
    made = kind.make(client, token, tags=[tag])
    other = kind.make(client, token, tags=[tag])
    q = kind.sample.search(made)
    found = kind.listed(client, token, q=q, limit=200)
    assert made["id"] in found and other["id"] not in found
    found = kind.listed(client, token, q=kind.sample.search(other), limit=200)
    assert other["id"] in found and made["id"] not in found
    assert kind.listed(client, token, q="Qzxjvnomatch") == []
    assert kind.listed(client, token, q=f"{q} Qzxjvnomatch") == []  # every word must match


@every_type
def test_search_by_a_name_word_follows_renames(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, word, later = shop.owner.token, letters(), letters()
    made = kind.make(client, token, **{kind.name_field: f"{word.title()} Original"})
    assert kind.listed(client, token, q=word[:6]) == [made["id"]]
    renamed = kind.patch(client, token, made["id"], 1, **{kind.name_field: f"{later.title()} Renamed"})
    assert renamed.status_code == 200, renamed.body
    assert kind.listed(client, token, q=word) == []
    assert kind.listed(client, token, q=later) == [made["id"]]


@every_type
def test_the_tag_filter_finds_only_tagged_records(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, tag, other_tag = shop.owner.token, fresh_tag(), fresh_tag()
    first = kind.make(client, token, tags=[tag])
    second = kind.make(client, token, tags=[tag, other_tag])
    untagged = kind.make(client, token)
    assert sorted(kind.listed(client, token, tag=tag)) == sorted([first["id"], second["id"]])
    assert kind.listed(client, token, tag=other_tag) == [second["id"]]
    assert untagged["id"] not in kind.listed(client, token, tag=tag)
    untag = kind.patch(client, token, second["id"], 1, tags=[other_tag])
    assert untag.status_code == 200, untag.body
    assert kind.listed(client, token, tag=tag) == [first["id"]]
    assert kind.listed(client, token, tag=other_tag) == [second["id"]]


@every_type
def test_a_custom_select_field_filters_the_list(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, key = shop.owner.token, f"tier_{letters(8)}"
    defined = client.post("/api/v1/custom-fields", {
        "entity": kind.rtype.name, "key": key, "label": "Tier", "type": "select", "filterable": True,
        "options": [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]}, token=token)
    assert defined.status_code == 201, defined.body
    gold = kind.make(client, token, custom={key: "gold"})
    silver = kind.make(client, token, custom={key: "silver"})
    kind.make(client, token)
    assert kind.shown(client, token, gold["id"])["custom"][key] == "gold"
    assert kind.listed(client, token, **{f"custom__{key}": "gold"}) == [gold["id"]]
    assert kind.listed(client, token, **{f"custom__{key}": "silver"}) == [silver["id"]]
    assert kind.listed(client, token, **{f"custom__{key}": "bronze"}) == []
    refused = client.post(kind.base, kind.body(custom={key: "bronze"}), token=token)
    assert refused.status_code == 422, refused.body
    moved = kind.patch(client, token, silver["id"], 1, custom={key: "gold"})
    assert moved.status_code == 200, moved.body
    assert sorted(kind.listed(client, token, **{f"custom__{key}": "gold"})) == sorted([gold["id"], silver["id"]])
    assert kind.listed(client, token, **{f"custom__{key}": "silver"}) == []


@every_type
def test_sort_by_name_lists_in_name_order(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, tag = shop.owner.token, fresh_tag()
    made = {name: kind.make(client, token, tags=[tag], **{kind.name_field: name})["id"]
            for name in ("Charlie", "alpha", "Bravo")}  # made out of order; case does not count
    in_order = [made["alpha"], made["Bravo"], made["Charlie"]]
    if "name" in kind.rtype.sorts:
        assert kind.listed(client, token, tag=tag, sort="name") == in_order
        assert kind.listed(client, token, tag=tag, sort="name", order="desc") == in_order[::-1]
    else:  # a personal name is never in a key in clear, so the table cannot order by it (#21)
        refused = client.get(kind.list_path(tag=tag, sort="name"), token=token)
        assert refused.status_code == 422 and body(refused)["error"]["details"][0]["type"] == "unsortable"
    by_id = sorted(made.values())  # ids are ULIDs: creation order, whatever the clock did between requests
    assert kind.listed(client, token, tag=tag, sort="created") == by_id[::-1]
    assert kind.listed(client, token, tag=tag, sort="created", order="asc") == by_id


# -- cursors ----------------------------------------------------------------------------------


def walk(client: ApiClient, token: str, kind: Kind, **query: object) -> list[str]:
    """Every id of a list, page by page (at most ten pages)."""
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = kind.page(client, token, cursor=cursor, **query)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"the list of {kind.rtype.plural} did not end after ten pages: {seen}")


@every_type
def test_cursors_walk_the_list_once_and_fit_only_their_list(client: ApiClient, shop: Company, kind: Kind) -> None:
    token, tag, elsewhere = shop.owner.token, fresh_tag(), fresh_tag()
    made = [kind.make(client, token, tags=[tag])["id"] for _ in range(3)]
    kind.make(client, token, tags=[elsewhere])
    first = kind.page(client, token, tag=tag, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    walked = walk(client, token, kind, tag=tag, limit=2)
    assert len(walked) == len(set(walked)) == 3 and set(walked) == set(made)
    other_sort = "name" if "name" in kind.rtype.sorts else "created"
    by_other = walk(client, token, kind, tag=tag, limit=2, sort=other_sort)
    assert len(by_other) == 3 and set(by_other) == set(made)

    cursor = first["next_cursor"]
    for other_list in ({"tag": elsewhere}, {}, {"tag": tag, "sort": other_sort}, {"tag": tag, "q": "sample"}):
        answer = client.get(kind.list_path(cursor=cursor, limit=2, **other_list), token=token)
        assert answer.status_code == 400, (other_list, answer.body)
        assert error_code(answer) == "invalid_cursor"
    for other in KINDS:
        if other.rtype.name != kind.rtype.name:
            answer = client.get(other.list_path(tag=tag, limit=2, cursor=cursor), token=token)
            assert answer.status_code == 400 and error_code(answer) == "invalid_cursor", answer.body
    trash = client.get(f"{kind.trash}?cursor={cursor}", token=token)
    assert trash.status_code == 400 and error_code(trash) == "invalid_cursor", trash.body

    payload, _, mac = cursor.partition(".")
    swapped = "f" if payload[0] != "f" else "g"
    for tampered in (swapped + payload[1:] + "." + mac, payload + "." + mac[::-1], payload, "garbage"):
        answer = client.get(kind.list_path(tag=tag, limit=2, cursor=tampered), token=token)
        assert answer.status_code == 400, (tampered, answer.body)
        assert error_code(answer) == "invalid_cursor"


@every_type
def test_a_search_walked_by_cursor_lists_each_record_once(client: ApiClient, shop: Company, kind: Kind) -> None:
    """Two name words sharing the query's prefix are two token rows of one record; pages must not repeat it."""
    token, stem = shop.owner.token, letters(8)
    made = {kind.make(client, token, **{kind.name_field: f"{stem}alpha {stem}beta"})["id"] for _ in range(3)}
    walked = walk(client, token, kind, q=stem, limit=2)
    assert set(walked) == made
    assert len(walked) == len(set(walked)), f"a record was listed twice: {walked}"


@every_type
def test_a_search_keeps_the_lists_filters(client: ApiClient, shop: Company, agents: tuple[Member, Member],
                                          kind: Kind) -> None:
    """``q`` together with ``tag``, ``custom.<key>`` or ``owner_id`` answers only records that pass every filter."""
    token, tag, stem, key = shop.owner.token, fresh_tag(), letters(9), f"grade_{letters(8)}"
    defined = client.post("/api/v1/custom-fields", {
        "entity": kind.rtype.name, "key": key, "label": "Grade", "type": "select", "filterable": True,
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}, token=token)
    assert defined.status_code == 201, defined.body
    named = {kind.name_field: f"{stem.title()} Filtered"}
    tagged = kind.make(client, token, tags=[tag], custom={key: "a"}, **named)
    untagged = kind.make(client, token, custom={key: "b"}, **named)
    agents_own = kind.make(client, agents[0].token, **named)
    assert sorted(kind.listed(client, token, q=stem)) == sorted([tagged["id"], untagged["id"], agents_own["id"]])
    seen = sorted([tagged["id"], untagged["id"], agents_own["id"]]) if kind.rtype.plural in permissions.CATALOGUES \
        else [agents_own["id"]]  # the caller's read scope is kept (a catalogue is read whole)
    assert sorted(kind.listed(client, agents[0].token, q=stem)) == seen
    expected = {"tag": ({"tag": tag}, [tagged["id"]]),
                f"custom.{key}": ({f"custom__{key}": "b"}, [untagged["id"]]),
                "owner_id": ({"owner_id": agents[0].user_id}, [agents_own["id"]]),
                "tag + custom": ({"tag": tag, f"custom__{key}": "b"}, [])}
    answered = {name: kind.listed(client, token, q=stem, **query) for name, (query, _) in expected.items()}
    ignored = {name: got for name, got in answered.items() if sorted(got) != sorted(expected[name][1])}
    assert ignored == {}, f"q dropped these filters (ids answered): {ignored}"
