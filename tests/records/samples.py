"""What the shared suites need to know of each record type: a body that creates one, a change, a query that finds it.

A record type declared in ``chalicelib/records/catalog.py`` is tested by the shared suite
(``tests/records``), the fault walk and the cross-tenant matrix once it has an entry here; a test
fails while a declared type has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

_serial = count(1)


@dataclass(frozen=True)
class Sample:
    """How the suites make, change and find a record of one type over the API."""

    create: Any  # () -> body of a POST that creates one (unique where the type needs it)
    change: dict[str, Any]  # a PATCH body (the version is added)
    search: Any = None  # (created record) -> a q that finds it; None: the type has no search
    name_field: str = "name"  # the body field a list sorted by name orders by first (a string)
    make: Any = None  # (client, owner token) -> a record made another way than a POST of create (a call)

    def made(self, client: Any, token: str, plural: str) -> dict[str, Any]:
        """A new record of the type as the API answers it, made as its type is made."""
        if self.make is not None:
            return dict(self.make(client, token))
        from tests.support import body

        response = client.post(f"/api/v1/{plural}", self.create(), token=token)
        assert response.status_code in (200, 201), response.body
        return dict(body(response))


def _n() -> int:
    return next(_serial)


SAMPLES: dict[str, Sample] = {
    "contact": Sample(create=lambda: {"first_name": "Sample", "last_name": f"Person{_n()}",
                                      "emails": [{"address": f"sample{_n()}@example.com"}]},
                      change={"first_name": "Changed"}, search=lambda made: made["last_name"],
                      name_field="first_name"),
    "company": Sample(create=lambda: {"name": f"Samplecorp {_n()}", "phones": [{"number": f"+4420794{_n():05d}"}]},
                      change={"name": "Changed Co"}, search=lambda made: made["name"]),
    "deal": Sample(create=lambda: {"title": f"Sample deal {_n()}"}, change={"title": "Changed deal"},
                   name_field="title"),
    "product": Sample(create=lambda: {"name": f"Sample widget {_n()}", "sku": f"SW-{_n()}",
                                      "price": {"minor": 1250, "currency": "EUR"}},
                      change={"name": "Changed widget", "price": {"minor": 990, "currency": "EUR"}},
                      search=lambda made: made["sku"]),
    # A call is made by its provider's events (or a click-to-call), never by a POST of its fields.
    "call": Sample(create=dict, change={}, make=lambda client, token: _call(client, token)),
    # A conversation is made by its customer's first message (or a card's first message), never by a POST of it.
    "conversation": Sample(create=dict, change={}, make=lambda client, token: _conversation(client, token)),
    # A ticket (#24) is opened by a POST of its subject; its queue is searched by the subject's words.
    "ticket": Sample(create=lambda: {"subject": f"Sample ticket {_n()}", "priority": "high"},
                     change={"subject": "Changed ticket"}, search=lambda made: made["subject"], name_field="subject"),
    # An order is of a contact (or a company): one is made for it first.
    "order": Sample(create=dict, change={"notes": "Changed notes"}, make=lambda client, token: _order(client, token)),
}


def _order(client: Any, token: str) -> dict[str, Any]:
    from tests.support import body

    contact = client.post("/api/v1/contacts", {"first_name": "Sample", "last_name": f"Buyer{_n()}"}, token=token)
    assert contact.status_code == 201, contact.body
    made = client.post("/api/v1/orders", {"currency": "EUR", "contact_id": body(contact)["id"], "lines": [
        {"description": f"Sample service {_n()}", "quantity": "1.5", "unit_price_minor": 1250, "tax_rate": "20"}]},
        token=token)
    assert made.status_code == 201, made.body
    return dict(body(made))


def _call(client: Any, token: str) -> dict[str, Any]:
    from tests.telephony.kit import make_call

    return make_call(client, token, customer=f"+7916{_n():07d}")


def _conversation(client: Any, token: str) -> dict[str, Any]:
    from tests.messaging.kit import make_conversation

    return make_conversation(client, token, customer=f"+7916{_n():07d}")
