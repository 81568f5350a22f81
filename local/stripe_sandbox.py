"""A sandbox Stripe: the part of Stripe's API the CRM calls, its Checkout and Customer Portal pages, and
correctly signed webhook events, all on loopback. Nothing here ever reaches api.stripe.com.

The app's Stripe SDK is pointed here by ``CRM_STRIPE_API_BASE`` (``<origin>/stripe``): ``make run``
serves it on the app's own port, the tests on a port of their own. It answers as Stripe's API does
(form-encoded requests, JSON objects, ``Idempotency-Key`` honoured: the same key with other
parameters is refused as Stripe refuses it) and records every request, so tests can check what Stripe
would have received. A Checkout URL opens a page showing the plan, the price and the seats; "Pay"
makes the subscription and its paid invoice and sends ``checkout.session.completed``,
``customer.subscription.created`` and ``invoice.paid`` to the app's ``/hooks/stripe``, signed with the
stage's ``stripe_webhook_secret`` exactly as Stripe signs (``Stripe-Signature: t=..,v1=..``), then
returns to the app. The portal page changes seats, fails or settles a payment, and cancels; a portal
session made with a ``subscription_update_confirm`` flow (a deep link to a change of plan) shows the change and
confirms it, as Stripe's does, only for a price the session's configuration allows.
"""

from __future__ import annotations

import contextlib
import html
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PREFIX = "/stripe"
API_VERSION = "2026-10-28.endive"
Answer = tuple[int, dict[str, str], bytes]
Deliver = Callable[[bytes, str], int]  # (body, Stripe-Signature) -> HTTP status of the app's answer


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header of a payload, as Stripe computes it (and its SDK verifies it)."""
    import hashlib
    import hmac

    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":  # ids[]=a: append
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class Recorded:
    """One API request as the sandbox received it."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    stripe_version: str | None
    status: int


