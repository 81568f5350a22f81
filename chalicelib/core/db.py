"""The main table, the PynamoDB base models, signed-cursor pagination and transactions.

Single-table design: every model shares ``pk``/``sk`` and two overloaded indexes
(``gsi1pk/gsi1sk``, ``gsi2pk/gsi2sk``); the ``kind`` discriminator tells PynamoDB which model an
item is, so one Query over a record's item collection returns typed objects.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pynamodb.attributes import (
    Attribute,
    DiscriminatorAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.exceptions import AttributeDeserializationError, PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.core import aws, errors
from chalicelib.core.config import settings
from chalicelib.core.tenancy import TenantContext, key_belongs_to

THROTTLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class _TableMeta:
    table_name = settings.table_name
    host = settings.aws_endpoint_url
    region = settings.region
    billing_mode = "PAY_PER_REQUEST"
    max_retry_attempts = 2
    base_backoff_ms = 25


class Gsi1(GlobalSecondaryIndex["MainTable"]):
    """First overloaded index: lists (by owner, by stage, by name ...)."""

    class Meta(_TableMeta):
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["MainTable"]):
    """Second overloaded index: the other access path of a list."""

    class Meta(_TableMeta):
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


_NULL = "NULL"
_R = TypeVar("_R", bound="MainTable")
# Per model class: (python name, stored name, DynamoDB type, attribute, plain) of every attribute; "plain"
# when the attribute keeps PynamoDB's own __set__ (a value in attribute_values), else it is set as PynamoDB does.
_READ_PLANS: dict[type, list[tuple[str, str, str, Callable[[Any], Any], bool]]] = {}
_SEALED_NAMES: dict[type, tuple[str, ...]] = {}
_BLANKS: dict[type, tuple[dict[str, Any], list[tuple[str, Any]]]] = {}


def _number(text: str) -> Any:
    """A stored number as NumberAttribute reads it (``json.loads``), without the JSON parser for an integer."""
    try:
        return int(text)
    except ValueError:
        return json.loads(text)


def _read_plan(model: type[MainTable]) -> list[tuple[str, str, str, Callable[[Any], Any], bool]]:
    plan = _READ_PLANS.get(model)
    if plan is None:
        plan = [(name, attr.attr_name, attr.attr_type,
                 _number if type(attr).deserialize is NumberAttribute.deserialize else attr.deserialize,
                 type(attr).__set__ is Attribute.__set__)
                for name, attr in model.get_attributes().items()
                if not isinstance(attr, DiscriminatorAttribute)]  # the model was chosen by it: already set
        _READ_PLANS[model] = plan
    return plan


def _blank(model: type[MainTable]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """What ``model(_user_instantiated=False)`` holds before any value is read: its discriminator and constant
    defaults (copied into each item), and the defaults computed per item (PynamoDB calls a callable default
    for every item it makes). Building it once per model spares a list page of 50 rows 50 walks of every
    attribute's default (#21: a page must stay within bench.cpu's target)."""
    blank = _BLANKS.get(model)
    if blank is None:
        computed = [(name, attr.default) for name, attr in model.get_attributes().items() if callable(attr.default)]
        item = model(_user_instantiated=False)
        initial = {name: value for name, value in item.attribute_values.items()
                   if name not in {found for found, _ in computed}}
        blank = _BLANKS[model] = (initial, computed)
    return blank


def _sealed_names(model: type[MainTable]) -> tuple[str, ...]:
    names = _SEALED_NAMES.get(model)
    if names is None:
        attributes = model.get_attributes()
        names = tuple(attributes[name].attr_name for name in sorted(model.personal) if name in attributes)
        _SEALED_NAMES[model] = names
    return names


def _seal(model: type[MainTable], values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """values with the model's personal attributes moved into one sealed token (none when all are empty)."""
    from chalicelib.core import crypto

    clear = {name: values.pop(name) for name in _sealed_names(model) if name in values}
    if clear:
        ctx = crypto.tenant_of_key(values["pk"]["S"])
        values[crypto.PERSONAL_FIELD] = {"S": crypto.seal_values(
            ctx, kind=values.get("kind", {}).get("S", model.__name__),
            identity=values[model.get_attributes()[model.seal_identity].attr_name]["S"], values=clear)}
    return values


