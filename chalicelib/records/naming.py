"""What records are called, for the cards and lists that name others (#20 items 1 and 11): a task names the record
it is about, a deal card its contacts and company. One BatchGetItem for up to 100 records; a record the caller may
not read, a deleted one and a missing one go unnamed."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, is_valid_id
from chalicelib.records import access, types
from chalicelib.records.fieldaccess import service as fieldaccess
from chalicelib.records.timeline import PROFILE_SK
from chalicelib.records.types import RecordType

Ref = tuple[str, str]  # (record type, record id)
MAX_NAMED = 100  # one BatchGetItem


def record_name(record: Any) -> str | None:
    """What a record is called: a deal's title, a company's or product's name, a contact's first and last names."""
    for attribute in ("title", "name"):
        if isinstance(getattr(record, attribute, None), str):
            return str(getattr(record, attribute))
    parts = [getattr(record, attribute, None) for attribute in ("first_name", "last_name")]
    return " ".join(part for part in parts if isinstance(part, str) and part) or None


# Russian patronymics: "Ивановна", "Петрович", "Ильич", "Кузьминична" (and their Latin spellings).
_PATRONYMIC = re.compile(r"(вич|вна|ична|чна|ич|vich|vna|ichna|ich)$", re.IGNORECASE)


def split_name(full: str) -> tuple[str, str | None]:
    """A name typed in one box (a website form's, an import's full-name column, a messenger's profile name) as first
    and last names (#20 item 12): "Ольга Смирнова" is Ольга and Смирнова;
    a Russian full name with a patronymic keeps it with the first name whichever way round it was typed
    ("Смирнова Ольга Ивановна", "Ольга Ивановна Смирнова"); one word, or four and more, stays the first name."""
    words = full.split()
    if len(words) == 2:
        return words[0], words[1]
    if len(words) == 3 and _PATRONYMIC.search(words[2]):
        return f"{words[1]} {words[2]}", words[0]
    if len(words) == 3 and _PATRONYMIC.search(words[1]):
        return f"{words[0]} {words[1]}", words[2]
    return full, None


def record_names(ctx: TenantContext, refs: Iterable[Ref], *, also: Iterable[tuple[str, str]] = (),
                 granted: Collection[Ref] = ()) -> dict[Ref, str]:
    """The names of the live records the caller may read among refs, by (type, id); ``also`` names the keys of
    other items read in the same BatchGetItem (answered by :func:`names_and_items`); ``granted``: records the
    caller reads whatever their scope (the caller's open tasks are about them: ``access.on_my_task``)."""
    return names_and_items(ctx, refs, also=also, granted=granted)[0]


def names_and_items(ctx: TenantContext, refs: Iterable[Ref], *, also: Iterable[tuple[str, str]] = (),
                    granted: Collection[Ref] = ()) -> tuple[dict[Ref, str], dict[tuple[str, str], Any]]:
    """record_names, and the items of ``also`` (by key) read in the same BatchGetItem (a deal card's pipeline)."""
    wanted: dict[tuple[str, str], tuple[RecordType, str]] = {}
    for type_name, record_id in refs:
        rtype = types.find(type_name) if type_name else None
        if rtype is not None and record_id and is_valid_id(record_id) and len(wanted) < MAX_NAMED:
            wanted[(access.collection_pk(ctx, rtype, record_id), PROFILE_SK)] = (rtype, record_id)
    extra = [key for key in also if key not in wanted][:MAX_NAMED - len(wanted)]
    found = db.get_many(ctx, [*wanted, *extra]) if wanted or extra else {}
    names: dict[Ref, str] = {}
    for key, record in found.items():
        if key not in wanted:
            continue
        rtype, record_id = wanted[key]
        live = isinstance(record, rtype.model) and record.deleted_at is None
        # a name made of a field the caller's role may not read goes unsaid too (#21 item 10, field rules)
        readable = (rtype.name, record_id) in granted or access.may_read(ctx, rtype, record)
        name = record_name(record) if live and readable \
            and not fieldaccess.name_hidden(ctx, rtype) else None
        if name:
            names[(rtype.name, record_id)] = name
    return names, {key: found[key] for key in extra if key in found}
