"""Searching deals: by the words of their title, by tag and by custom select values, across pipelines, within scope."""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.core import aws, db, tenancy
from chalicelib.core.config import settings
from chalicelib.deals.record import DEAL
from chalicelib.records import listing, store
from tests.deals.helpers import member, owner_context, staffed_company
from tests.factories import Company, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    return staffed_company(ApiClient(app), "Deal Search Inc")


def prefixes(*words: str) -> set[str]:
    """The indexed prefixes of a title's words: a search row each (two words may share one)."""
    return {prefix for one in words for prefix in listing.token_prefixes(one)}


def word() -> str:
    """A word no other test's deal has (search is by prefix, so it must be unique in the tenant)."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def create(client: ApiClient, token: str, title: str, **fields: Any) -> dict[str, Any]:
    made = client.post("/api/v1/deals", {"title": title, **fields}, token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def found(client: ApiClient, token: str, **params: str) -> list[str]:
    answer = client.get(f"/api/v1/deals?{urlencode(params)}", token=token)
    assert answer.status_code == 200, answer.body
    return [deal["id"] for deal in body(answer)["items"]]


def row_keys(company: Company, deal_id: str) -> list[listing.RowKey]:
    """The keys of the search rows the deal's current state calls for."""
    ctx = owner_context(company)
    with tenancy.bind(ctx):
        deal = db.MainTable.get(tenancy.tenant_key(ctx, DEAL.prefix, deal_id), "#PROFILE")
    return listing.row_keys(ctx, DEAL.space or "", store.facets(DEAL, deal), DEAL.lists)


def stored_rows(company: Company, keys: list[listing.RowKey]) -> list[dict[str, Any]]:
    """The rows stored under keys, as stored: a row written again differs in its sealed token's nonce."""
    dynamodb = aws.client("dynamodb")
    with tenancy.bind(owner_context(company)):
        answers = [dynamodb.get_item(TableName=settings.table_name, Key={"pk": {"S": key.pk}, "sk": {"S": key.sk}},
                                     ConsistentRead=True).get("Item") for key in keys]
    return [answer for answer in answers if answer is not None]


def test_a_deal_is_found_by_the_words_of_its_title_in_any_pipeline(client: ApiClient, company: Company) -> None:
    token, stem = company.owner.token, word()
    other = body(client.post("/api/v1/pipelines", {"name": f"Rentals {stem}"}, token=token))
    first = create(client, token, f"{stem} Website redesign")
    second = create(client, token, f"Logo for {stem}", pipeline_id=other["id"])
    create(client, token, "Something else entirely")
    assert sorted(found(client, token, q=stem)) == sorted([first["id"], second["id"]])
    assert found(client, token, q=f"{stem} webs") == [first["id"]]  # every word must match
    assert found(client, token, q=stem[:4] + "zz") == []
    assert found(client, token, q=stem, pipeline_id=other["id"]) == [second["id"]]
    answer = body(client.get(f"/api/v1/deals?q={stem}", token=token))["items"]
    assert {deal["title"] for deal in answer} == {first["title"], second["title"]}  # whole deals, not rows


def test_a_renamed_or_trashed_deal_is_found_by_what_it_is_now(client: ApiClient, company: Company) -> None:
    token, old, new = company.owner.token, word(), word()
    deal = create(client, token, f"{old} order")
    renamed = client.patch(f"/api/v1/deals/{deal['id']}", {"title": f"{new} order", "version": deal["version"]},
                           token=token)
    assert renamed.status_code == 200, renamed.body
    assert found(client, token, q=old) == []
    assert found(client, token, q=new) == [deal["id"]]
    live = row_keys(company, deal["id"])
    # a row per indexed prefix (1, 3 and 5 characters) of its two title words, "order" and the new word
    assert len(stored_rows(company, live)) == len(live) == len(prefixes(new, "order"))
    assert client.delete(f"/api/v1/deals/{deal['id']}", token=token).status_code == 204
    assert found(client, token, q=new) == []
    assert stored_rows(company, live) == []  # a deal in the trash keeps no search rows
    assert found(client, token, q="order", pipeline_id=deal["pipeline_id"]) == []
    assert client.post(f"/api/v1/deals/{deal['id']}/restore", token=token).status_code == 200
    assert found(client, token, q=new) == [deal["id"]]