def _open(data: dict[str, Any], stored: type[MainTable]) -> dict[str, Any]:
    """DynamoDB values of a stored item with its sealed token replaced by the personal attributes it holds."""
    from chalicelib.core import crypto

    token = data.get(crypto.PERSONAL_FIELD)
    if not token:
        return data
    ctx = crypto.tenant_of_key(data["pk"]["S"])
    identity = data[stored.get_attributes()[stored.seal_identity].attr_name]["S"]
    opened = crypto.open_values(ctx, kind=data.get("kind", {}).get("S", stored.__name__), identity=identity,
                                token=token["S"])
    data = dict(data)
    del data[crypto.PERSONAL_FIELD]
    data.update(opened)  # type: ignore[arg-type]
    return data


def seal_actions(item: MainTable) -> list[Any]:
    """UpdateItem actions that replace an item's sealed personal attributes with those item holds (all of
    them: they are one token, so an update that set one in clear would be shadowed by the token)."""
    model = type(item)
    token = item.serialize(null_check=False).get("pd")
    actions = [getattr(model, name).remove() for name in sorted(model.personal)]
    return [model.sealed_token.set(token["S"]), *actions] if token else actions


def open_personal(data: dict[str, Any]) -> dict[str, Any]:
    """A stored item's DynamoDB values with its personal attributes in clear (the tenant export)."""
    stored = MainTable._get_discriminator_class(data)
    return _open(data, stored) if stored is not None else data


def seal_personal(data: dict[str, Any]) -> dict[str, Any]:
    """An item's DynamoDB values with its personal attributes sealed again (the tenant import, under its key)."""
    stored = MainTable._get_discriminator_class(data)
    return _seal(stored, dict(data)) if stored is not None and stored.personal else data


class MainTable(Model):
    """Base of every item in the main table."""

    class Meta(_TableMeta):
        pass

    # Attributes holding a customer's personal data: stored only inside one token sealed with the
    # tenant's data key (``crypto.seal_values``), bound to the item's kind and to the value of
    # ``seal_identity`` (the partition: the record; list rows name their record instead, since a
    # lookup carries its row under another key). Read back transparently by from_raw_data.
    personal: ClassVar[frozenset[str]] = frozenset()
    seal_identity: ClassVar[str] = "pk"
    sealed_token = UnicodeAttribute(null=True, attr_name="pd")  # never set on an item: see seal_actions

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's connection of the model, its DynamoDB client made from the process's one botocore session
        (``aws.botocore_session``) instead of a session of its own, under the lock that session's clients are
        made under. ``tests/core/test_aws.py`` fails if PynamoDB stops reading the session from there."""
        connection = super()._get_connection()
        inner = connection.connection
        if inner._client is None:
            with aws.creating_client():
                if getattr(inner._local, "session", None) is None:
                    inner._local.session = aws.botocore_session()
                inner.client  # noqa: B018  (made now, under the lock)
        return connection

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        """The item for DynamoDB, its personal attributes sealed into one token."""
        values = super().serialize(null_check=null_check)
        return _seal(type(self), values) if self.personal else values

    def _container_deserialize(self, attribute_values: dict[str, dict[str, Any]]) -> None:
        """Set the item from DynamoDB's values, opening its sealed personal attributes."""
        super()._container_deserialize(_open(attribute_values, type(self)))

    @classmethod
    def from_raw_data(cls: type[_R], data: dict[str, Any]) -> _R:
        """An item as read from DynamoDB, as PynamoDB makes it, with each value stored straight into the item.

        PynamoDB's own path sets every default twice and every value through two descriptors; a list page
        of 50 rows spent more CPU there than in the rest of our code (#22, bench.cpu). The result is the same
        (tests/core/test_db.py compares the two on every item kind the suite makes).
        """
        if data is None:
            raise ValueError("Received no data to construct object")
        stored = cls._get_discriminator_class(data) or cls
        if not issubclass(stored, cls):
            raise ValueError(f"Cannot instantiate a {cls.__name__} from the returned class: {stored.__name__}")
        initial, computed = _blank(stored)
        item = stored.__new__(stored)  # its discriminator and defaults, as PynamoDB's __init__ sets them
        values = item.attribute_values = dict(initial)
        data = _open(data, stored)
        for name, stored_name, kind, load, plain in _read_plan(stored):
            raw = data.get(stored_name)
            if not raw or _NULL in raw:
                continue
            if kind not in raw:
                raise AttributeDeserializationError(stored_name, kind)
            if plain:
                values[name] = load(raw[kind])
            else:
                setattr(item, name, load(raw[kind]))
        for name, default in computed:  # PynamoDB sets these before reading, for the read to overwrite
            if name not in values:
                setattr(item, name, default())
        return item

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute(attr_name="kind")
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()