@dataclass
class StripeSandbox:
    """The sandbox's state and its answers. ``api_key`` and ``webhook_secret`` are read when needed (the
    stage secret may be made after the sandbox), ``deliver`` sends an event to the app."""

    public_base: str  # where the pages are reachable: <origin>/stripe
    keys: Callable[[], tuple[str, str]]  # (api key, webhook secret)
    deliver: Deliver | None = None
    hook_url: str | None = None
    clock: Callable[[], float] = time.time
    state_path: Path | None = None  # under `make run`: customers and subscriptions outlive a restart
    requests: list[Recorded] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    _idempotent: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one request to ``<PREFIX>/...`` (the API, or a page)."""
        split = urlsplit(target)
        path = split.path[len(PREFIX):] if split.path.startswith(PREFIX) else split.path
        lowered = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            answer = self._api(method, path, split.query, lowered, body) if path.startswith("/v1/") \
                else self._page(method, path, body)
            if method == "POST":
                self.save()
            return answer

    def load(self) -> StripeSandbox:
        """Take up the objects a previous run kept (``state_path``)."""
        if self.state_path is not None and self.state_path.exists():
            with contextlib.suppress(ValueError, OSError):
                self.objects.update(json.loads(self.state_path.read_text(encoding="utf-8")))
        return self

    def save(self) -> None:
        """Keep the objects (``state_path``), replacing the file atomically."""
        if self.state_path is None:
            return
        staged = self.state_path.with_suffix(".tmp")
        staged.write_text(json.dumps(self.objects), encoding="utf-8")
        staged.replace(self.state_path)

    def _api(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        pairs = parse_qsl(query if method == "GET" else body.decode(), keep_blank_values=True)
        params = decode_form(pairs)
        key = headers.get("idempotency-key")
        api_key = self.keys()[0]
        if headers.get("authorization") != f"Bearer {api_key}":
            answer = _error(401, "invalid_request_error", "Invalid API Key provided.")
        elif key and method == "POST" and key in self._idempotent:
            fingerprint, earlier = self._idempotent[key]
            answer = earlier if fingerprint == f"{path} {sorted(pairs)}" else _error(
                400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters "
                "they were first used with.")
        else:
            answer = self._route(method, path, params)
            if key and method == "POST" and answer[0] < 500:
                self._idempotent[key] = (f"{path} {sorted(pairs)}", answer)
        self.requests.append(Recorded(method, path, params, key, headers.get("stripe-version"), answer[0]))
        return answer

    def _route(self, method: str, path: str, params: dict[str, Any]) -> Answer:
        parts = path.strip("/").split("/")[1:]  # after "v1"
        if method == "POST" and parts == ["customers"]:
            return _ok(self._customer(params))
        if method == "POST" and parts == ["checkout", "sessions"]:
            return self._checkout_session(params)
        if method == "POST" and parts == ["billing_portal", "sessions"]:
            return self._portal_session(params)
        if method == "GET" and parts == ["billing_portal", "configurations"]:
            return _ok(_list("/v1/billing_portal/configurations", [
                found for found in self.objects.values() if found.get("object") == "billing_portal.configuration"]))
        if method == "POST" and parts[:2] == ["billing_portal", "configurations"] and len(parts) <= 3:
            return self._portal_configuration(parts[2] if len(parts) == 3 else None, params)
        if parts[:1] == ["products"]:
            return self._products(method, parts[1:], params)
        if parts[:1] == ["prices"]:
            return self._prices(method, parts[1:], params)
        if parts[:1] == ["subscriptions"] and len(parts) == 2:
            return self._subscription_call(method, parts[1], params)
        if method == "GET" and len(parts) == 2 and parts[1] in self.objects:
            return _ok(self.objects[parts[1]])
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: /v1/{'/'.join(parts)}).")

    # -- API objects -----------------------------------------------------------------------

    def _store(self, found: dict[str, Any]) -> dict[str, Any]:
        self.objects[found["id"]] = found
        return found

    def _customer(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store({"id": _id("cus"), "object": "customer", "created": int(self.clock()),
                            "name": params.get("name"), "email": params.get("email"),
                            "metadata": params.get("metadata") or {}, "livemode": False})

    def _checkout_session(self, params: dict[str, Any]) -> Answer:
        customer = params.get("customer")
        items = params.get("line_items") or []
        price = self.objects.get(str(items[0].get("price"))) if items else None
        if customer not in self.objects or price is None:
            return _error(400, "invalid_request_error", "No such customer or price.")
        session_id = _id("cs_test")
        return _ok(self._store({
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"), "customer": customer,
            "client_reference_id": params.get("client_reference_id"), "status": "open",
            "payment_status": "unpaid", "metadata": params.get("metadata") or {}, "subscription": None,
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "line_items_given": [{"price": price["id"], "quantity": _int(items[0].get("quantity"), 1)}],
            "subscription_metadata": (params.get("subscription_data") or {}).get("metadata") or {},
            "url": f"{self.public_base}/checkout/{session_id}", "created": int(self.clock())}))

    def _portal_configuration(self, configuration_id: str | None, params: dict[str, Any]) -> Answer:
        """Create or update a portal configuration (what the portal lets a customer do)."""
        found = self.objects.get(configuration_id) if configuration_id else None
        if configuration_id and (found is None or found.get("object") != "billing_portal.configuration"):
            return _error(404, "invalid_request_error", f"No such configuration: '{configuration_id}'")
        if found is None:
            found = self._store({"id": _id("bpc"), "object": "billing_portal.configuration", "active": True,
                                 "is_default": False, "created": int(self.clock()), "features": {},
                                 "metadata": {}})
        for name in ("features", "business_profile", "metadata", "default_return_url"):
            if name in params:
                found[name] = params[name]
        found["updated"] = int(self.clock())
        return _ok(found)

    def _portal_session(self, params: dict[str, Any]) -> Answer:
        if params.get("customer") not in self.objects:
            return _error(400, "invalid_request_error", "No such customer.")
        configuration = params.get("configuration")
        if configuration is not None and configuration not in self.objects:
            return _error(400, "invalid_request_error", f"No such configuration: '{configuration}'")
        flow, refused = self._flow(params.get("flow_data"), params["customer"], configuration)
        if refused is not None:
            return _error(400, "invalid_request_error", refused)
        session_id = _id("bps")
        return _ok(self._store({"id": session_id, "object": "billing_portal.session",
                                "customer": params["customer"], "return_url": params.get("return_url"),
                                "configuration": configuration, "flow": flow,
                                "url": f"{self.public_base}/portal/{session_id}", "created": int(self.clock())}))

    def _flow(self, data: Any, customer: str, configuration: str | None) -> tuple[dict[str, Any] | None, str | None]:
        """A deep link's flow as Stripe checks it: only ``subscription_update_confirm`` here, its one item's price
        among the configuration's ``features.subscription_update.products`` (else Stripe refuses the session)."""
        if not data:
            return None, None
        if data.get("type") != "subscription_update_confirm":
            return None, f"The sandbox plays no portal flow of type {data.get('type')!r}."
        confirm = data.get("subscription_update_confirm") or {}
        subscription = self.objects.get(str(confirm.get("subscription")))
        items = confirm.get("items") or []
        if subscription is None or subscription.get("customer") != customer or len(items) != 1:
            return None, "No such subscription of this customer, or not exactly one item to update."
        if items[0].get("id") != subscription["items"]["data"][0]["id"]:
            return None, "No such subscription item."
        update = ((self.objects.get(configuration or "") or {}).get("features") or {}).get("subscription_update") or {}
        allowed = {str(price) for product in update.get("products") or [] for price in product.get("prices") or []}
        if update.get("enabled") != "true" or str(items[0].get("price")) not in allowed:
            return None, ("The price must also be included in the configuration's "
                          "features.subscription_update.products.")
        return {"type": "subscription_update_confirm", "subscription_update_confirm": confirm,
                "after_completion": data.get("after_completion") or {"type": "portal_homepage"}}, None

    def _products(self, method: str, rest: list[str], params: dict[str, Any]) -> Answer:
        if method == "GET" and not rest:
            wanted = set(params.get("ids") or [])
            data = [p for p in self.objects.values()
                    if p.get("object") == "product" and (not wanted or p["id"] in wanted)]
            return _ok(_list("/v1/products", data))
        if method == "POST" and not rest:
            product_id = params.get("id") or _id("prod")
            if product_id in self.objects:
                return _error(400, "invalid_request_error", f"Product already exists: {product_id}")
            return _ok(self._store({"id": product_id, "object": "product", "name": params.get("name"),
                                    "active": True, "metadata": params.get("metadata") or {}}))
        if method == "POST" and len(rest) == 1 and rest[0] in self.objects:
            found = self.objects[rest[0]]
            found.update({k: (v == "true" if k == "active" else v) for k, v in params.items()})
            return _ok(found)
        return _error(404, "invalid_request_error", "No such product.")

    def _prices(self, method: str, rest: list[str], params: dict[str, Any]) -> Answer:
        prices = [p for p in self.objects.values() if p.get("object") == "price"]
        if method == "GET" and not rest:
            wanted = set(params.get("lookup_keys") or [])
            data = [p for p in prices if p["active"] and (not wanted or p.get("lookup_key") in wanted)]
            return _ok(_list("/v1/prices", data))
        if method == "POST" and not rest:
            key = params.get("lookup_key")
            taken = [p for p in prices if key and p.get("lookup_key") == key]
            if taken and params.get("transfer_lookup_key") != "true":
                return _error(400, "invalid_request_error", f"A price with lookup_key {key} already exists.")
            for earlier in taken:
                earlier["lookup_key"] = None
            return _ok(self._store({
                "id": _id("price"), "object": "price", "active": True, "product": params.get("product"),
                "currency": params.get("currency"), "unit_amount": _int(params.get("unit_amount")),
                "recurring": {"interval": (params.get("recurring") or {}).get("interval"),
                              "usage_type": (params.get("recurring") or {}).get("usage_type", "licensed")},
                "lookup_key": key, "nickname": params.get("nickname"), "metadata": params.get("metadata") or {}}))
        return _error(404, "invalid_request_error", "No such price.")

    def _subscription_call(self, method: str, subscription_id: str, params: dict[str, Any]) -> Answer:
        found = self.objects.get(subscription_id)
        if found is None or found.get("object") != "subscription":
            return _error(404, "invalid_request_error", f"No such subscription: '{subscription_id}'")
        if method == "GET":
            return _ok(found)
        for item in params.get("items") or []:
            if item.get("id") == found["items"]["data"][0]["id"] and "quantity" in item:
                found["items"]["data"][0]["quantity"] = _int(item["quantity"], 1)
        if "cancel_at_period_end" in params:
            found["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        self._send("customer.subscription.updated", found)
        return _ok(found)

    # -- what paying and the portal do ------------------------------------------------------

    def pay(self, session_id: str) -> str:
        """Complete a Checkout Session: the subscription, its paid invoice, the three events; the success URL."""
        with self._lock:
            session = self.objects[session_id]
            if session["status"] == "complete":
                return str(session["success_url"])
            given = session["line_items_given"][0]
            now = int(self.clock())
            subscription = self._store({
                "id": _id("sub"), "object": "subscription", "customer": session["customer"], "status": "active",
                "created": now, "cancel_at_period_end": False, "canceled_at": None,
                "metadata": session["subscription_metadata"],
                "items": {"object": "list", "data": [{
                    "id": _id("si"), "object": "subscription_item", "quantity": given["quantity"],
                    "price": self.objects[given["price"]], "current_period_start": now,
                    "current_period_end": now + 30 * 86400}]}})
            session.update({"status": "complete", "payment_status": "paid", "subscription": subscription["id"]})
            self._send("checkout.session.completed", session)
            self._send("customer.subscription.created", subscription)
            self._send("invoice.paid", self._invoice(subscription, paid=True))
            return str(session["success_url"])

    def fail_payment(self, subscription_id: str) -> None:
        """A renewal the card refuses: past_due, ``invoice.payment_failed`` and the subscription's update."""
        with self._lock:
            subscription = self.objects[subscription_id]
            subscription["status"] = "past_due"
            self._send("invoice.payment_failed", self._invoice(subscription, paid=False))
            self._send("customer.subscription.updated", subscription)

    def settle(self, subscription_id: str) -> None:
        """The overdue invoice paid: active again, ``invoice.paid`` and the subscription's update."""
        with self._lock:
            subscription = self.objects[subscription_id]
            subscription["status"] = "active"
            self._send("invoice.paid", self._invoice(subscription, paid=True))
            self._send("customer.subscription.updated", subscription)

    def cancel(self, subscription_id: str) -> None:
        """Cancel now: ``customer.subscription.deleted``."""
        with self._lock:
            subscription = self.objects[subscription_id]
            subscription.update({"status": "canceled", "canceled_at": int(self.clock())})
            self._send("customer.subscription.deleted", subscription)

    def subscription_of(self, customer_id: str) -> dict[str, Any] | None:
        """The newest subscription of a customer."""
        found = [o for o in self.objects.values() if o.get("object") == "subscription" and o["customer"] == customer_id]
        return max(found, key=lambda o: o["created"]) if found else None

    def _invoice(self, subscription: dict[str, Any], *, paid: bool) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        return self._store({
            "id": _id("in"), "object": "invoice", "customer": subscription["customer"],
            "status": "paid" if paid else "open", "paid": paid, "currency": item["price"]["currency"],
            "amount_due": item["price"]["unit_amount"] * item["quantity"],
            "amount_paid": item["price"]["unit_amount"] * item["quantity"] if paid else 0,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription["id"]}},
            "created": int(self.clock())})

    def event(self, kind: str, found: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
        """A Stripe event of an object, as Stripe's webhook delivers it (not sent)."""
        return {"id": _id("evt"), "object": "event", "api_version": API_VERSION, "type": kind,
                "created": int(self.clock()) if created is None else created, "livemode": False,
                "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
                "data": {"object": json.loads(json.dumps(found))}}

    def _send(self, kind: str, found: dict[str, Any]) -> None:
        event = self.event(kind, found)
        self.events.append(event)
        payload = json.dumps(event).encode()
        signature = sign(payload, self.keys()[1], int(self.clock()))
        if self.deliver is not None:
            self.deliver(payload, signature)
        elif self.hook_url is not None:
            request = urllib.request.Request(self.hook_url, data=payload, method="POST", headers={  # noqa: S310
                "Content-Type": "application/json", "Stripe-Signature": signature, "User-Agent": "Stripe/1.0"})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the app, on loopback
                    answer.read()
            except OSError:  # Stripe would retry; the sandbox keeps the event in self.events
                pass

    # -- the pages ---------------------------------------------------------------------------

    def _page(self, method: str, path: str, body: bytes) -> Answer:
        parts = path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "checkout" and parts[1] in self.objects:
            session = self.objects[parts[1]]
            if method == "POST" and parts[2:] == ["pay"]:
                return _redirect(self.pay(session["id"]))
            return _html(self._checkout_page(session))
        if len(parts) >= 2 and parts[0] == "portal" and parts[1] in self.objects:
            return self._portal(method, self.objects[parts[1]], parts[2:], body)
        return _html("<h1>Not found</h1>", 404)

    def _checkout_page(self, session: dict[str, Any]) -> str:
        given = session["line_items_given"][0]
        price = self.objects[given["price"]]
        product = self.objects.get(price["product"], {"name": price["product"]})
        each = price["unit_amount"] / 100
        total = each * given["quantity"]
        currency = html.escape(price["currency"].upper())
        return _document("Checkout (sandbox)", f"""
<h1>{html.escape(str(product['name']))}</h1>
<p data-test="checkout-price">{each:.2f} {currency} per seat per month &times; {given['quantity']} seat(s)
 = <strong>{total:.2f} {currency}</strong> a month</p>
<p>This is the local Stripe sandbox: no card is charged.</p>
<form method="post" action="{PREFIX}/checkout/{session['id']}/pay">
<button type="submit" data-test="pay">Pay</button></form>
<p><a href="{html.escape(str(session['cancel_url']))}">Cancel and return</a></p>""")

    def confirm_update(self, session: dict[str, Any]) -> str:
        """Confirm a deep link's subscription update: the item's new price and seats, the subscription's update
        event (Stripe prorates); where the flow's completion leads."""
        with self._lock:
            confirm = session["flow"]["subscription_update_confirm"]
            subscription = self.objects[confirm["subscription"]]
            wanted = confirm["items"][0]
            item = subscription["items"]["data"][0]
            item["price"] = self.objects[wanted["price"]]
            item["quantity"] = _int(wanted.get("quantity"), item["quantity"])
            session["flow"]["completed"] = True
            self._send("customer.subscription.updated", subscription)
            after = session["flow"]["after_completion"]
            if after.get("type") == "redirect":
                return str(after["redirect"]["return_url"])
            return f"{self.public_base}/portal/{session['id']}"

    def _confirm_page(self, session: dict[str, Any]) -> str:
        confirm = session["flow"]["subscription_update_confirm"]
        subscription = self.objects[confirm["subscription"]]
        current, wanted = subscription["items"]["data"][0], confirm["items"][0]
        price = self.objects[wanted["price"]]
        quantity = _int(wanted.get("quantity"), current["quantity"])
        each, currency = price["unit_amount"] / 100, html.escape(price["currency"].upper())
        here = f"{PREFIX}/portal/{session['id']}"
        return _document("Customer portal (sandbox)", f"""
<h1>Confirm your new plan</h1>
<p data-test="portal-current">Now: {html.escape(str(current['price'].get('nickname') or ''))},
 {current['quantity']} seat(s)</p>
<p data-test="portal-update">New: {html.escape(str(price.get('nickname') or ''))}, {quantity} seat(s):
 <strong>{each * quantity:.2f} {currency}</strong> a month, prorated from today</p>
<form method="post" action="{here}/confirm-update">
<button type="submit" data-test="portal-confirm">Confirm</button></form>
<p><a href="{html.escape(str(session['return_url']))}" data-test="portal-return">Return to the CRM</a></p>""")

    def _portal(self, method: str, session: dict[str, Any], action: list[str], body: bytes) -> Answer:
        flow = session.get("flow") or {}
        if flow.get("type") == "subscription_update_confirm" and not flow.get("completed"):
            if method == "POST" and action == ["confirm-update"]:
                return _redirect(self.confirm_update(session))
            return _html(self._confirm_page(session))
        subscription = self.subscription_of(session["customer"])
        if method == "POST" and subscription is not None and action:
            form = dict(parse_qsl(body.decode()))
            if action == ["seats"]:
                subscription["items"]["data"][0]["quantity"] = max(1, _int(form.get("seats"), 1))
                self._send("customer.subscription.updated", subscription)
            elif action == ["fail-payment"]:
                self.fail_payment(subscription["id"])
            elif action == ["pay-invoice"]:
                self.settle(subscription["id"])
            elif action == ["cancel"]:
                self.cancel(subscription["id"])
            return _redirect(f"{self.public_base}/portal/{session['id']}")
        here = f"{PREFIX}/portal/{session['id']}"
        if subscription is None:
            state = "<p>No subscription yet.</p>"
        else:
            item = subscription["items"]["data"][0]
            state = (f"<p data-test=\"portal-status\">Status: {html.escape(subscription['status'])}; "
                     f"{item['quantity']} seat(s) of {html.escape(str(item['price'].get('nickname') or ''))}</p>"
                     f"<form method=\"post\" action=\"{here}/seats\"><label>Seats <input name=\"seats\" "
                     f"type=\"number\" min=\"1\" value=\"{item['quantity']}\"></label> "
                     "<button>Change seats</button></form>"
                     f"<form method=\"post\" action=\"{here}/fail-payment\">"
                     "<button>Simulate a failed payment</button></form>"
                     f"<form method=\"post\" action=\"{here}/pay-invoice\"><button>Pay the open invoice</button></form>"
                     f"<form method=\"post\" action=\"{here}/cancel\"><button>Cancel the subscription</button></form>")
        back = html.escape(str(session["return_url"]))
        return _html(_document("Customer portal (sandbox)", f"<h1>Billing</h1>{state}<p><a href=\"{back}\" "
                                                            "data-test=\"portal-return\">Return to the CRM</a></p>"))

    # -- serving -----------------------------------------------------------------------------

    def serves(self, path: str) -> bool:
        """True for a path under the sandbox's prefix."""
        return path == PREFIX or path.startswith(PREFIX + "/")

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer a request an http.server handler received."""
        length = _int(handler.headers.get("Content-Length"))
        body = handler.rfile.read(length) if length else b""
        status, headers, payload = self.handle(handler.command, handler.path, dict(handler.headers.items()), body)
        handler.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)


def _ok(found: dict[str, Any]) -> Answer:
    return 200, {"Content-Type": "application/json", "Request-Id": _id("req"), "Stripe-Version": API_VERSION}, \
        json.dumps(found).encode()


def _error(status: int, kind: str, message: str) -> Answer:
    return status, {"Content-Type": "application/json", "Request-Id": _id("req")}, \
        json.dumps({"error": {"type": kind, "message": message}}).encode()


def _list(url: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "url": url, "has_more": False, "data": data}


def _redirect(location: str) -> Answer:
    return 303, {"Location": location, "Content-Type": "text/plain"}, b""


def _html(text: str, status: int = 200) -> Answer:
    return status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, text.encode()


def _document(title: str, content: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title></head>"
            f"<body><p><strong>Stripe sandbox</strong> &middot; {html.escape(title)}</p>{content}</body></html>")


def start(sandbox_factory: Callable[[str], StripeSandbox]) -> tuple[StripeSandbox, ThreadingHTTPServer]:
    """A sandbox on its own loopback port (the tests'): factory(public_base) makes it; it serves until shutdown."""
    holder: list[StripeSandbox] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            holder[0].serve(self)

        do_GET = do_POST = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(sandbox_factory(f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="stripe-sandbox",
                     daemon=True).start()
    return holder[0], server
