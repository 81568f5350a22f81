"""The export archive: a zip of JSON lines per item kind, sealed values opened for the owner.

Items keep DynamoDB's typed JSON (the format of DynamoDB's own export to S3), so an import
reproduces them exactly, sets and numbers included. Each line reads
``{"item": {...}, "sealed": [{"attribute", "key", "entity", "record_id", "field"}]}``: the values at
those places were sealed in the table and are in clear in the archive, ready to be sealed again
under the importing tenant's key. ``manifest.json`` names the source tenant and counts the kinds.
"""

from __future__ import annotations

import base64
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from chalicelib.core import crypto, db
from chalicelib.core.tenancy import TenantContext
from chalicelib.tenantdata import registry, walk
from chalicelib.tenantdata.registry import RawItem, SealedValues

FORMAT = "crm-tenant-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# The shape of a core.crypto token: v1:<generation>:<b64url nonce + ciphertext + tag>.
TOKEN = re.compile(r"v1:[1-9][0-9]{0,8}:[A-Za-z0-9_-]{38,}")


class UndeclaredSealedValueError(RuntimeError):
    """An item holds a sealed value no domain declared: it could be neither opened nor sealed again."""


@dataclass
class ExportSummary:
    """What an archive holds."""

    counts: dict[str, int] = field(default_factory=dict)
    sealed_values: int = 0
    size: int = 0  # bytes of the stored archive (counted toward the plan's storage)


# -- finding and opening sealed values ------------------------------------------------------