class VersionedItem(MainTable):
    """A mutable item: optimistic concurrency through ``version``, timestamps, audit chain head."""

    version = VersionAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    # Hash of the newest audit record of this entity: the next record chains to it.
    audit_hash = UnicodeAttribute(null=True)


_M = TypeVar("_M", bound=MainTable)


def owned(ctx: TenantContext, item: _M | None) -> _M | None:
    """Return item only when it belongs to ctx's tenant (defence in depth behind the keys)."""
    if item is None or not key_belongs_to(ctx, item.pk):
        return None
    return item


def get_many(ctx: TenantContext, keys: list[tuple[str, str]], *, consistent: bool = False
             ) -> dict[tuple[str, str], MainTable]:
    """Items of any kind by key in one BatchGetItem (up to 100 keys), those of ctx's tenant only."""
    with translate_errors():
        return {(item.pk, item.sk): item for item in MainTable.batch_get(keys, consistent_read=consistent)
                if owned(ctx, item) is not None}


def get(ctx: TenantContext, model: type[_M], pk: str, sk: str) -> _M | None:
    """GetItem by key, None when missing or another tenant's."""
    with translate_errors():
        try:
            return owned(ctx, model.get(pk, sk, consistent_read=True))
        except model.DoesNotExist:
            return None


# -- errors ---------------------------------------------------------------------------------


def response_code(exc: PynamoDBException) -> str | None:
    """The DynamoDB error code behind a PynamoDB error (None for a dropped connection, whose cause
    carries no response: PynamoDB's own ``cause_response_code`` raises on those)."""
    response = getattr(exc.cause, "response", None)
    return str(response.get("Error", {}).get("Code")) if isinstance(response, dict) else None


def _is_conditional_failure(exc: PynamoDBException) -> bool:
    if isinstance(exc, TransactWriteError):
        return any(
            reason is not None and reason.code == "ConditionalCheckFailed"
            for reason in exc.cancellation_reasons
        )
    return response_code(exc) == "ConditionalCheckFailedException"


def _is_throttle(exc: PynamoDBException) -> bool:
    if response_code(exc) in THROTTLE_CODES:
        return True
    if isinstance(exc, TransactWriteError):
        return any(
            reason is not None and reason.code in {"ThrottlingError", "TransactionConflict"}
            for reason in exc.cancellation_reasons
        )
    return False


@contextmanager
def translate_errors(conflict: Callable[[], errors.CRMError] = errors.VersionConflictError) -> Iterator[None]:
    """Turn DynamoDB failures into the error tree: stale writes 409, throttling 503."""
    try:
        yield
    except PynamoDBException as exc:
        if _is_conditional_failure(exc):
            raise conflict() from exc
        if _is_throttle(exc):
            raise errors.ServiceUnavailableError() from exc
        if exc.cause is not None and "Could not connect" in str(exc.cause):
            raise errors.ServiceUnavailableError() from exc
        raise


# -- transactions ---------------------------------------------------------------------------


