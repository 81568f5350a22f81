"""Envelope encryption: sealed fields bound to their record, the key cache, blind indexes, shredding."""

from __future__ import annotations

import base64
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from chalicelib.core import aws, crypto, db, errors
from chalicelib.core.tenancy import TenantContext, bind, new_id

CARD = "4111 1111 1111 1234"
WHERE = {"entity": "contact", "record_id": "01J0000000000000000000000A", "field": "card_number"}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock() -> Iterator[FakeClock]:
    """Every test starts with an empty key cache on a hand-driven clock."""
    fake = FakeClock()
    crypto.configure_cache(clock=fake)
    yield fake
    crypto.configure_cache()


@pytest.fixture
def kms_calls() -> Iterator[list[str]]:
    """The names of the KMS operations the code under test calls."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = aws.client("kms").meta.events
    events.register("before-call.kms", record, unique_id="test-crypto-count")
    yield calls
    events.unregister("before-call.kms", unique_id="test-crypto-count")


@pytest.fixture
def kms_failure() -> Iterator[Callable[[str, Exception], None]]:
    """Make one KMS operation fail with the given error until the test ends."""
    registered: list[str] = []

    def inject(operation: str, error: Exception) -> None:
        def fail(**_: Any) -> None:
            raise error

        aws.client("kms").meta.events.register(f"before-call.kms.{operation}", fail, unique_id=f"fail-{operation}")
        registered.append(operation)

    yield inject
    for operation in registered:
        aws.client("kms").meta.events.unregister(f"before-call.kms.{operation}", unique_id=f"fail-{operation}")


def new_tenant() -> TenantContext:
    ctx = TenantContext(tenant_id=new_id(), actor_id="tester")
    with bind(ctx):
        crypto.provision_key(ctx)
    return ctx


def seal(ctx: TenantContext, plaintext: str = CARD, **where: str) -> str:
    with bind(ctx):
        return crypto.encrypt_field(ctx, plaintext=plaintext, **{**WHERE, **where})


def unseal(ctx: TenantContext, token: str, **where: str) -> str:
    with bind(ctx):
        return crypto.decrypt_field(ctx, token=token, **{**WHERE, **where})


def throttled(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)


# -- sealing and opening --------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", [CARD, "", "Ünïcødé ✓ 🔐", "x" * 10_000])
def test_round_trip(plaintext: str) -> None:
    ctx = new_tenant()
    token = seal(ctx, plaintext)
    assert token.startswith("v1:1:")
    assert unseal(ctx, token) == plaintext


def test_tokens_are_randomised_and_hide_the_value() -> None:
    ctx = new_tenant()
    first, second = seal(ctx), seal(ctx)
    assert first != second  # a fresh nonce each time: equal values do not give equal tokens
    assert "1234" not in first and CARD not in first
    assert unseal(ctx, first) == unseal(ctx, second) == CARD


@pytest.mark.parametrize(
    "moved_to",
    [
        {"record_id": "01J0000000000000000000000B"},
        {"field": "iban"},
        {"entity": "company"},
        {"entity": "contact", "record_id": "01J0000000000000000000000A", "field": "card_number "},
    ],
    ids=["other-record", "other-field", "other-entity", "near-identical-field"],
)
def test_token_moved_within_a_tenant_is_rejected(moved_to: dict[str, str]) -> None:
    ctx = new_tenant()
    token = seal(ctx)
    with pytest.raises(crypto.DecryptionError):
        unseal(ctx, token, **moved_to)


def test_token_moved_to_another_tenant_is_rejected() -> None:
    owner, other = new_tenant(), new_tenant()
    token = seal(owner)
    with pytest.raises(crypto.DecryptionError):
        unseal(other, token)  # same entity, record id and field: only the tenant differs
    assert unseal(owner, token) == CARD


def _flip(token: str, index: int) -> str:
    prefix, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[index] ^= 0x01
    return f"{prefix}:{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


def test_tampered_tokens_are_rejected() -> None:
    ctx = new_tenant()
    token = seal(ctx)
    body = token.rsplit(":", 1)[1]
    tampered = [
        _flip(token, 0),  # nonce
        _flip(token, 14),  # ciphertext
        _flip(token, -1),  # tag
        "v2" + token[2:],  # unknown format
        "v1:2:" + body,  # a generation this tenant does not have
        "v1:01:" + body,
        token[:-4],  # truncated
        token + "\n",
        token + "A",  # not a valid base64 length
        "v1:1:" + "A" * 38,  # well-formed, never sealed
        "v1:1:",
        "",
        CARD,
    ]
    for bad in tampered:
        with pytest.raises(crypto.DecryptionError):
            unseal(ctx, bad)
    assert unseal(ctx, token) == CARD


def test_decryption_error_is_a_500_in_the_error_shape() -> None:
    error = crypto.DecryptionError()
    assert isinstance(error, errors.CRMError)
    assert (error.status, error.code) == (500, "undecryptable")
    assert CARD not in error.message


def test_a_missing_record_identity_is_a_programming_error() -> None:
    ctx = new_tenant()
    with pytest.raises(ValueError):
        seal(ctx, record_id="")
    with pytest.raises(ValueError):
        unseal(ctx, seal(ctx), field="")


def test_text_that_cannot_be_stored_is_a_422() -> None:
    ctx = new_tenant()
    with pytest.raises(errors.ValidationError):
        seal(ctx, "lone surrogate \ud800")


def test_a_tenant_without_a_key_cannot_seal() -> None:
    ctx = TenantContext(tenant_id=new_id())
    with pytest.raises(crypto.KeyUnavailableError):
        seal(ctx)


# -- provisioning ---------------------------------------------------------------------------


def test_the_wrapped_key_is_stored_beside_the_tenant_item() -> None:
    ctx = new_tenant()
    with bind(ctx):
        item = db.get(ctx, crypto.TenantKey, f"T#{ctx.tenant_id}#TENANT", "KEY")
    assert item is not None and item.tenant_id == ctx.tenant_id and item.generation == 1
    assert item.cmk_arn.startswith("arn:aws:kms:")
    assert len(item.wrapped_key) > 32  # a KMS ciphertext blob, never the 32 plaintext bytes


def test_a_second_provision_conflicts_and_keeps_the_key() -> None:
    ctx = new_tenant()
    token = seal(ctx)
    with bind(ctx), pytest.raises(crypto.KeyExistsError) as raised:
        crypto.provision_key(ctx)
    assert raised.value.status == 409 and raised.value.code == "tenant_key_exists"
    crypto.clear_cache()
    assert unseal(ctx, token) == CARD


def test_sign_up_commits_the_key_in_its_own_transaction(kms_calls: list[str]) -> None:
    ctx = TenantContext(tenant_id=new_id())
    with bind(ctx):
        item = crypto.new_key_item(ctx)
        assert db.get(ctx, crypto.TenantKey, item.pk, item.sk) is None  # nothing written yet
        db.commit(ctx, db.Change().create(item))
    assert unseal(ctx, seal(ctx)) == CARD
    # Nothing cached at generation: a key is used only once it has been read back from the table.
    assert kms_calls == ["GenerateDataKey", "Decrypt"]


# -- the key cache --------------------------------------------------------------------------


def test_warm_reads_make_no_kms_call_until_the_cache_lifetime_passes(
    kms_calls: list[str], clock: FakeClock, tenancy_watcher: Any
) -> None:
    ctx = new_tenant()
    token = seal(ctx)
    crypto.clear_cache()
    kms_calls.clear()
    tenancy_watcher.requests.clear()
    for _ in range(50):
        assert unseal(ctx, token) == CARD
    assert kms_calls == ["Decrypt"]
    assert [operation for operation, _ in tenancy_watcher.requests] == ["GetItem"]
    clock.advance(crypto.CACHE_SECONDS - 1)
    unseal(ctx, token)
    assert kms_calls == ["Decrypt"]
    clock.advance(1)  # the lifetime counts from loading, not from the last use
    unseal(ctx, token)
    assert kms_calls == ["Decrypt", "Decrypt"]


def test_the_cache_is_bounded_least_recently_used_first(kms_calls: list[str], clock: FakeClock) -> None:
    cache = crypto.configure_cache(max_entries=2, clock=clock)
    first, second, third = new_tenant(), new_tenant(), new_tenant()
    tokens = {ctx.tenant_id: seal(ctx) for ctx in (first, second)}
    unseal(first, tokens[first.tenant_id])  # first is now the most recently used
    seal(third)  # evicts second
    assert len(cache) == 2
    assert first.tenant_id in cache and second.tenant_id not in cache and third.tenant_id in cache
    kms_calls.clear()
    unseal(first, tokens[first.tenant_id])
    assert kms_calls == []
    unseal(second, tokens[second.tenant_id])
    assert kms_calls == ["Decrypt"] and len(cache) == 2


def test_forget_and_clear_drop_keys(kms_calls: list[str]) -> None:
    ctx = new_tenant()
    token = seal(ctx)
    kms_calls.clear()
    crypto.forget(ctx.tenant_id)
    unseal(ctx, token)
    crypto.clear_cache()
    unseal(ctx, token)
    assert kms_calls == ["Decrypt", "Decrypt"]


def test_the_cache_holds_under_concurrent_requests(clock: FakeClock) -> None:
    cache = crypto.configure_cache(max_entries=2, clock=clock)
    tenants = [new_tenant() for _ in range(4)]
    tokens = {ctx.tenant_id: seal(ctx, f"secret of {ctx.tenant_id}") for ctx in tenants}
    failures: list[BaseException] = []

    def serve(seed: int) -> None:
        picker = random.Random(seed)
        try:
            for _ in range(40):
                ctx = picker.choice(tenants)
                assert unseal(ctx, tokens[ctx.tenant_id]) == f"secret of {ctx.tenant_id}"
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=serve, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(cache) <= 2


def test_the_cache_refuses_a_useless_shape() -> None:
    with pytest.raises(ValueError):
        crypto.KeyCache(max_entries=0)
    with pytest.raises(ValueError):
        crypto.KeyCache(ttl_seconds=0)


# -- blind indexes --------------------------------------------------------------------------


def index(ctx: TenantContext, value: str, *, entity: str = "contact", field: str = "email") -> str:
    with bind(ctx):
        return crypto.blind_index(ctx, entity=entity, field=field, value=value)


def test_blind_index_matches_equal_normalised_values() -> None:
    ctx = new_tenant()
    expected = index(ctx, "alice@example.com")
    fullwidth = "\uff21\uff2c\uff29\uff23\uff25@example.com"  # "ALICE" in fullwidth forms: NFKC folds it
    for variant in ("Alice@Example.COM", "  alice@example.com\n", fullwidth):
        assert index(ctx, variant) == expected
    assert index(ctx, "bob@example.com") != expected
    assert len(expected) == crypto.BLIND_INDEX_LENGTH and "alice" not in expected
    assert "#" not in expected  # usable as a key segment


def test_blind_index_differs_across_tenants_fields_and_entities() -> None:
    ctx, other = new_tenant(), new_tenant()
    value = "alice@example.com"
    assert index(ctx, value) != index(other, value)
    assert index(ctx, value) != index(ctx, value, field="secondary_email")
    assert index(ctx, value) != index(ctx, value, entity="company")


# -- shredding ------------------------------------------------------------------------------


def test_shredding_destroys_the_tenants_data(clock: FakeClock) -> None:
    cache = crypto.configure_cache(clock=clock)
    ctx, other = new_tenant(), new_tenant()
    token = seal(ctx)
    assert unseal(ctx, token) == CARD
    assert ctx.tenant_id in cache
    with bind(ctx):
        before = db.get(ctx, crypto.TenantKey, crypto.key_pk(ctx), crypto.KEY_SK)
        assert before is not None
        wrapped, cmk_arn = bytes(before.wrapped_key), before.cmk_arn
        crypto.shred(ctx)
        assert db.get(ctx, crypto.TenantKey, crypto.key_pk(ctx), crypto.KEY_SK) is None
    assert ctx.tenant_id not in cache
    with pytest.raises(crypto.DecryptionError):
        unseal(ctx, token)
    with bind(ctx), pytest.raises(crypto.KeyUnavailableError):
        crypto.blind_index(ctx, entity="contact", field="email", value="alice@example.com")
    # A copy of the wrapped key (say, from an export) is bound to its tenant by the encryption context.
    with pytest.raises(ClientError) as refused:
        aws.client("kms").decrypt(CiphertextBlob=wrapped, KeyId=cmk_arn,
                                  EncryptionContext={"tenant_id": other.tenant_id})
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_a_wrapped_key_planted_under_another_tenant_does_not_unwrap() -> None:
    victim, attacker = new_tenant(), TenantContext(tenant_id=new_id())
    token = seal(victim)
    with bind(victim):
        stolen = db.get(victim, crypto.TenantKey, crypto.key_pk(victim), crypto.KEY_SK)
    assert stolen is not None
    with bind(attacker):
        planted = crypto.TenantKey(crypto.key_pk(attacker), crypto.KEY_SK, tenant_id=attacker.tenant_id,
                                   wrapped_key=bytes(stolen.wrapped_key), cmk_arn=stolen.cmk_arn, generation=1)
        db.commit(attacker, db.Change().create(planted))
        with pytest.raises(crypto.KeyUnavailableError):
            crypto.blind_index(attacker, entity="contact", field="email", value="x")
    with pytest.raises(crypto.DecryptionError):
        unseal(attacker, token)


def test_a_new_key_after_shredding_cannot_open_old_tokens() -> None:
    ctx = new_tenant()
    token = seal(ctx)
    with bind(ctx):
        crypto.shred(ctx)
        crypto.shred(ctx)  # idempotent: a deletion job may retry
        crypto.provision_key(ctx)
    with pytest.raises(crypto.DecryptionError):
        unseal(ctx, token)


# -- KMS failures ---------------------------------------------------------------------------

OUTAGES = [
    *crypto.KMS_UNAVAILABLE_CODES,
    "EndpointConnectionError",
    "ReadTimeoutError",
]


def _outage(name: str, operation: str) -> Exception:
    if name == "EndpointConnectionError":
        return EndpointConnectionError(endpoint_url="https://kms.eu-west-1.amazonaws.com/")
    if name == "ReadTimeoutError":
        return ReadTimeoutError(endpoint_url="https://kms.eu-west-1.amazonaws.com/")
    return throttled(name, operation)


@pytest.mark.parametrize("outage", sorted(OUTAGES))
def test_kms_outage_on_decrypt_is_a_503_and_leaves_no_trace(
    outage: str, kms_failure: Callable[[str, Exception], None]
) -> None:
    ctx = new_tenant()
    token = seal(ctx)
    crypto.clear_cache()
    kms_failure("Decrypt", _outage(outage, "Decrypt"))
    with pytest.raises(errors.ServiceUnavailableError) as raised:
        unseal(ctx, token)  # an outage is retryable: it must not look like destroyed data
    assert raised.value.status == 503 and "Retry-After" in raised.value.headers
    aws.client("kms").meta.events.unregister("before-call.kms.Decrypt", unique_id="fail-Decrypt")
    assert unseal(ctx, token) == CARD


def test_kms_outage_on_provisioning_is_a_503_and_writes_nothing(
    kms_failure: Callable[[str, Exception], None]
) -> None:
    ctx = TenantContext(tenant_id=new_id())
    kms_failure("GenerateDataKey", throttled("ThrottlingException", "GenerateDataKey"))
    with bind(ctx):
        with pytest.raises(errors.ServiceUnavailableError):
            crypto.provision_key(ctx)
        assert db.get(ctx, crypto.TenantKey, crypto.key_pk(ctx), crypto.KEY_SK) is None


def test_other_kms_errors_are_not_disguised(kms_failure: Callable[[str, Exception], None]) -> None:
    ctx = new_tenant()
    token = seal(ctx)
    crypto.clear_cache()
    kms_failure("Decrypt", throttled("AccessDeniedException", "Decrypt"))
    with pytest.raises(ClientError):  # a policy mistake is a bug (500, logged), not an outage
        unseal(ctx, token)


# -- display --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, None),
        ("", ""),
        ("4111111111111234", "••••1234"),
        ("12345678", "••••5678"),
        ("1234567", "••••"),
        ("12", "••••"),
    ],
)
def test_mask_shows_only_the_last_four_of_long_values(value: str | None, shown: str | None) -> None:
    assert crypto.mask(value) == shown
