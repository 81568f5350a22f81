"""A month of a flower shop for the demo company of ``make run`` (#20 item 15): customers and the venues they work
with, wedding and event deals along the funnel (won, lost, in between), calls and visits to make (some overdue, some
today, some ahead), notes, leads from the website form with the customers' own words, and the rest of the shop a
newcomer opens next: its catalogue, orders (paid and delivered, confirmed, new), a customer's complaint, a help
article, the segment of this month's buyers and a draft newsletter to them; and the shop's requisites, which its
quotes, invoices and delivery notes print as the seller.

Everything goes through the API as a person would make it, on a clock moved back over the last thirty days, so the
timelines, the stage history and the reports read like a real month. The same seed gives the same month.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

DAYS = 30
VENUES = [("Rosewood Manor", "rosewood-manor.example"), ("The Old Mill Hall", "oldmillhall.example"),
          ("Harbour View Hotel", "harbourview.example"), ("Bloom & Co Events", "bloomandco.example"),
          ("St Anne's Church", None), ("Greenhouse Café", "greenhousecafe.example")]
PEOPLE = [("Emma", "Clarke"), ("Oliver", "Hughes"), ("Sophie", "Turner"), ("James", "Walker"), ("Amelia", "Wright"),
          ("Harry", "Green"), ("Isla", "Baker"), ("George", "Hall"), ("Ava", "Wood"), ("Jack", "Harris"),
          ("Mia", "Martin"), ("Noah", "Cooper"), ("Grace", "King"), ("Leo", "Ward"), ("Chloe", "Morris"),
          ("Thomas", "Bell"), ("Lily", "Price"), ("Henry", "Bennett"), ("Ella", "Gray"), ("Oscar", "Fox")]
DEALS = [("Wedding flowers: Clarke & Hughes", 245000), ("Bridal bouquet and buttonholes", 38000),
         ("Hotel lobby arrangements, monthly", 120000), ("Corporate summer party", 86000),
         ("Christening table flowers", 16500), ("Anniversary roses subscription", 9000),
         ("Funeral wreath and sprays", 21000), ("Café table posies, weekly", 14000),
         ("Church wedding pew ends", 42000), ("Birthday balloon and flower arch", 27500),
         ("Valentine's pre-orders", 64000), ("Conference stage flowers", 58000)]
PRODUCTS = [("Bridal bouquet", "BQ-BRIDE", 8500), ("Table centrepiece", "TB-CENTRE", 4500),
            ("Buttonhole", "BH-ROSE", 800), ("Office reception arrangement, weekly", "OF-WEEKLY", 6000),
            ("Sympathy wreath", "WR-SYMP", 12000)]
# orders of the month: (customer in PEOPLE, lines as (product in PRODUCTS, quantity), how far it went)
ORDERS = [(0, [(0, "1"), (1, "8"), (2, "6")], "delivered"), (4, [(4, "1")], "delivered"),
          (7, [(3, "4")], "confirmed"), (11, [(0, "1"), (2, "2")], "new")]
ARTICLE = ("How we deliver", "We deliver every day from 8 am to 8 pm within 10 miles of the shop. Same-day orders "
           "placed before 1 pm arrive the same day; a wedding is delivered and set up at the venue on the morning of "
           "the day. Tell the customer the delivery fee before they pay: free over 50 GBP, else 7 GBP.")
# the shop's requisites as its documents print them (Settings → Requisites): a UK limited company, its numbers made up
# in the published formats (Companies House, VAT, sort code, the IBAN of the UK's documentation examples) and its
# phone in Ofcom's range for drama (020 7946 0xxx)
REQUISITES = {"legal_name": "Demo Flowers Ltd", "registration_id": "09876543",
              "tax_id": "GB 123 4567 89", "address": "12 Columbia Road, London E2 7RG, United Kingdom",
              "bank_name": "Barclays Bank UK PLC", "bank_code": "BUKBGB22, sort code 20-20-15",
              "bank_account": "55555555", "iban": "GB33BUKB20201555555555", "phone": "+44 20 7946 0321",
              "email": "accounts@demo.example.com", "director": "Olga Owner",
              "note": "Payment by bank transfer, quoting the invoice number."}
# where each deal of DEALS ends the month: how many stages past the first, or won, or lost
FUNNEL: list[int | str] = [0, 1, 1, 2, 2, 3, 3, "won", "won", "lost", 1, 2]
NOTES = ["Prefers white and blush tones; no lilies (allergy).", "Budget agreed on the phone, sending a quote today.",
         "Venue access from 8 am on the day; parking at the back.", "Asked for a sample bouquet before deciding.",
         "Pays by invoice, 30 days.", "Wants eucalyptus in everything.", "Called back: happy with the proposal."]
TASKS = [("Call back about the quote", "call"), ("Send the mood board", "email"), ("Visit the venue", "meeting"),
         ("Confirm delivery time", "call"), ("Order peonies from the wholesaler", "todo"),
         ("Prepare a sample bouquet", "todo"), ("Send the invoice", "email"), ("Follow up after the event", "call")]
LEADS = [{"name": "Charlotte Evans", "phone": "+44 7911 130001", "message": "Hello! We are getting married on 14 June "
          "and would love a quote for the bridal bouquet, 4 bridesmaids and table centrepieces for 80 guests.",
          "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "weddings"},
         {"name": "Daniel Roberts", "email": "daniel.roberts@example.com", "message": "Do you deliver same day "
          "to Camden? It's for my mum's birthday.", "utm_source": "instagram", "utm_medium": "social"},
         {"name": "Priya Shah", "phone": "+44 7911 130002", "email": "priya@example.com", "message": "Looking for "
          "weekly flowers for our office reception. What would a small arrangement cost?",
          "utm_source": "google", "utm_medium": "organic"},
         {"name": "Tom Whitfield", "phone": "+44 7911 130003", "message": "Sympathy flowers please, for Friday.",
          "utm_source": "facebook", "utm_medium": "cpc", "utm_campaign": "sympathy"},
         {"name": "Emma Clarke", "phone": "+44 7911 120000", "message": "Could we add two corsages to our order?",
          "utm_source": "email", "utm_medium": "newsletter"}]


_THEN = threading.local()  # the moment the seeding thread's writes are dated, while it is set


def _now(tz: Any = None) -> datetime:
    moment = getattr(_THEN, "moment", None)
    if moment is None:
        return _REAL_DATETIME.now(tz)
    return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


class _Then(datetime):
    """datetime whose now() is the seeding thread's moment (every other thread keeps the real clock)."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return _now(tz)