@dataclass
class Change:
    """Writes that must commit together (a record, its lookups, its audit record)."""

    saves: list[MainTable] = field(default_factory=list)
    deletes: list[MainTable] = field(default_factory=list)
    creates: list[MainTable] = field(default_factory=list)  # put only if the key is free
    checks: list[tuple[type[MainTable], str, str, Any]] = field(default_factory=list)
    updates: list[tuple[MainTable, list[Any]]] = field(default_factory=list)  # counters: UpdateItem actions
    limited: dict[tuple[str, str], Limited] = field(default_factory=dict)  # counters under a ceiling, by key

    def add(self, item: MainTable, **amounts: int) -> Change:
        """Add numbers to an item's counters (made with the item's keys and attributes if it is new):
        written in the same transaction as the rest, so a change counted once is counted exactly once."""
        model = type(item)
        if model.personal:
            raise TypeError(f"{model.__name__} seals personal attributes: counters belong on an item without any")
        actions: list[Any] = [model.kind.set(model)]
        for name, value in item.attribute_values.items():  # what names the item; counters are only added to
            if name not in {"pk", "sk", "kind"} and not isinstance(getattr(model, name), NumberAttribute):
                actions.append(getattr(model, name).set(value))
        actions += [getattr(model, name).add(value) for name, value in amounts.items() if value]
        self.updates.append((item, actions))
        return self

    def limit(self, item: MainTable, amounts: dict[str, int], *, ceilings: dict[str, int] | None = None,
              refusal: Callable[[], errors.CRMError] | None = None) -> Change:
        """Add numbers to an item's counters, each kept at or under its ceiling: a transaction that would
        take one past it fails as a whole and raises ``refusal()`` (not a 409). Amounts added to the same
        item again in this change are summed into its one update (a transaction names an item once)."""
        key = (item.pk, item.sk)
        found = self.limited.get(key)
        if found is None:
            self.limited[key] = Limited(item, dict(amounts), dict(ceilings or {}), refusal)
        else:
            for name, value in amounts.items():
                found.amounts[name] = found.amounts.get(name, 0) + value
            found.ceilings.update(ceilings or {})
            found.refusal = found.refusal or refusal
        return self

    def save(self, item: MainTable) -> Change:
        """Add a versioned put of an existing or new item."""
        self.saves.append(item)
        return self

    def create(self, item: MainTable) -> Change:
        """Add a put that fails if the key already exists (unique lookups, audit records)."""
        self.creates.append(item)
        return self

    def delete(self, item: MainTable) -> Change:
        """Add a delete (version-checked when the item has a version)."""
        self.deletes.append(item)
        return self

    def extend(self, other: Change | None) -> Change:
        """Add another change's writes (a caller's, to commit in this transaction)."""
        if other is not None:
            self.saves += other.saves
            self.creates += other.creates
            self.deletes += other.deletes
            self.checks += other.checks
            self.updates += other.updates
            for found in other.limited.values():
                self.limit(found.item, found.amounts, ceilings=found.ceilings, refusal=found.refusal)
        return self


@dataclass
class Limited:
    """Counters of one item that a change adds to, with the ceilings they must stay within."""

    item: MainTable
    amounts: dict[str, int]
    ceilings: dict[str, int]
    refusal: Callable[[], errors.CRMError] | None = None

    def actions(self) -> list[Any]:
        """The UpdateItem actions: the item's kind (and its expiry, for a counter of a day), then each amount added
        (made with the item when new)."""
        model = type(self.item)
        expiry = [model.expires_at.set(self.item.expires_at)] if self.item.expires_at is not None else []
        return [model.kind.set(model), *expiry, *(getattr(model, name).add(value)
                                                  for name, value in self.amounts.items() if value)]

    def condition(self) -> Any:
        """Each ceiling, checked against the value before the amount is added (None: nothing is capped)."""
        model, found = type(self.item), None
        for name, ceiling in self.ceilings.items():
            attribute = getattr(model, name)
            allowed = attribute.does_not_exist() | (attribute <= ceiling - self.amounts.get(name, 0))
            found = allowed if found is None else found & allowed
        return found


@contextmanager
def _refusals(change: Change) -> Iterator[None]:
    """A transaction cancelled by a counter's ceiling raises that counter's refusal, not a conflict. The
    counters are the last items of the transaction (after PynamoDB's checks, deletes, puts and updates)."""
    try:
        yield
    except TransactWriteError as exc:
        limited = list(change.limited.values())
        reasons = exc.cancellation_reasons[-len(limited):] if limited else []
        for found, reason in zip(limited, reasons, strict=False):
            if reason is not None and reason.code == "ConditionalCheckFailed" and found.refusal is not None:
                raise found.refusal() from exc
        raise


def _check_owned(ctx: TenantContext, items: list[MainTable]) -> None:
    for item in items:
        if not (key_belongs_to(ctx, item.pk) or item.pk.startswith("G#")):
            raise errors.ForbiddenError("A write crossed the tenant boundary.")


CommitListener = Callable[[TenantContext, list[MainTable]], None]
_commit_listeners: list[CommitListener] = []


def on_commit(listener: CommitListener) -> None:
    """Be told of the items every write of this process committed (what a warm Lambda remembers of
    them, the principal above all, must not outlive a change it made itself)."""
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def _committed(ctx: TenantContext, items: list[MainTable]) -> None:
    for listener in _commit_listeners:
        listener(ctx, items)