def test_a_move_on_the_board_rewrites_no_search_row(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    first_word = word()
    deal = create(client, token, f"{first_word} bouquet")
    pipeline = body(client.get(f"/api/v1/pipelines/{deal['pipeline_id']}", token=token))
    keys = row_keys(company, deal["id"])
    before = stored_rows(company, keys)
    assert len(before) == len(keys) == len(prefixes(first_word, "bouquet"))
    target = next(stage["id"] for stage in pipeline["stages"] if stage["id"] != deal["stage_id"])
    moved = client.post(f"/api/v1/deals/{deal['id']}/move", {"stage_id": target, "version": deal["version"]},
                        token=token)
    assert moved.status_code == 200, moved.body
    assert stored_rows(company, keys) == before


def test_custom_select_values_filter_a_search(client: ApiClient, company: Company) -> None:
    token, stem, key = company.owner.token, word(), f"size_{word()}"
    defined = client.post("/api/v1/custom-fields", {
        "entity": "deal", "key": key, "label": "Size", "type": "select", "filterable": True,
        "options": [{"value": "large", "label": "Large"}, {"value": "small", "label": "Small"}]}, token=token)
    assert defined.status_code == 201, defined.body
    large = create(client, token, f"{stem} one", custom={key: "large"})
    small = create(client, token, f"{stem} two", custom={key: "small"})
    assert found(client, token, **{f"custom.{key}": "large"}) == [large["id"]]
    assert found(client, token, q=stem, **{f"custom.{key}": "small"}) == [small["id"]]
    changed = client.patch(f"/api/v1/deals/{small['id']}", {"custom": {key: "large"}, "version": small["version"]},
                           token=token)
    assert changed.status_code == 200, changed.body
    assert sorted(found(client, token, **{f"custom.{key}": "large"})) == sorted([large["id"], small["id"]])


def test_deals_are_tagged_and_listed_by_tag_within_a_pipeline_or_across_them(
        client: ApiClient, company: Company) -> None:
    token, tag = company.owner.token, f"vip-{word()}"
    other = body(client.post("/api/v1/pipelines", {"name": f"Wholesale {word()}"}, token=token))
    first = create(client, token, f"{word()} wedding", tags=[tag, " Spring  Sale "])
    assert first["tags"] == [tag, "spring sale"]  # tags are kept folded, as contacts' are
    second = create(client, token, f"{word()} office", pipeline_id=other["id"])
    create(client, token, f"{word()} untagged")
    tagged = client.patch(f"/api/v1/deals/{second['id']}", {"tags": [tag], "version": second["version"]}, token=token)
    assert tagged.status_code == 200 and body(tagged)["tags"] == [tag], tagged.body
    assert sorted(found(client, token, tag=tag)) == sorted([first["id"], second["id"]])
    assert found(client, token, tag=tag, pipeline_id=other["id"]) == [second["id"]]
    assert found(client, token, tag=tag, status="won") == []
    assert found(client, token, tag=tag, q=first["title"].split()[0]) == [first["id"]]
    # the card and a move keep the tags; untagging takes the deal off the tag's list
    card = body(client.get(f"/api/v1/deals/{first['id']}", token=token))
    assert card["deal"]["tags"] == [tag, "spring sale"]
    untagged = client.patch(f"/api/v1/deals/{second['id']}", {"tags": [], "version": body(tagged)["version"]},
                            token=token)
    assert untagged.status_code == 200, untagged.body
    assert found(client, token, tag=tag) == [first["id"]]
    assert client.delete(f"/api/v1/deals/{first['id']}", token=token).status_code == 204
    assert found(client, token, tag=tag) == []  # the trash leaves every list


def test_bad_tags_are_refused_and_change_nothing(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    deal = create(client, token, f"{word()} tags", tags=["kept"])
    for tags in (["a#b"], [""], ["x" * 41], [f"t{i}" for i in range(21)], "kept"):
        refused = client.patch(f"/api/v1/deals/{deal['id']}", {"tags": tags, "version": deal["version"]}, token=token)
        assert refused.status_code == 422, (tags, refused.body)
    assert client.post("/api/v1/deals", {"title": "Bad", "tags": ["a#b"]}, token=token).status_code == 422
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=token))["deal"]["tags"] == ["kept"]
    assert client.get("/api/v1/deals?tag=a%23b", token=token).status_code == 422


def test_a_tag_change_is_audited_and_reverted(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    deal = create(client, token, f"{word()} revert", tags=["old"])
    changed = client.patch(f"/api/v1/deals/{deal['id']}", {"tags": ["new"], "version": deal["version"]}, token=token)
    assert changed.status_code == 200, changed.body
    entries = body(client.get(f"/api/v1/audit?entity=deal&entity_id={deal['id']}", token=token))["items"]
    update = next(entry for entry in entries if entry["action"] == "update")
    assert update["changes"] == {"tags": {"before": ["old"], "after": ["new"]}} and update["revertable"] is True
    reverted = client.post(f"/api/v1/audit/{update['id']}/revert", {}, token=token)
    assert reverted.status_code == 200, reverted.body
    assert body(client.get(f"/api/v1/deals/{deal['id']}", token=token))["deal"]["tags"] == ["old"]
    assert found(client, token, tag="old", q=deal["title"].split()[0]) == [deal["id"]]


def test_an_agent_finds_only_its_own_deals_and_another_tenant_none(client: ApiClient, company: Company) -> None:
    stem = word()
    agent, colleague = member(company, "agent"), member(company, "agent2")
    mine = create(client, agent.token, f"{stem} mine")
    create(client, colleague.token, f"{stem} theirs")
    assert found(client, agent.token, q=stem) == [mine["id"]]
    assert len(found(client, company.owner.token, q=stem)) == 2
    stranger = signup(client, company="Deal Search Stranger")
    assert found(client, stranger.owner.token, q=stem) == []
    tag = f"t{stem}"  # by tag too: a colleague's and another company's deals under the same tag stay unseen
    create(client, colleague.token, f"{word()} tagged", tags=[tag])
    create(client, stranger.owner.token, f"{word()} tagged", tags=[tag])
    tagged = create(client, agent.token, f"{word()} tagged", tags=[tag])
    assert found(client, agent.token, tag=tag) == [tagged["id"]]
    assert len(found(client, company.owner.token, tag=tag)) == 2


def test_an_unknown_filter_is_refused(client: ApiClient, company: Company) -> None:
    answer = client.get("/api/v1/deals?colour=red", token=company.owner.token)
    assert answer.status_code == 422, answer.body
