"""Bulk actions on contacts: each record checked and written on its own, with an outcome per id."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.contacts import service
from chalicelib.contacts.models import Contact
from chalicelib.contacts.record import CONTACT
from chalicelib.contacts.schemas import MAX_TAGS, BulkIn, BulkOutcome
from chalicelib.core import errors, permissions
from chalicelib.core.tenancy import TenantContext
from chalicelib.records import editing, trash


def _missing(name: str) -> errors.ValidationError:
    return errors.ValidationError(details=[{"loc": [name], "msg": f"{name} is required for this action",
                                           "type": "missing"}])


def _mutation(ctx: TenantContext, request: BulkIn) -> Callable[[Contact], None]:
    """What the action does to one contact (owner and tags checked once, up front)."""
    if request.action == "assign":
        if request.owner_id is None:
            raise _missing("owner_id")
        owner_id, team_id = editing.resolve_owner(ctx, request.owner_id,
                                                  permissions.require(ctx, CONTACT.plural, "update"))

        def assign(contact: Contact) -> None:
            contact.owner_id, contact.team_id = owner_id, team_id

        return assign
    if not request.tags:
        raise _missing("tags")
    tags = list(request.tags)

    def tag(contact: Contact) -> None:
        if request.action == "untag":
            contact.tags = [t for t in contact.tags or [] if t not in tags]
            return
        contact.tags = list(dict.fromkeys([*(contact.tags or []), *tags]))
        if len(contact.tags) > MAX_TAGS:
            raise errors.ValidationError(details=[{"loc": ["tags"], "msg": f"At most {MAX_TAGS} tags",
                                                   "type": "too_many"}])

    return tag


def run(ctx: TenantContext, request: BulkIn) -> list[BulkOutcome]:
    """Apply one action to many contacts; a record that fails does not stop the others.

    When every record met a passing outage (503), nothing changed and the request as a whole answers
    503 with Retry-After, like any other write, so a client retries it whole.
    """
    permissions.require(ctx, CONTACT.plural, "delete" if request.action == "delete" else "update")
    mutate = None if request.action == "delete" else _mutation(ctx, request)
    outcomes = []
    unavailable: errors.ServiceUnavailableError | None = None
    for contact_id in request.ids:
        try:
            if mutate is None:
                contact = trash.delete(ctx, CONTACT, contact_id)
            else:
                contact = service.change_with(ctx, contact_id, action=f"bulk_{request.action}", mutate=mutate)
            outcomes.append(BulkOutcome(id=contact_id, ok=True, status=200, version=int(contact.version or 0)))
        except errors.ServiceUnavailableError as exc:
            unavailable = exc
            outcomes.append(BulkOutcome(id=contact_id, ok=False, status=exc.status, code=exc.code))
        except errors.CRMError as exc:
            outcomes.append(BulkOutcome(id=contact_id, ok=False, status=exc.status, code=exc.code))
    if unavailable is not None and all(outcome.code == unavailable.code for outcome in outcomes):
        raise unavailable
    return outcomes