def _has_token(value: Any) -> bool:
    """True when a typed value holds a token anywhere (JSON text is looked into)."""
    if isinstance(value, str):
        if TOKEN.fullmatch(value):
            return True
        if value[:1] in "{[":
            try:
                return _has_token_plain(json.loads(value))
            except ValueError:
                return False
        return False
    if isinstance(value, dict):
        return any(_has_token(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_has_token(inner) for inner in value)
    return False


def _has_token_plain(value: Any) -> bool:
    if isinstance(value, str):
        return bool(TOKEN.fullmatch(value))
    if isinstance(value, dict):
        return any(_has_token_plain(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_has_token_plain(inner) for inner in value)
    return False


def _opened(ctx: TenantContext, spec: SealedValues, record_id: str, name: str, token: str) -> str:
    return crypto.decrypt_field(ctx, entity=spec.entity, record_id=record_id, field=name, token=token)


def _open_nested(ctx: TenantContext, spec: SealedValues, item: RawItem, record_id: str,
                 nested: tuple[str, str]) -> list[dict[str, Any]]:
    attribute, prefix = nested
    value = item.get(attribute, {})
    as_json = "S" in value
    values: dict[str, Any] = (json.loads(value["S"]) if as_json
                              else {key: inner.get("S") for key, inner in value.get("M", {}).items()})
    opened = []
    for key, token in values.items():
        if isinstance(token, str) and TOKEN.fullmatch(token):
            values[key] = _opened(ctx, spec, record_id, prefix + key, token)
            opened.append({"attribute": attribute, "key": key, "entity": spec.entity, "record_id": record_id,
                           "field": prefix + key})
    if opened:
        item[attribute] = ({"S": json.dumps(values, ensure_ascii=False)} if as_json
                           else {"M": {**value["M"], **{e["key"]: {"S": values[e["key"]]} for e in opened}}})
    return opened


def _open_values(ctx: TenantContext, spec: SealedValues, item: RawItem, record_id: str) -> list[dict[str, Any]]:
    """Open spec's values in item (a typed item or record snapshot) in place; where they were."""
    opened: list[dict[str, Any]] = []
    for name in spec.fields:
        token = registry.text(item, name)
        if token is not None and TOKEN.fullmatch(token):
            item[name] = {"S": _opened(ctx, spec, record_id, name, token)}
            opened.append({"attribute": name, "key": None, "entity": spec.entity, "record_id": record_id,
                           "field": name})
    if spec.nested is not None and spec.nested[0] in item:
        opened += _open_nested(ctx, spec, item, record_id, spec.nested)
    return opened


def _open_within(ctx: TenantContext, spec: SealedValues, item: RawItem, record_id: str) -> list[dict[str, Any]]:
    """Open spec's values inside the record snapshot item keeps (JSON text of typed values)."""
    within = str(spec.within)
    text_value = registry.text(item, within)
    if not text_value:
        return []
    snapshot = json.loads(text_value)
    opened = _open_values(ctx, spec, snapshot, record_id)
    if opened:
        item[within] = {"S": json.dumps(snapshot, ensure_ascii=False)}
    return [{**entry, "within": within} for entry in opened]


def _open_personal(item: RawItem) -> tuple[RawItem, list[dict[str, Any]]]:
    """The item with its personal attributes in clear, and those of the item snapshots it keeps (a merge's)."""
    opened: list[dict[str, Any]] = []
    if crypto.PERSONAL_FIELD in item:
        item = db.open_personal(item)
        opened.append({"attribute": crypto.PERSONAL_FIELD, "within": None, "personal": True})
    for name, value in list(item.items()):
        text_value = value.get("S") if isinstance(value, dict) else None
        if not text_value or f'"{crypto.PERSONAL_FIELD}"' not in text_value:
            continue
        try:
            snapshot = json.loads(text_value)
        except ValueError:
            continue
        if isinstance(snapshot, dict) and crypto.PERSONAL_FIELD in snapshot and "kind" in snapshot:
            item[name] = {"S": json.dumps(_within(item, snapshot, db.open_personal), ensure_ascii=False)}
            opened.append({"attribute": crypto.PERSONAL_FIELD, "within": name, "personal": True})
    return item, opened


def _within(item: RawItem, snapshot: RawItem, step: Any) -> RawItem:
    """step applied to an item snapshot another item keeps: a merge's copy of a contact (with its keys), or
    the list row a lookup carries (without them: it is the lookup's tenant's)."""
    if "pk" in snapshot:
        return dict(step(snapshot))
    return {name: value for name, value in step({**snapshot, "pk": item["pk"]}).items() if name != "pk"}


def _seal_personal(item: RawItem, entries: list[dict[str, Any]]) -> RawItem:
    """The item with its personal attributes (and its snapshots') sealed again under the importing tenant."""
    for entry in entries:
        within = entry["within"]
        if within is None:
            item = db.seal_personal(item)
        else:
            snapshot = _within(item, json.loads(item[within]["S"]), db.seal_personal)
            item[within] = {"S": json.dumps(snapshot, ensure_ascii=False)}
    return item


def open_item(ctx: TenantContext, item: RawItem) -> tuple[RawItem, list[dict[str, Any]]]:
    """The item as exported (credentials left out, declared sealed values in clear) and where those were."""
    kind = registry.kind_of(item)
    excluded = registry.excluded_attributes(kind)
    item, opened = _open_personal({name: value for name, value in item.items() if name not in excluded})
    for spec in registry.sealed(kind):
        record_id = registry.text(item, spec.record_id_attribute)
        if record_id is None:
            continue
        if spec.within is None:
            opened += _open_values(ctx, spec, item, record_id)
        else:
            opened += _open_within(ctx, spec, item, record_id)
    left = sorted(name for name, value in item.items() if _has_token(value))
    if left:
        raise UndeclaredSealedValueError(f"{kind} holds sealed values in {left} that no domain declared "
                                         "(tenantdata.registry.register_sealed)")
    return item, opened


def _seal_value(ctx: TenantContext, item: RawItem, entry: dict[str, Any]) -> None:
    """Seal one clear value of item (a typed item or record snapshot) in place."""
    attribute, key = entry["attribute"], entry["key"]
    if key is None:
        plaintext = item[attribute]["S"]
    elif "S" in item[attribute]:
        plaintext = json.loads(item[attribute]["S"])[key]
    else:
        plaintext = item[attribute]["M"][key]["S"]
    token = crypto.encrypt_field(ctx, entity=entry["entity"], record_id=entry["record_id"],
                                 field=entry["field"], plaintext=plaintext)
    if key is None:
        item[attribute] = {"S": token}
    elif "S" in item[attribute]:
        item[attribute] = {"S": json.dumps({**json.loads(item[attribute]["S"]), key: token}, ensure_ascii=False)}
    else:
        item[attribute] = {"M": {**item[attribute]["M"], key: {"S": token}}}


def _seals_personal(item: RawItem) -> bool:
    """True for an item of a kind that seals personal attributes but holds no token of them."""
    if crypto.PERSONAL_FIELD in item:
        return False
    try:
        model = db.MainTable._get_discriminator_class(item)
    except ValueError:  # a kind no model here declares: nothing of it is known to be personal
        return False
    return model is not None and bool(model.personal)


def seal_item(ctx: TenantContext, item: RawItem, sealed: list[dict[str, Any]]) -> RawItem:
    """Seal an archived item's clear values again under ctx's tenant key (the import's half of open_item)."""
    item = dict(item)
    snapshots: dict[str, RawItem] = {}
    for entry in sealed:
        if entry.get("personal"):
            continue  # sealed last, once the values inside them are
        within = entry.get("within")
        if within is None:
            _seal_value(ctx, item, entry)
            continue
        if within not in snapshots:
            snapshots[within] = json.loads(item[within]["S"])
        _seal_value(ctx, snapshots[within], entry)
    for within, snapshot in snapshots.items():
        item[within] = {"S": json.dumps(snapshot, ensure_ascii=False)}
    personal = [entry for entry in sealed if entry.get("personal")]
    if not any(entry["within"] is None for entry in personal) and _seals_personal(item):
        # An item the source still held in clear (a job written before jobs sealed their customers' data, which
        # the source's one-off pass would have sealed): sealed like every other, none is written in clear.
        personal.append({"attribute": crypto.PERSONAL_FIELD, "within": None, "personal": True})
    return _seal_personal(item, personal)


# -- typed JSON <-> archive lines -----------------------------------------------------------


def to_json(value: Any) -> Any:
    """A typed item made JSON-safe: binary values as base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {key: to_json(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [to_json(inner) for inner in value]
    return value


def from_json(value: Any, type_name: str | None = None) -> Any:
    """The typed item back from its archived form (base64 text to bytes under B and BS)."""
    if type_name == "B" and isinstance(value, str):
        return base64.b64decode(value)
    if type_name == "BS" and isinstance(value, list):
        return [base64.b64decode(inner) for inner in value]
    if isinstance(value, dict):
        return {key: from_json(inner, key if key in ("B", "BS") else None) for key, inner in value.items()}
    if isinstance(value, list):
        return [from_json(inner) for inner in value]
    return value


# -- the archive ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One item as the archive holds it: its key and kind, its line, and how many sealed values it opened."""

    pk: str
    sk: str
    kind: str
    line: str
    sealed: int

    def to_json(self) -> str:
        """The entry as one line of a part file (a checkpointed export's intermediate output)."""
        return json.dumps([self.pk, self.sk, self.kind, self.line, self.sealed], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Entry:
        """The entry written by to_json."""
        pk, sk, kind, line, sealed = json.loads(text)
        return cls(pk=pk, sk=sk, kind=kind, line=line, sealed=int(sealed))


def entry_of(ctx: TenantContext, raw: RawItem) -> Entry | None:
    """The archive entry of a walked item (None for kinds never exported)."""
    kind = registry.kind_of(raw)
    if registry.is_excluded(kind):
        return None
    item, sealed = open_item(ctx, raw)
    line = json.dumps({"item": to_json(item), "sealed": sealed}, sort_keys=True, ensure_ascii=False)
    opened = [entry for entry in sealed if not entry.get("personal")]  # sensitive values, not personal tokens
    return Entry(pk=str(raw["pk"]["S"]), sk=str(raw["sk"]["S"]), kind=kind, line=line, sealed=len(opened))


def write_zip(out: IO[bytes], entries: Iterable[Entry], *, tenant_id: str, export_id: str,
              created_at: str) -> ExportSummary:
    """Write the archive of these entries (in key order, one file per kind, the last entry of a key kept)."""
    by_key = {(entry.pk, entry.sk): entry for entry in entries}
    lines: dict[str, list[str]] = {}
    summary = ExportSummary()
    for key in sorted(by_key):
        entry = by_key[key]
        lines.setdefault(entry.kind, []).append(entry.line)
        summary.sealed_values += entry.sealed
    summary.counts = {kind: len(found) for kind, found in sorted(lines.items())}
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "tenant_id": tenant_id, "export_id": export_id,
                "created_at": created_at, "counts": summary.counts, "sealed_values": summary.sealed_values}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        for kind, found in lines.items():
            archive.writestr(f"items/{kind}.jsonl", "\n".join(found) + "\n")
    return summary


def write_archive(ctx: TenantContext, out: IO[bytes], *, export_id: str, created_at: str) -> ExportSummary:
    """Walk ctx's tenant in one go and write its archive to out (call with ctx's tenant bound)."""
    entries = [entry_of(ctx, item) for item in walk.tenant_items(ctx).values()]
    return write_zip(out, [entry for entry in entries if entry is not None], tenant_id=ctx.tenant_id,
                     export_id=export_id, created_at=created_at)