_REAL_DATETIME = datetime


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """This thread's writes dated at moment while the block runs: db.utcnow and the datetime its items' default
    timestamps read answer it here, and only here (the runner serves other requests meanwhile)."""
    _THEN.moment = moment
    try:
        yield
    finally:
        _THEN.moment = None


@contextmanager
def _clocks_of_this_thread() -> Iterator[None]:
    from chalicelib.core import db

    real_utcnow, real_datetime = db.utcnow, db.datetime  # type: ignore[attr-defined]
    db.utcnow, db.datetime = (lambda: _now(UTC)), _Then  # type: ignore[assignment,attr-defined,misc]
    try:
        yield
    finally:
        db.utcnow, db.datetime = real_utcnow, real_datetime  # type: ignore[assignment,attr-defined,misc]


class _Api:
    """The app's own HTTP routes, called in this process as the owner."""

    def __init__(self, app: Any, token: str) -> None:
        from chalice.test import Client

        self.gateway = Client(app).http._local_gateway
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             content_type: str = "application/json") -> Any:
        headers = {"Content-Type": content_type, "Authorization": f"Bearer {self.token}"}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        answer = self.gateway.handle_request(method=method, path=path, headers=headers, body=data)
        if answer["statusCode"] >= 400:
            raise RuntimeError(f"demo month: {method} {path} answered {answer['statusCode']}: {answer['body'][:300]!r}")
        return json.loads(answer["body"]) if answer["body"] else None


def seed_month(app: Any, token: str, *, agent_id: str, now: datetime | None = None, seed: int = 20) -> dict[str, int]:
    """Fill the company the token signs in to with a month of a flower shop; returns what it made, by kind."""
    with _clocks_of_this_thread():
        return _seed(app, token, agent_id=agent_id, now=now, seed=seed)


