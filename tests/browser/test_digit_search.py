"""Digits alone in the web app's searches (the top bar's and a list's box): "1520" finds the customers whose
phone ends with it and those whose name or e-mail starts with it, as the API answers; "15-20" only the phones."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def test_digits_alone_find_names_and_phones_in_the_top_bar_and_the_lists(browser: Any, live_url: str,
                                                                          app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Digits Florist", country="RU")
    token = company.owner.token
    made = {name: body(client.post(path, fields, token=token)) for name, path, fields in (
        ("mailed", "/api/v1/contacts", {"first_name": "Mailed", "emails": [{"address": "1520shop@example.com"}]}),
        ("anna", "/api/v1/contacts", {"first_name": "Anna", "last_name": "Tail",
                                      "phones": [{"number": "+79165551520"}]}),
        ("boris", "/api/v1/contacts", {"first_name": "Boris", "phones": [{"number": "+79161520777"}]}),
        ("studio", "/api/v1/companies", {"name": "1520 Studio"}))}
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Digits Florist")

    page.goto("/#/search?q=1520")
    page.wait_for_function("() => document.querySelector('.search-results')?.dataset.q === '1520'")
    contacts = page.locator("[data-group=contact] li")
    assert contacts.count() == 2
    assert "Mailed" in contacts.nth(0).inner_text() and "Anna Tail" in contacts.nth(1).inner_text()
    assert page.locator("[data-group=company] li").inner_text().strip().startswith("1520 Studio")
    box = page.locator("#global-search")
    for typed, names in (("15-20", ["Anna Tail"]), ("anna 1520", ["Anna Tail"]), ("1520 anna", ["Anna Tail"])):
        box.fill(typed)
        page.wait_for_function("(q) => document.querySelector('.search-results').dataset.q === q", arg=typed)
        assert [text.split("\n")[0] for text in contacts.all_inner_texts()] == names, typed
        assert page.locator("[data-group=company] li").count() == 0, typed

    page.goto("/#/contacts?q=1520")
    page.locator("#contact-search").wait_for()
    for record in ("mailed", "anna"):
        page.locator(f".contact-list a[href='#/contacts/{made[record]['id']}']").first.wait_for()
    assert page.locator(f".contact-list a[href='#/contacts/{made['boris']['id']}']").count() == 0
    page.goto("/#/companies?q=1520")
    page.locator(f".company-list a[href='#/companies/{made['studio']['id']}']").first.wait_for()
    assert_no_problems(page)
    page.context.close()
