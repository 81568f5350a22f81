"""The knowledge base (#24): articles in Markdown, sanitised when rendered, found in Russian and English, and a
public page that shows public articles only, of its own company only, without signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import Company, add_member, signup
from tests.support import ApiClient, body


@pytest.fixture(scope="module")
def api(app: Any) -> ApiClient:
    return ApiClient(app)


@pytest.fixture(scope="module")
def company(api: ApiClient) -> Company:
    made = signup(api, company="Helpful Co")
    add_member(api, made, role="agent", name="kbagent")
    return made


def article(api: ApiClient, token: str, **fields: Any) -> dict[str, Any]:
    answer = api.post("/api/v1/kb/articles", {"title": "How to return an item", "body": "Write to us.", **fields},
                      token=token)
    assert answer.status_code == 201, answer.body
    return dict(body(answer))


def test_markdown_is_rendered_and_sanitised(api: ApiClient, company: Company) -> None:
    hostile = ("# Returns\n\n**Bold** [ok](https://example.com) [bad](javascript:alert(1))\n\n"
               "<script>alert(1)</script><img src=x onerror=alert(2)>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    made = article(api, company.owner.token, title="Returns policy", body=hostile)
    html = made["html"]
    assert "<h1>Returns</h1>" in html and "<strong>Bold</strong>" in html and "<table>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert 'href="javascript' not in html and "<script" not in html and not re.search(r"<[^>]*onerror", html)
    preview = body(api.post("/api/v1/kb/preview", {"body": "<iframe src=x></iframe> *hi*"},
                            token=company.owner.token))
    assert "<iframe" not in preview["html"] and "<em>hi</em>" in preview["html"]


def test_an_article_reads_as_plain_text_in_a_message_to_a_customer(api: ApiClient, company: Company) -> None:
    # the reply box's article picker inserts ``text``: a chat or a mail's text shows Markdown's symbols as typed
    long = ("## Returns\n\nReturn **any** item within *14 days*, see "
            "[our site](https://shop.example/returns).\n\n1. Pack the item\n2. Print the label\n   - and `receipt`\n\n"
            "- Keep the receipt\n- Call us\n\n| When | What |\n|---|---|\n| 14 days | return |\n\n" + "More. " * 60)
    made = article(api, company.owner.token, title="Returning an item", body=long)
    assert made["text"].startswith(
        "Returns\n\nReturn any item within 14 days, see our site (https://shop.example/returns)."
        "\n\n1. Pack the item\n2. Print the label\n  • and receipt\n\n• Keep the receipt\n• Call us\n\n"
        "When | What\n14 days | return\n\nMore.")
    assert not re.search(r"[*`#|]{2}|\]\(", made["text"]) and made["text"].endswith("More.")
    read = body(api.get(f"/api/v1/kb/articles/{made['id']}", token=company.owner.token))
    assert read["text"] == made["text"] and len(read["excerpt"]) <= 200 < len(read["text"])


def test_search_finds_russian_and_english_word_forms(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    ru = article(api, token, title="Доставка заказов", body="Курьер привозит заказы за два дня.", category="Доставка")
    en = article(api, token, title="Delivery times", body="Deliveries take two days.", category="Shipping")
    found = body(api.get("/api/v1/kb/articles?q=заказ", token=token))["items"]
    assert ru["id"] in [a["id"] for a in found] and en["id"] not in [a["id"] for a in found]
    assert ru["id"] in [a["id"] for a in body(api.get("/api/v1/kb/articles?q=доставки курьер", token=token))["items"]]
    assert en["id"] in [a["id"] for a in body(api.get("/api/v1/kb/articles?q=delivering", token=token))["items"]]
    assert body(api.get("/api/v1/kb/articles?q=zzzqqq", token=token))["items"] == []
    renamed = api.patch(f"/api/v1/kb/articles/{en['id']}", {"version": en["version"], "title": "Pickup points",
                                                           "body": "Collect parcels yourself."}, token=token)
    assert renamed.status_code == 200, renamed.body
    assert en["id"] not in [a["id"] for a in body(api.get("/api/v1/kb/articles?q=delivery", token=token))["items"]]
    assert en["id"] in [a["id"] for a in body(api.get("/api/v1/kb/articles?q=parcel", token=token))["items"]]


def test_the_public_page_shows_public_articles_only_and_of_its_own_company(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    site = api.put("/api/v1/kb/site", {"version": 0, "slug": "helpful-co", "title": "Helpful help"}, token=token)
    assert site.status_code == 200, site.body
    public = article(api, token, title="Opening hours", body="We open at *nine*.", visibility="public",
                     category="General")
    internal = article(api, token, title="Refund override secret", body="Internal only", visibility="internal")
    page = api.get("/kb/helpful-co")
    assert page.status_code == 200 and b"Opening hours" in page.body and b"Refund override" not in page.body
    assert "public" in page.headers["Cache-Control"] and "script-src" not in page.headers["Content-Security-Policy"]
    shown = api.get(f"/kb/helpful-co/{public['slug']}")
    assert shown.status_code == 200 and b"<em>nine</em>" in shown.body
    assert api.get(f"/kb/helpful-co/{internal['slug']}").status_code == 404
    assert b"Refund" not in api.get("/kb/helpful-co?q=refund").body
    assert b"Opening hours" in api.get("/kb/helpful-co?q=open").body
    other = signup(api, company="Other Help Co")
    taken = api.put("/api/v1/kb/site", {"version": 0, "slug": "helpful-co"}, token=other.owner.token)
    assert taken.status_code == 409
    assert api.put("/api/v1/kb/site", {"version": 0, "slug": "other-help"}, token=other.owner.token).status_code == 200
    assert b"<h1>Other Help Co</h1>" in api.get("/kb/other-help").body  # no page title given: the company's name
    assert api.get(f"/kb/other-help/{public['slug']}").status_code == 404  # another company's article
    made_public = api.patch(f"/api/v1/kb/articles/{public['id']}", {"version": public["version"],
                                                                   "visibility": "internal"}, token=token)
    assert made_public.status_code == 200
    assert api.get(f"/kb/helpful-co/{public['slug']}").status_code == 404
    assert api.get("/kb/no-such-site").status_code == 404


def test_roles_and_tenants_are_kept_apart(api: ApiClient, company: Company) -> None:
    token = company.owner.token
    mine = article(api, token, title="Owner's article")
    agent = company.members["kbagent"].token
    assert api.get(f"/api/v1/kb/articles/{mine['id']}", token=agent).status_code == 200
    assert api.patch(f"/api/v1/kb/articles/{mine['id']}", {"version": mine["version"], "title": "Mine now"},
                     token=agent).status_code == 403
    own = article(api, agent, title="Agent's notes")
    assert api.patch(f"/api/v1/kb/articles/{own['id']}", {"version": own["version"], "title": "Agent's tips"},
                     token=agent).status_code == 200
    assert api.delete(f"/api/v1/kb/articles/{own['id']}", token=agent).status_code == 403
    assert api.put("/api/v1/kb/site", {"version": 0, "slug": "agent-site"}, token=agent).status_code == 403
    other = signup(api, company="Nosy Co")
    assert api.get(f"/api/v1/kb/articles/{mine['id']}", token=other.owner.token).status_code == 404
    assert mine["id"] not in str(body(api.get("/api/v1/kb/articles?q=owner", token=other.owner.token)))
    dup = api.post("/api/v1/kb/articles", {"title": "Other", "slug": mine["slug"]}, token=token)
    assert dup.status_code == 409 and body(dup)["error"]["code"] == "duplicate_slug"
    assert api.delete(f"/api/v1/kb/articles/{mine['id']}", token=token).status_code == 204
    assert api.get(f"/api/v1/kb/articles/{mine['id']}", token=token).status_code == 404
