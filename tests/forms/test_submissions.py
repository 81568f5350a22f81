"""A website form post becomes a lead visible through the API: contact, deal, timeline, task."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.integrations.helpers import BROWSER, create_form, events, hook_path, multipart, post_form, post_json
from tests.support import ApiClient, body

ANNA = {"name": "Anna Petrova", "phone": "+7 912 345-67-89", "email": "Anna@Example.com",
        "message": "Call me about the sofa", "utm_source": "google", "utm_campaign": "spring",
        "referrer": "https://www.google.com/"}


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Forms Ltd", country="RU")


def _lead_of(client: ApiClient, company: Company, event: dict[str, Any]) -> dict[str, Any]:
    token = company.owner.token
    outcome = event["outcome"]
    contact = body(client.get(f"/api/v1/contacts/{outcome['contact_id']}", token=token))
    deal = body(client.get(f"/api/v1/deals/{outcome['deal_id']}", token=token))
    task = body(client.get(f"/api/v1/tasks/{outcome['task_id']}", token=token))
    return {"contact": contact, "deal": deal, "task": task}


def _send(client: ApiClient, form: dict[str, Any], fields: dict[str, str], how: str) -> Any:
    if how == "urlencoded":
        return post_form(client, form, fields)
    if how == "json":
        return post_json(client, form, fields)
    raw, content_type = multipart(fields)
    return client.request("POST", hook_path(form), body=raw, headers={"Content-Type": content_type,
                                                                         "Accept": "application/json"})


@pytest.mark.parametrize("how", ["urlencoded", "multipart", "json"])
def test_a_post_becomes_a_lead_visible_in_the_api(client: ApiClient, company: Company, how: str) -> None:
    form = create_form(client, company, name="Sofa landing")
    answer = _send(client, form, ANNA, how)
    assert answer.status_code == 200, answer.body
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    receipt = body(answer)
    assert receipt["ok"] is True and receipt["duplicate"] is False
    [event] = events(client, company, form)
    assert event["id"] == receipt["event_id"] and event["status"] == "processed"
    assert event["summary"] == "Anna Petrova, +7 912…"  # enough to recognise, not the whole number
    lead = _lead_of(client, company, event)
    contact, deal, task = lead["contact"], lead["deal"], lead["task"]
    assert (contact["first_name"], contact["last_name"]) == ("Anna", "Petrova")  # one box, two names (#20)
    assert contact["phones"][0]["number"] == "+79123456789"
    assert contact["emails"][0]["address"] == "anna@example.com"
    assert contact["source"] == "form:Sofa landing"
    assert contact["utm"]["source"] == "google" and contact["utm"]["campaign"] == "spring"
    entry = next(e for e in contact["timeline"] if e["kind"] == "form_submission")
    assert entry["data"]["referrer"] == "https://www.google.com/"
    assert entry["data"]["message"] == "Call me about the sofa"
    assert deal["deal"]["title"] == "Website form: Anna Petrova"
    assert deal["deal"]["owner_id"] == company.owner.user_id
    assert any(e["kind"] == "form_submission" for e in deal["timeline"])
    assert task["assignee_id"] == company.owner.user_id and task["related"] == {
        "type": "deal", "id": deal["deal"]["id"], "name": "Website form: Anna Petrova"}  # named by its deal (#20)


def test_a_plain_browser_post_lands_on_a_page(client: ApiClient, company: Company) -> None:
    thanks = create_form(client, company, name="No redirect")
    page = post_form(client, thanks, ANNA, headers=BROWSER)
    assert page.status_code == 200 and "Thank you" in page.body.decode()
    redirecting = create_form(client, company, name="Redirect", redirect_url="https://shop.example.com/thanks")
    moved = post_form(client, redirecting, {"name": "Boris", "phone": "+79001112233"}, headers=BROWSER)
    assert moved.status_code == 303 and moved.headers["Location"] == "https://shop.example.com/thanks"
    raw, content_type = multipart({"name": "Clara", "phone": "+79001112244"})  # the snippet's no-fetch fallback
    plain = client.request("POST", hook_path(redirecting), body=raw, headers={"Content-Type": content_type,
                                                                              "Accept": "text/html"})
    assert plain.status_code == 303 and len(events(client, company, redirecting)) == 2


def test_russian_field_names_and_a_custom_map(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, field_map={"Откуда узнали": "message", "город": "ignore"})
    post_form(client, form, {"Имя": "Иван", "Фамилия": "Сидоров", "Телефон": "8 (912) 000-11-22",
                             "Почта": "ivan@example.ru", "Комментарий": "Нужна доставка",
                             "Откуда узнали": "От друга", "Город": "Тверь"})
    [event] = events(client, company, form)
    contact = _lead_of(client, company, event)["contact"]
    assert (contact["first_name"], contact["last_name"]) == ("Иван", "Сидоров")
    assert contact["phones"][0]["number"] == "+79120001122"
    entry = next(e for e in contact["timeline"] if e["kind"] == "form_submission")
    assert entry["data"]["message"] == "Нужна доставка\nОт друга"  # noqa: RUF001
    assert "Город" not in entry["data"]["other"]


def test_the_visitors_address_is_the_new_contacts(client: ApiClient) -> None:
    """A New York plumber's form asks where the job is; the address reached only the deal's history, and the
    contact, whose card the plumber opens on the way, had none."""
    plumbers = signup(client, company="Brooklyn Pipe Co.", country="US")
    form = create_form(client, plumbers, field_map={"Where is the job?": "address"})
    typed = {"Name": "Sarah Goldberg", "Phone": "(917) 555-0134", "Where is the job?": "412 5th St, basement",
             "City": "Brooklyn", "State": "NY", "Zip": "11215-" + "9" * 30}
    assert post_form(client, form, typed).status_code == 200
    [event] = events(client, plumbers, form)
    contact = _lead_of(client, plumbers, event)["contact"]
    assert contact["shipping_address"] == {"line1": "412 5th St, basement", "city": "Brooklyn", "region": "NY",
                                           "postal_code": ("11215-" + "9" * 30)[:20]}  # cut, never refused
    entry = next(e for e in contact["timeline"] if e["kind"] == "form_submission")
    assert entry["data"]["other"] == {name: typed[name] for name in ("Where is the job?", "City", "State", "Zip")}


def test_a_known_phone_finds_the_existing_contact(client: ApiClient, company: Company) -> None:
    existing = body(client.post("/api/v1/contacts", {"first_name": "Old", "phones": [{"number": "+79123456789"}]},
                                token=company.owner.token))
    form = create_form(client, company)
    post_form(client, form, ANNA)
    [event] = events(client, company, form)
    assert event["outcome"]["contact_id"] == existing["id"]
    contact = _lead_of(client, company, event)["contact"]
    assert contact["first_name"] == "Old" and contact["source"] != "form:Site form"  # first touch kept


def test_tilda_test_request_creates_nothing(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    answer = post_form(client, form, {"test": "test"})
    assert answer.status_code == 200 and answer.body == b"ok"
    assert events(client, company, form) == []


def test_the_honeypot_is_stored_as_spam_and_answered_like_success(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    answer = post_form(client, form, {**ANNA, "website_url": "http://spam.example"})
    assert answer.status_code == 200 and body(answer)["ok"] is True
    [event] = events(client, company, form)
    assert event["status"] == "ignored" and event["outcome"]["reason"] == "spam"
    contacts = body(client.get("/api/v1/contacts", token=company.owner.token))["items"]
    assert contacts == []


def test_round_robin_hands_leads_out_in_turn(client: ApiClient, company: Company) -> None:
    first = add_member(client, company, role="agent", name="rrfirst")
    second = add_member(client, company, role="agent", name="rrsecond")
    form = create_form(client, company, responsible={"mode": "round_robin",
                                                      "user_ids": [first.user_id, second.user_id]})
    for n in range(4):
        post_form(client, form, {"name": f"Lead {n}", "email": f"lead{n}@example.com"})
    owners = [e["outcome"]["task_id"] for e in reversed(events(client, company, form))]
    assignees = [body(client.get(f"/api/v1/tasks/{t}", token=company.owner.token))["assignee_id"] for t in owners]
    assert assignees == [first.user_id, second.user_id, first.user_id, second.user_id]
    mine = body(client.get("/api/v1/deals", token=first.token))["items"]
    assert len(mine) == 2  # the agent sees the leads given to them


def test_the_rate_limit_answers_429_and_keeps_what_it_refused(client: ApiClient, company: Company) -> None:
    form = create_form(client, company, rate_limit_per_minute=2)
    answers = [post_form(client, form, {"name": f"Flood {n}", "email": f"f{n}@example.com"}) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert body(answers[2])["error"]["code"] == "rate_limited"
    ignored = events(client, company, form, status="ignored")
    assert [e["outcome"]["reason"] for e in ignored] == ["rate_limited"]


def test_cors_preflight_is_answered(client: ApiClient, company: Company) -> None:
    form = create_form(client, company)
    # API Gateway (and Chalice's local gateway) answers the preflight itself, with an empty body.
    preflight = client._gateway.handle_request(method="OPTIONS", path=hook_path(form), body=b"", headers={
        "Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"})
    assert preflight["statusCode"] == 200
    assert preflight["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["headers"]["Access-Control-Allow-Methods"]


def test_unknown_disabled_deleted_and_rotated_keys_answer_404(client: ApiClient, company: Company) -> None:
    token = company.owner.token
    assert client.request("POST", "/hooks/forms/nosuchkey", body="name=x", headers=BROWSER).status_code == 404
    form = create_form(client, company)
    disabled = body(client.patch(f"/api/v1/integrations/{form['id']}", {"status": "disabled",
                                                                        "version": form["version"]}, token=token))
    assert post_form(client, form, ANNA).status_code == 404
    enabled = body(client.patch(f"/api/v1/integrations/{form['id']}", {"status": "active",
                                                                       "version": disabled["version"]}, token=token))
    rotated = body(client.post(f"/api/v1/integrations/{form['id']}/rotate", {"what": "key",
                                                                             "version": enabled["version"]},
                               token=token))
    assert post_form(client, form, ANNA).status_code == 404
    assert post_form(client, rotated, ANNA).status_code == 200
    assert client.delete(f"/api/v1/integrations/{form['id']}", token=token).status_code == 204
    assert post_form(client, rotated, ANNA).status_code == 404
