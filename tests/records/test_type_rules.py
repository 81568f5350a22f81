"""What the engine does for one type's declared fields (a unique SKU, a phone lookup), and the registry itself."""

from __future__ import annotations

from collections import Counter

import pytest

from chalicelib.records import types
from tests.factories import Company, Member, signup
from tests.records.kit import LISTED, Kind, error_code, fresh_tag, letters
from tests.records.samples import SAMPLES
from tests.support import ApiClient, body

PRODUCT, COMPANY = Kind(types.get("product")), Kind(types.get("company"))


# -- a product's SKU is unique in its tenant --------------------------------------------------


def sku() -> str:
    return f"SKU-{letters(6).upper()}-1"


def test_a_second_product_with_the_same_sku_answers_409(client: ApiClient, shop: Company) -> None:
    token, tag, code = shop.owner.token, fresh_tag(), sku()
    first = PRODUCT.make(client, token, sku=code, tags=[tag])
    for same in (code, code.lower()):  # a SKU is compared folded
        duplicate = client.post(PRODUCT.base, PRODUCT.body(sku=same, tags=[tag]), token=token)
        assert duplicate.status_code == 409, duplicate.body
        assert error_code(duplicate) == "duplicate_sku"
        assert body(duplicate)["error"]["details"][0]["existing_id"] == first["id"]
    assert PRODUCT.listed(client, token, tag=tag) == [first["id"]]  # the refused ones left nothing behind

    other = PRODUCT.make(client, token, tags=[tag])
    taking = PRODUCT.patch(client, token, other["id"], 1, sku=code)
    assert taking.status_code == 409 and error_code(taking) == "duplicate_sku", taking.body
    assert PRODUCT.shown(client, token, other["id"])["sku"] == other["sku"]
    assert PRODUCT.listed(client, token, q=code) == [first["id"]]


def test_a_trashed_product_frees_its_sku_and_cannot_come_back_while_another_holds_it(client: ApiClient,
                                                                                     shop: Company) -> None:
    token, code = shop.owner.token, sku()
    first = PRODUCT.make(client, token, sku=code)
    assert client.delete(PRODUCT.item(first["id"]), token=token).status_code == 200
    second = PRODUCT.make(client, token, sku=code)  # the SKU is free while the first is in the trash
    assert PRODUCT.listed(client, token, q=code) == [second["id"]]

    blocked = client.post(PRODUCT.item(first["id"], "/restore"), token=token)
    assert blocked.status_code == 409, blocked.body
    assert error_code(blocked) == "duplicate_sku"
    assert body(blocked)["error"]["details"][0]["existing_id"] == second["id"]
    assert PRODUCT.get(client, token, first["id"]).status_code == 404  # still in the trash, unchanged
    assert first["id"] in PRODUCT.trashed(client, token)

    freed = PRODUCT.patch(client, token, second["id"], 1, sku=f"NEW-{code}")  # a new SKU frees the old one
    assert freed.status_code == 200, freed.body
    assert PRODUCT.listed(client, token, q=f"NEW-{code}") == [second["id"]]
    restored = client.post(PRODUCT.item(first["id"], "/restore"), token=token)
    assert restored.status_code == 200, restored.body
    assert PRODUCT.listed(client, token, q=code) == [first["id"]]
    again = client.post(PRODUCT.base, PRODUCT.body(sku=code), token=token)
    assert again.status_code == 409 and error_code(again) == "duplicate_sku", again.body


def test_the_same_sku_is_fine_in_another_tenant(client: ApiClient, shop: Company, rival: Company) -> None:
    code = sku()
    mine = PRODUCT.make(client, shop.owner.token, sku=code)
    theirs = PRODUCT.make(client, rival.owner.token, sku=code)
    assert PRODUCT.listed(client, shop.owner.token, q=code) == [mine["id"]]
    assert PRODUCT.listed(client, rival.owner.token, q=code) == [theirs["id"]]


def test_a_purged_product_frees_its_sku(client: ApiClient, shop: Company) -> None:
    token, code = shop.owner.token, sku()
    first = PRODUCT.make(client, token, sku=code)
    assert client.delete(PRODUCT.item(first["id"]), token=token).status_code == 200
    assert client.delete(f"{PRODUCT.trash}/{first['id']}", token=token).status_code == 204
    second = PRODUCT.make(client, token, sku=code)
    assert PRODUCT.listed(client, token, q=code) == [second["id"]]


# -- a company is found by its phone ----------------------------------------------------------


def local(e164: str) -> str:
    """A British number as people type it at home (+442079412345 -> 020 7941 2345)."""
    assert e164.startswith("+44"), e164
    national = "0" + e164[3:]
    return f"{national[:3]} {national[3:7]} {national[7:]}"


