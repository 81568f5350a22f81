"""The documents' language is chosen where it is used and never switched by accident. Saving the requisites for
another reason (a new IBAN) keeps the language documents print in today: the form starts at it, and its country's
language is only suggested. A new company (no requisites saved, no document numbered) starts at its country's. Each
document may be issued in a language of its own (a Berlin agency's English invoice to a French client), keeps it, and
takes the company's next number with the company's prefix whatever its language."""

from __future__ import annotations

import re
from typing import Any

from tests.documents.test_documents import fetch, pdf_text
from tests.documents.test_german_documents import agency
from tests.documents.test_german_invoice import REQUISITES
from tests.factories import signup
from tests.support import ApiClient, body

REQUISITES_PATH = "/api/v1/document-settings/requisites"


def _issue(client: ApiClient, token: str, path: str, payload: dict[str, Any]) -> tuple[dict[str, Any], str]:
    made = client.post(path, payload, token=token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))
    return body(made), pdf_text(fetch(link["url"]))


def test_a_german_company_that_never_chose_is_shown_the_language_it_prints_in(client: ApiClient) -> None:
    berlin = agency(client)  # requisites saved before it could choose a language; works in the app in English
    settings = body(client.get(REQUISITES_PATH, token=berlin.owner.token))
    assert settings["document_locale"] is None
    # the form starts at English, what its documents print in today; German is suggested, not chosen
    assert (settings["document_locale_in_use"], settings["document_locale_default"],
            settings["document_locale_suggested"]) == ("en", "en", "de"), settings


def test_a_new_company_starts_at_its_countrys_language_until_it_numbers_a_document(client: ApiClient) -> None:
    company = signup(client, company="Kreuzberg Neu", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    settings = body(client.get(REQUISITES_PATH, token=token))
    assert (settings["document_locale"], settings["document_locale_in_use"],
            settings["document_locale_default"]) == (None, "en", "de"), settings
    # it issues an invoice before filling in its requisites: English, as before; from now on the form starts there
    deal = body(client.post("/api/v1/deals", {"title": "Logo", "amount": {"minor": 50000, "currency": "EUR"}},
                            token=token))
    document, text = _issue(client, token, f"/api/v1/deals/{deal['id']}/documents", {"type": "invoice"})
    assert document["locale"] == "en" and "Invoice" in text, text
    settings = body(client.get(REQUISITES_PATH, token=token))
    assert (settings["document_locale_default"], settings["document_locale_suggested"]) == ("en", "de"), settings


def test_a_company_without_a_language_of_its_country_is_suggested_none(client: ApiClient) -> None:
    company = signup(client, company="Brooklyn Plumbing", country="US", timezone="America/New_York")
    settings = body(client.get(REQUISITES_PATH, token=company.owner.token))
    assert (settings["document_locale_default"], settings["document_locale_suggested"]) == ("en", None), settings


def test_a_document_in_a_language_of_its_own_keeps_it_and_the_companys_numbers(client: ApiClient) -> None:
    berlin = agency(client)
    token = berlin.owner.token
    settings = body(client.get(REQUISITES_PATH, token=token))
    assert client.put(REQUISITES_PATH, {**REQUISITES, "version": settings["version"], "document_locale": "de"},
                      token=token).status_code == 200
    path = f"/api/v1/deals/{berlin.extra['deal']['id']}/documents"
    # the Documents panel reads the company's documents' language with the list
    assert body(client.get(path, token=token))["document_locale"] == "de"
    german, text = _issue(client, token, path, {"type": "invoice"})
    assert german["locale"] == "de" and "Gesamtbetrag: 1.190,00 €" in text, text
    english, text = _issue(client, token, path, {"type": "invoice", "locale": "en"})
    # English words and formats, the company's prefix and its next number of the year (one run of numbers)
    year = re.fullmatch(r"RE-(\d{4})-(\d{4})", german["number"])
    assert year, german["number"]
    assert english["locale"] == "en" and english["number"] == f"RE-{year[1]}-{int(year[2]) + 1:04d}", english
    assert f"Invoice No. {english['number']}" in text and "Total: €1,190.00" in text, text
    assert "Rechnung" not in text and "Gesamtbetrag" not in text, text
    listed = body(client.get(path, token=token))
    assert [d["locale"] for d in listed["items"]] == ["de", "en"] and listed["document_locale"] == "de"
    # a language documents do not speak is refused, and nothing is numbered
    refused = client.post(path, {"type": "invoice", "locale": "fr"}, token=token)
    assert refused.status_code == 422, refused.body
    assert len(body(client.get(path, token=token))["items"]) == 2


def test_a_language_asked_for_is_not_overridden_by_the_companys_template_in_another(client: ApiClient) -> None:
    berlin = agency(client)
    token = berlin.owner.token
    made = client.post("/api/v1/document-templates", {
        "type": "invoice", "name": "Unsere Rechnung", "locale": "de", "is_default": True,
        "body": "<h1>Eigene Rechnung {{ document.number }}</h1>"}, token=token)
    assert made.status_code == 201, made.body
    path = f"/api/v1/deals/{berlin.extra['deal']['id']}/documents"
    own, text = _issue(client, token, path, {"type": "invoice"})
    assert own["template_id"] == body(made)["id"] and "Eigene Rechnung" in text, text  # left alone: its own
    english, text = _issue(client, token, path, {"type": "invoice", "locale": "en"})
    assert english["template_id"] is None and english["locale"] == "en", english
    assert "Eigene Rechnung" not in text and "Invoice No." in text, text
    # its own template in the language asked for prints, default or not
    mine = client.post("/api/v1/document-templates", {
        "type": "invoice", "name": "Our invoice", "locale": "en", "is_default": False,
        "body": "<h1>Our own invoice {{ document.number }}</h1>"}, token=token)
    assert mine.status_code == 201, mine.body
    ours, text = _issue(client, token, path, {"type": "invoice", "locale": "en"})
    assert ours["template_id"] == body(mine)["id"] and "Our own invoice" in text, text