def commit(
    ctx: TenantContext,
    change: Change,
    *,
    conflict: Callable[[], errors.CRMError] = errors.VersionConflictError,
) -> None:
    """Write a change in one DynamoDB transaction; any stale version or taken key raises 409."""
    items = [*change.saves, *change.creates, *change.deletes, *(item for item, _ in change.updates)]
    _check_owned(ctx, items)
    _check_owned(ctx, [found.item for found in change.limited.values()])
    with translate_errors(conflict), _refusals(change), \
            TransactWrite(connection=MainTable._get_connection().connection) as tx:
        for item in change.saves:
            tx.save(item)
        for item in change.creates:
            tx.save(item, condition=MainTable.pk.does_not_exist())
        for item in change.deletes:
            tx.delete(item)
        for model, pk, sk, condition in change.checks:
            tx.condition_check(model, pk, sk, condition=condition)
        for item, actions in change.updates:
            tx.update(item, actions=actions)
        for found in change.limited.values():
            tx.update(found.item, actions=found.actions(), condition=found.condition())
    _committed(ctx, items)


def put(ctx: TenantContext, item: VersionedItem) -> None:
    """One versioned item alone, no audit record (a lease, a counter): a PutItem, half a
    transaction's write units; a stale version raises 409."""
    _check_owned(ctx, [item])
    with translate_errors():
        item.save()
    _committed(ctx, [item])


# -- cursors --------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cursor_key() -> bytes:
    from chalicelib.core import secrets

    return secrets.cursor_key()


def encode_cursor(ctx: TenantContext, scope: str, last_key: dict[str, Any]) -> str:
    """Sign a DynamoDB LastEvaluatedKey for ctx's tenant and this list (scope)."""
    payload = json.dumps({"t": ctx.tenant_id, "s": scope, "k": last_key}, separators=(",", ":"))
    body = _b64(payload.encode())
    mac = hmac.new(_cursor_key(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def decode_cursor(ctx: TenantContext, scope: str, cursor: str) -> dict[str, Any]:
    """Verify a cursor: our signature, ctx's tenant, the same list, keys in the tenant's space."""
    try:
        body, mac = cursor.split(".", 1)
        expected = hmac.new(_cursor_key(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise errors.InvalidCursorError()
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise errors.InvalidCursorError() from exc
    if not isinstance(payload, dict) or payload.get("t") != ctx.tenant_id or payload.get("s") != scope:
        raise errors.InvalidCursorError()
    last_key = payload.get("k")
    if not isinstance(last_key, dict) or not _keys_in_tenant(ctx, last_key):
        raise errors.InvalidCursorError()
    return last_key


def _keys_in_tenant(ctx: TenantContext, last_key: dict[str, Any]) -> bool:
    for name in ("pk", "gsi1pk", "gsi2pk"):
        value = last_key.get(name)
        if value is not None and not key_belongs_to(ctx, value.get("S", "") if isinstance(value, dict) else ""):
            return False
    return "pk" in last_key


# -- pagination -----------------------------------------------------------------------------

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list and the cursor of the next one."""

    items: list[T]
    next_cursor: str | None


MAX_PAGE = 200


def query_page(
    ctx: TenantContext,
    model: type[_M],
    hash_key: str,
    *,
    scope: str,
    limit: int = 50,
    cursor: str | None = None,
    index: Gsi1 | Gsi2 | None = None,
    range_key_condition: Any = None,
    filter_condition: Any = None,
    newest_first: bool = True,
    keep: Callable[[_M], bool] | None = None,
) -> Page[_M]:
    """One Query for one page of a list, with a signed cursor for the next."""
    if not key_belongs_to(ctx, hash_key):
        raise errors.ForbiddenError("A list crossed the tenant boundary.")
    limit = max(1, min(limit, MAX_PAGE))
    start = decode_cursor(ctx, scope, cursor) if cursor else None
    source: Any = index if index is not None else model
    with translate_errors():
        results = source.query(
            hash_key,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            scan_index_forward=not newest_first,
            limit=limit,
            last_evaluated_key=start,
            page_size=limit,
        )
        items = [item for item in results if keep is None or keep(item)]
        last_key = results.last_evaluated_key
    next_cursor = encode_cursor(ctx, scope, last_key) if last_key else None
    return Page(items=items, next_cursor=next_cursor)


def each_in_batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Slices of at most size items (transactions take at most 100 actions)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def create_tables(*, wait: bool = True) -> None:
    """Create the main table with its indexes if it does not exist (local runner, tests)."""
    if not MainTable.exists():
        MainTable.create_table(billing_mode="PAY_PER_REQUEST", wait=wait)