def _seed(app: Any, token: str, *, agent_id: str, now: datetime | None, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    api = _Api(app, token)
    signed_in = api.call("GET", "/api/v1/me")
    me = signed_in["user"]["id"]
    zone = ZoneInfo(signed_in["tenant"]["timezone"])  # "today" is the company's, as the Tasks screen's
    api.call("PUT", "/api/v1/document-settings/requisites", {**REQUISITES, "version": 0})  # its invoices name it
    owners = [me, agent_id]
    day = lambda n, hour=10: (start + timedelta(days=n)).replace(hour=hour, minute=rng.choice((0, 15, 30, 45)))  # noqa: E731
    made = {"companies": 0, "contacts": 0, "deals": 0, "notes": 0, "tasks": 0, "leads": 0}

    venues = []
    for n, (name, site) in enumerate(VENUES):
        with _clock(day(n // 2, 9)):
            venues.append(api.call("POST", "/api/v1/companies", {"name": name, **({"website": site} if site else {})}))
    made["companies"] = len(venues)

    people = []
    for n, (first, last) in enumerate(PEOPLE):
        with _clock(day(rng.randrange(0, 20), rng.randrange(9, 18))):
            venue = venues[n % len(venues)] if n % 3 == 0 else None
            phone = f"+447911{120000 + n:06d}"
            people.append(api.call("POST", "/api/v1/contacts", {
                "first_name": first, "last_name": last, "phones": [{"number": phone}],
                "emails": [{"address": f"{first}.{last}@example.com".lower()}], "owner_id": owners[n % 2],
                "company_ids": [venue["id"]] if venue else []}))
            if n % 2 == 0:  # half agreed to the newsletter (on the website's form): the draft has someone to go to
                api.call("PUT", f"/api/v1/contacts/{people[-1]['id']}/consent", {"email": "granted",
                                                                                  "source": "web_form"})
    made["contacts"] = len(people)

    pipeline = next(p for p in api.call("GET", "/api/v1/pipelines")["items"] if p["is_default"])
    stages = {kind: [s for s in pipeline["stages"] if s["kind"] == kind] for kind in ("open", "won", "lost")}
    opened = stages["open"]
    deals = []
    for n, (title, amount) in enumerate(DEALS):
        created = rng.randrange(0, 22)
        with _clock(day(created, rng.randrange(9, 17))):
            deal = api.call("POST", "/api/v1/deals", {
                "title": title, "amount": {"minor": amount, "currency": "GBP"}, "owner_id": owners[n % 2],
                "contact_ids": [people[(n * 3) % len(people)]["id"]], "company_id": venues[n % len(venues)]["id"]})
        # along the funnel: a few stay new, most move on, two are won and one is lost
        target = FUNNEL[n]
        moments = iter(range(created + 1, DAYS))
        steps = opened[1:int(target) + 1] if isinstance(target, int) else opened[1:]
        for stage in steps:
            with _clock(day(min(next(moments, DAYS - 1), DAYS - 1), rng.randrange(9, 18))):
                deal = api.call("POST", f"/api/v1/deals/{deal['id']}/move", {"stage_id": stage["id"],
                                                                            "version": deal["version"]})
        if isinstance(target, str):
            closing = {"stage_id": stages[target][0]["id"], "version": deal["version"],
                       **({"lost_reason": pipeline["lost_reasons"][0]} if target == "lost" else {})}
            with _clock(day(min(next(moments, DAYS - 1), DAYS - 1), 16)):
                deal = api.call("POST", f"/api/v1/deals/{deal['id']}/move", closing)
        deals.append(deal)
    made["deals"] = len(deals)

    for n, text in enumerate(NOTES):
        subject = ({"type": "deal", "id": deals[n]["id"]} if n % 2 else {"type": "contact", "id": people[n]["id"]})
        with _clock(day(rng.randrange(10, DAYS), rng.randrange(9, 18))):
            api.call("POST", "/api/v1/notes", {"subject": subject, "text": text})
    made["notes"] = len(NOTES)

    # calls and visits to make: two overdue, three today, the rest in the coming days; a few already done
    for n, (title, kind) in enumerate(TASKS * 2):
        offset = [-3, -1, 0, 0, 0, 1, 2, 3, 5, 7, -6, -4, -2, 4, 6, 9][n]
        local = (now.astimezone(zone) + timedelta(days=offset)).replace(hour=rng.choice((10, 12, 15, 17)), minute=0,
                                                                        second=0, microsecond=0)
        due = local.astimezone(UTC)
        soon = now + timedelta(minutes=30 + n)
        if offset == 0 and soon.astimezone(zone).date() == local.date():
            due = max(due, soon)  # still to come today; in the day's last half hour, earlier today
        related = {"type": "deal", "id": deals[n % len(deals)]["id"]} if n % 2 else \
            {"type": "contact", "id": people[n % len(people)]["id"]}
        with _clock(min(now, due) - timedelta(days=2)):
            task = api.call("POST", "/api/v1/tasks", {"title": title, "kind": kind, "due_at": due.isoformat(),
                                                      "related": related})
        if n >= 10:  # the oldest ones were done in time
            with _clock(min(now, due)):
                api.call("POST", f"/api/v1/tasks/{task['id']}/complete", {"version": task["version"]})
    made["tasks"] = len(TASKS) * 2

    form = api.call("POST", "/api/v1/integrations", {"type": "form", "name": "Website order form", "settings": {}})
    key = form["webhook_url"].rsplit("/", 1)[1]
    for n, lead in enumerate(LEADS):
        with _clock(day(DAYS - 9 + n * 2, rng.randrange(8, 21))):
            answer = api.gateway.handle_request(method="POST", path=f"/hooks/forms/{key}", headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                body=urlencode(lead).encode())
            if answer["statusCode"] != 200:
                raise RuntimeError(f"demo month: a lead answered {answer['statusCode']}")
    made["leads"] = len(LEADS)
    made.update(_shop(api, rng, day, people))
    return made


def _shop(api: _Api, rng: random.Random, day: Any, people: list[dict[str, Any]]) -> dict[str, int]:
    """The catalogue, the month's orders, a complaint, a help article, this month's buyers and a newsletter draft."""
    products = []
    for n, (name, sku, price) in enumerate(PRODUCTS):
        with _clock(day(n, 9)):
            products.append(api.call("POST", "/api/v1/products", {
                "name": name, "sku": sku, "price": {"minor": price, "currency": "GBP"}}))
    orders = []
    for n, (customer, lines, reached) in enumerate(ORDERS):
        with _clock(day(8 + n * 5, rng.randrange(9, 18))):
            order = api.call("POST", "/api/v1/orders", {
                "currency": "GBP", "contact_id": people[customer]["id"],
                "lines": [{"product_id": products[line]["id"], "quantity": quantity} for line, quantity in lines]})
        if reached != "new":
            with _clock(day(9 + n * 5, 11)):
                order = api.call("POST", f"/api/v1/orders/{order['id']}/status", {"version": order["version"],
                                                                                   "status": "confirmed"})
        if reached == "delivered":
            with _clock(day(10 + n * 5, 15)):
                order = api.call("POST", f"/api/v1/orders/{order['id']}/payments", {
                    "version": order["version"], "amount_minor": order["totals"]["total_minor"], "method": "card"})
                for status in ("shipped", "delivered"):
                    order = api.call("POST", f"/api/v1/orders/{order['id']}/status", {"version": order["version"],
                                                                                       "status": status})
        orders.append(order)
    with _clock(day(DAYS - 3, 10)):
        api.call("POST", "/api/v1/tickets", {
            "subject": "Two roses in the bouquet arrived wilted", "priority": "high", "contact_id": people[4]["id"],
            "order_id": orders[1]["id"], "description": "The customer sent a photo; she would like them replaced."})
    with _clock(day(2, 12)):
        api.call("POST", "/api/v1/kb/articles", {"title": ARTICLE[0], "body": ARTICLE[1], "category": "Delivery"})
    # Yesterday: a segment is placed by a due timer, and the first due run looks back 48 hours only.
    with _clock(day(DAYS - 1, 12)):
        segment = api.call("POST", "/api/v1/segments", {"name": "Bought this month", "conditions": [
            {"type": "bought_within_days", "value": 30}]})
        api.call("POST", "/api/v1/campaigns", {
            "name": "Spring wedding offer", "channel": "email", "segment_id": segment["id"],
            "subject": "Book your wedding flowers for spring",
            "body": "Thank you for choosing us this month! Book your spring wedding flowers before March and the "
                    "buttonholes are on us."})
    return {"products": len(products), "orders": len(orders), "tickets": 1, "articles": 1, "segments": 1,
            "campaigns": 1}


def sign_in(app: Any, email: str, password: str) -> str:
    """An access token of a user of the demo company, signed in as the web app signs in."""
    from chalice.test import Client

    answer = Client(app).http._local_gateway.handle_request(
        method="POST", path="/api/v1/auth/login", headers={"Content-Type": "application/json"},
        body=json.dumps({"email": email, "password": password}).encode())
    if answer["statusCode"] != 200:
        raise RuntimeError(f"demo month: signing in answered {answer['statusCode']}")
    return str(json.loads(answer["body"])["access_token"])