def test_a_company_is_found_by_its_phone_in_any_format(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = COMPANY.make(client, token)
    e164 = made["phones"][0]["number"]
    for typed in (e164, local(e164), local(e164).replace(" ", ""), "+44 " + local(e164)[1:],
                  "0044" + e164[3:], f"({local(e164)[:3]}) {local(e164)[4:]}"):
        assert COMPANY.listed(client, token, q=typed) == [made["id"]], typed
    assert COMPANY.listed(client, token, q="020 7000 0001") == []  # a number no company has


def test_the_phone_lookup_follows_changes_and_the_trash(client: ApiClient, shop: Company) -> None:
    token = shop.owner.token
    made = COMPANY.make(client, token)
    old = made["phones"][0]["number"]
    renamed = COMPANY.patch(client, token, made["id"], 1, name=f"Renamed {letters()}")
    assert renamed.status_code == 200, renamed.body
    [found] = COMPANY.page(client, token, q=local(old))["items"]
    assert found["id"] == made["id"] and found["name"] == body(renamed)["name"]  # the lookup's row is refreshed
    assert found["version"] == body(renamed)["version"] == 2

    assert client.delete(COMPANY.item(made["id"]), token=token).status_code == 200
    assert COMPANY.listed(client, token, q=local(old)) == []
    assert COMPANY.listed(client, token, q=old) == []
    restored = client.post(COMPANY.item(made["id"], "/restore"), token=token)
    assert restored.status_code == 200, restored.body
    assert COMPANY.listed(client, token, q=local(old)) == [made["id"]]

    new = COMPANY.sample.create()["phones"][0]["number"]
    moved = COMPANY.patch(client, token, made["id"], body(restored)["version"], phones=[{"number": new}])
    assert moved.status_code == 200, moved.body
    assert COMPANY.listed(client, token, q=local(old)) == []
    assert COMPANY.listed(client, token, q=new) == [made["id"]]


def test_two_companies_share_a_switchboard_and_tenants_do_not(client: ApiClient, shop: Company,
                                                             rival: Company) -> None:
    token = shop.owner.token
    first = COMPANY.make(client, token)
    number = first["phones"][0]["number"]
    second = COMPANY.make(client, token, phones=[{"number": local(number)}])
    theirs = COMPANY.make(client, rival.owner.token, phones=[{"number": number}])
    assert sorted(COMPANY.listed(client, token, q=local(number))) == sorted([first["id"], second["id"]])
    assert COMPANY.listed(client, rival.owner.token, q=local(number)) == [theirs["id"]]
    tag = fresh_tag()
    tagged = COMPANY.patch(client, token, second["id"], 1, tags=[tag])
    assert tagged.status_code == 200, tagged.body
    assert COMPANY.listed(client, token, q=number, tag=tag) == [second["id"]]  # filters apply to a lookup too


def test_an_agent_finds_by_phone_only_its_own_companies(client: ApiClient, shop: Company,
                                                        agents: tuple[Member, Member]) -> None:
    me, colleague = agents
    theirs = COMPANY.make(client, colleague.token)
    number = theirs["phones"][0]["number"]
    assert COMPANY.listed(client, me.token, q=number) == []
    mine = COMPANY.make(client, me.token, phones=[{"number": number}])
    assert COMPANY.listed(client, me.token, q=local(number)) == [mine["id"]]


def test_a_phone_of_another_country_is_read_in_the_tenants_region(client: ApiClient) -> None:
    moscow = signup(client, company="Phone Region", country="RU")
    made = COMPANY.make(client, moscow.owner.token, phones=[{"number": "8 (495) 123-45-67"}])
    assert made["phones"][0]["number"] == "+74951234567"
    for typed in ("8 495 123-45-67", "+7 495 123 45 67", "4951234567"):
        assert COMPANY.listed(client, moscow.owner.token, q=typed) == [made["id"]], typed


# -- the registry -----------------------------------------------------------------------------


def test_every_declared_type_has_a_sample_and_its_own_prefix_and_plural() -> None:
    declared = types.all_types()
    assert [t.name for t in declared if t.name not in SAMPLES] == [], "add a sample in tests/records/samples.py"
    assert sorted(set(SAMPLES) - {t.name for t in declared}) == [], "a sample of a type no longer declared"
    for counted in (Counter(t.prefix for t in declared), Counter(t.plural for t in declared),
                    Counter(t.name for t in declared), Counter(t.space for t in declared if t.space)):
        assert [key for key, seen in counted.items() if seen > 1] == []
    spaces, prefixes = {t.space for t in declared if t.space}, {t.prefix for t in declared}
    assert spaces.isdisjoint(prefixes), "a list space must not be another type's key prefix"
    kinds = {f.lookup.upper() for t in declared for f in t.fields if f.lookup}
    assert kinds.isdisjoint(prefixes | spaces), "a lookup kind must not be a key prefix or a list space"
    with pytest.raises(ValueError, match="key prefix"):
        types.register(types.RecordType(name="shadow", plural="shadows", prefix=declared[0].prefix,
                                        model=declared[0].model, id_attribute=declared[0].id_attribute))
    assert types.find("shadow") is None


@pytest.mark.parametrize("rtype", LISTED, ids=[t.name for t in LISTED])
def test_a_listed_type_declares_what_the_engine_needs(rtype: types.RecordType) -> None:
    sample = SAMPLES[rtype.name]
    assert rtype.row_model is not None and rtype.hook("facets") is not None
    assert rtype.hook("row_values") is not None or rtype.hook("save") is not None, "its rows are written somehow"
    assert sample.search is not None, f"the sample of {rtype.name} needs a search: its type is listed and searched"
    assert sample.name_field in sample.create(), f"the sample of {rtype.name} must create with its name_field"
    assert "deleted_at" in rtype.audit_fields and "owner_id" in rtype.audit_fields
