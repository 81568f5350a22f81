"""clean() and view(): every type's valid and invalid values, required fields, sensitive values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core import crypto, errors, permissions, tenancy
from chalicelib.core.audit import SensitiveRead, reads_key
from chalicelib.core.tenancy import TenantContext
from chalicelib.records.customfields import service
from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body

FIELDS = [
    {"key": "nickname", "type": "text"},
    {"key": "about", "type": "long_text"},
    {"key": "score", "type": "number"},
    {"key": "budget", "type": "money"},
    {"key": "met_on", "type": "date"},
    {"key": "call_at", "type": "datetime"},
    {"key": "tier", "type": "select", "filterable": True,
     "options": [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]},
    {"key": "channels", "type": "multiselect", "filterable": True,
     "options": [{"value": "sms", "label": "SMS"}, {"value": "mail", "label": "Mail"}, {"value": "tg", "label": "TG"}]},
    {"key": "vip", "type": "bool"},
    {"key": "office_phone", "type": "phone"},
    {"key": "billing_email", "type": "email"},
    {"key": "site", "type": "url"},
    {"key": "passport", "type": "text", "sensitive": True},
    {"key": "contract_no", "type": "text", "required": True},
]


@pytest.fixture(scope="module")
def company(app: Any) -> Company:
    client = ApiClient(app)
    company = signup(client, company="Values LLC", country="RU")
    for spec in FIELDS:
        response = client.post("/api/v1/custom-fields", {"entity": "contact", "label": spec["key"].title(), **spec},
                               token=company.owner.token)
        assert response.status_code == 201, response.body
    add_member(client, company, role="agent", name="agent")
    return company


def context(company: Company, role: str = "owner", user_id: str | None = None) -> TenantContext:
    return TenantContext(tenant_id=company.tenant_id, actor_id=user_id or company.owner.user_id, actor_kind="user",
                         role=role, permissions=permissions.BUILTIN_ROLES[role].permissions)


@pytest.fixture
def ctx(company: Company) -> Iterator[TenantContext]:
    ctx = context(company)
    with tenancy.bind(ctx):
        yield ctx


RECORD = tenancy.new_id()
BASE = {"contract_no": "C-1"}


def clean(ctx: TenantContext, values: dict[str, Any], existing: dict[str, Any] | None = None) -> service.Cleaned:
    return service.clean(ctx, entity="contact", record_id=RECORD, values=values, existing=existing)


def problems(ctx: TenantContext, values: dict[str, Any], existing: dict[str, Any] | None = None) -> list[dict]:
    with pytest.raises(errors.ValidationError) as raised:
        clean(ctx, values, existing)
    return raised.value.details


@pytest.mark.parametrize("key,raw,stored", [
    ("nickname", "  Bob ", "Bob"),
    ("about", "x" * 20_000, "x" * 20_000),
    ("score", 42, 42),
    ("score", -1.5, -1.5),
    ("budget", {"minor": 125000, "currency": "rub"}, {"minor": 125000, "currency": "RUB"}),
    ("met_on", "2024-02-29", "2024-02-29"),
    ("call_at", "2024-05-01T12:30:00+03:00", "2024-05-01T09:30:00Z"),
    ("call_at", "2024-05-01T09:30:00Z", "2024-05-01T09:30:00Z"),
    ("tier", "gold", "gold"),
    ("channels", ["sms", "tg", "sms"], ["sms", "tg"]),
    ("vip", False, False),
    ("office_phone", "8 (999) 123-45-67", "+79991234567"),
    ("office_phone", "+44 20 7946 0958", "+442079460958"),
    ("billing_email", " Anna.Petrova@Example.RU ", "anna.petrova@example.ru"),
    ("site", "https://example.com/path?q=1", "https://example.com/path?q=1"),
])
def test_valid_values_are_normalised(ctx: TenantContext, key: str, raw: Any, stored: Any) -> None:
    assert clean(ctx, {**BASE, key: raw}).stored[key] == stored


@pytest.mark.parametrize("key,raw", [
    ("nickname", 12),
    ("nickname", "x" * 1001),
    ("nickname", "bell\x07"),
    ("about", "x" * 20_001),
    ("score", "12"),
    ("score", True),
    ("score", float("nan")),
    ("score", float("inf")),
    ("budget", {"minor": 10.5, "currency": "RUB"}),
    ("budget", {"minor": 100, "currency": "RUR"}),
    ("budget", {"minor": 100}),
    ("budget", {"minor": 100, "currency": "USD", "extra": 1}),
    ("budget", 100),
    ("met_on", "2023-02-29"),
    ("met_on", "01.02.2024"),
    ("met_on", "20240101"),
    ("call_at", "2024-05-01T12:30:00"),
    ("call_at", "2024-05-01"),
    ("call_at", "yesterday"),
    ("tier", "platinum"),
    ("tier", ["gold"]),
    ("channels", ["sms", "fax"]),
    ("channels", "sms"),
    ("vip", "yes"),
    ("vip", 1),
    ("office_phone", "12345"),
    ("office_phone", "not a phone"),
    ("billing_email", "anna@"),
    ("billing_email", "anna at example.com"),
    ("billing_email", "anna@example"),
    ("site", "javascript:alert(1)"),
    ("site", "ftp://example.com/file"),
    ("site", "https://user:pass@example.com"),
    ("site", "https:///nohost"),
    ("site", "https://exa mple.com"),
])
def test_invalid_values_answer_422_naming_the_field(ctx: TenantContext, key: str, raw: Any) -> None:
    found = problems(ctx, {**BASE, key: raw})
    assert [problem["loc"] for problem in found] == [["custom", key]]
    assert repr(raw) not in str(found)  # the submitted value is never echoed


def test_every_problem_is_reported_at_once(ctx: TenantContext) -> None:
    found = problems(ctx, {"score": "x", "tier": "nope", "mystery": 1})
    locations = sorted(problem["loc"][1] for problem in found)
    assert locations == ["contract_no", "mystery", "score", "tier"]
    kinds = {problem["loc"][1]: problem["type"] for problem in found}
    assert kinds["mystery"] == "unknown_custom_field" and kinds["contract_no"] == "missing"


def test_required_counts_existing_values_on_update(ctx: TenantContext) -> None:
    existing = clean(ctx, BASE).stored
    assert clean(ctx, {"nickname": "Bo"}, existing).stored == {"contract_no": "C-1", "nickname": "Bo"}
    cleared = problems(ctx, {"contract_no": None}, existing)
    assert cleared[0]["type"] == "missing"
    assert problems(ctx, {"contract_no": "  "}, existing)[0]["type"] == "missing"
    # a record older than the required field stays editable
    assert clean(ctx, {"nickname": "Al"}, {"nickname": "Old"}).stored == {"nickname": "Al"}


def test_none_clears_a_value(ctx: TenantContext) -> None:
    existing = clean(ctx, {**BASE, "nickname": "Bob", "score": 1}).stored
    assert clean(ctx, {"nickname": None}, existing).stored == {"contract_no": "C-1", "score": 1}


def test_filterable_choices_are_indexed(ctx: TenantContext) -> None:
    cleaned = clean(ctx, {**BASE, "tier": "gold", "channels": ["sms", "mail"], "nickname": "Bob"})
    assert sorted(cleaned.indexed) == [("channels", "mail"), ("channels", "sms"), ("tier", "gold")]
    assert cleaned.sensitive == frozenset({"passport"})


def test_sensitive_values_are_encrypted_at_rest(ctx: TenantContext) -> None:
    cleaned = clean(ctx, {**BASE, "passport": "4510 123456"})
    token = cleaned.stored["passport"]
    assert "4510" not in token and token.startswith("v1:")
    opened = crypto.decrypt_field(ctx, entity="contact", record_id=RECORD, field="custom.passport", token=token)
    assert opened == '"4510 123456"'
    with pytest.raises(crypto.DecryptionError):  # bound to its record: useless if copied elsewhere
        crypto.decrypt_field(ctx, entity="contact", record_id=tenancy.new_id(), field="custom.passport", token=token)


def test_view_masks_sensitive_values_without_decrypting(ctx: TenantContext, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = clean(ctx, {**BASE, "passport": "4510 123456", "tier": "gold"}).stored

    def no_decrypt(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("a masked value must not be decrypted")

    monkeypatch.setattr(crypto, "decrypt_field", no_decrypt)
    shown = service.view(ctx, entity="contact", record_id=RECORD, stored=stored)
    assert shown == {"tier": "gold", "passport": service.MASK, "contract_no": "C-1"}


def test_the_mask_sent_back_keeps_the_stored_value(ctx: TenantContext) -> None:
    stored = clean(ctx, {**BASE, "passport": "4510 123456"}).stored
    again = clean(ctx, {"passport": service.MASK, "nickname": "Bo"}, stored)
    assert again.stored["passport"] == stored["passport"]
    assert problems(ctx, {**BASE, "passport": service.MASK})[0]["type"] == "masked_value"


def test_reveal_is_audited_before_returning(ctx: TenantContext, company: Company) -> None:
    record = tenancy.new_id()
    stored = service.clean(ctx, entity="contact", record_id=record, values={**BASE, "passport": "4510 123456"}).stored
    shown = service.view(ctx, entity="contact", record_id=record, stored=stored, reveal=frozenset({"passport"}))
    assert shown["passport"] == "4510 123456"
    reads = list(SensitiveRead.query(reads_key(ctx, "contact", record)))
    assert [(read.field, read.actor_id) for read in reads] == [("custom.passport", company.owner.user_id)]


def test_agent_may_not_reveal(company: Company) -> None:
    agent = company.members["agent"]
    ctx = context(company, role="agent", user_id=agent.user_id)
    with tenancy.bind(ctx):
        stored = clean(ctx, {**BASE, "passport": "4510 123456"}).stored
        with pytest.raises(errors.ForbiddenError):
            service.view(ctx, entity="contact", record_id=RECORD, stored=stored, reveal=frozenset({"passport"}))
        assert service.view(ctx, entity="contact", record_id=RECORD, stored=stored)["passport"] == service.MASK


def test_archived_fields_are_unknown_to_clean_and_hidden_in_view(client: ApiClient, app: Any) -> None:
    company = signup(client, company="Archive Co")
    field = body(client.post("/api/v1/custom-fields", {"entity": "contact", "key": "legacy", "label": "Legacy",
                                                         "type": "text"}, token=company.owner.token))
    ctx = context(company)
    with tenancy.bind(ctx):
        stored = service.clean(ctx, entity="contact", record_id=RECORD, values={"legacy": "kept"}).stored
    client.delete(f"/api/v1/custom-fields/{field['id']}", token=company.owner.token)
    with tenancy.bind(ctx):
        assert service.view(ctx, entity="contact", record_id=RECORD, stored=stored) == {}
        with pytest.raises(errors.ValidationError):
            service.clean(ctx, entity="contact", record_id=RECORD, values={"legacy": "new"}, existing=stored)
        kept = service.clean(ctx, entity="contact", record_id=RECORD, values={}, existing=stored)
    assert kept.stored == {"legacy": "kept"}  # values of an archived field are kept


def test_definitions_are_read_once_per_request(company: Company, tenancy_watcher: Any) -> None:
    ctx = TenantContext(tenant_id=company.tenant_id, actor_id=company.owner.user_id, request_id=tenancy.new_id())
    with tenancy.bind(ctx):
        tenancy_watcher.reset()
        for _ in range(5):
            service.clean(ctx, entity="contact", record_id=RECORD, values=BASE)
            service.view(ctx, entity="contact", record_id=RECORD, stored={"tier": "gold"})
    assert [op for op, _ in tenancy_watcher.requests].count("Query") == 1


def test_unknown_entity_is_422(ctx: TenantContext) -> None:
    with pytest.raises(errors.ValidationError):
        service.clean(ctx, entity="invoice", record_id=RECORD, values={})
