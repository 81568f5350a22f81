"""A Berlin agency's quotes, invoices and delivery notes in German: a documents' language of their own (Settings ->
Requisites), chosen from English, Russian and German, offered by the company's country, German for documents only.
English and Russian documents print exactly as they did before German existed (``renders_before_german.json``: their
text, rendered before the change, for every type, several countries and a reverse charge)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.documents import defaults, sending, service, sources, wording
from chalicelib.documents.sources import Source
from tests.documents.test_documents import fetch, pdf_text
from tests.documents.test_german_invoice import REQUISITES
from tests.factories import Company, signup
from tests.support import ApiClient, body

BEFORE = Path(__file__).with_name("renders_before_german.json")
SELLER = {"legal_name": "Spreeblick Digital GmbH", "tax_id": "DE312345678", "registration_id": "HRB 212345 B",
          "address": "Torstraße 140, 10119 Berlin", "bank_name": "Berliner Sparkasse", "bank_account": "",
          "bank_code": "BELADEBEXXX", "correspondent_account": "", "iban": "DE89370400440532013000",
          "phone": "+49 30 1234567", "email": "rechnung@spreeblick.example", "director": "Jana Krüger", "note": ""}


def _source(currency: str) -> Source:
    """Three lines at 19 %, 7 % and no rate, to a French client with its VAT ID."""
    lines = [sources.priced("Website relaunch", Decimal(1), 123456, Decimal(19)),
             sources.priced("Hosting", Decimal("2.5"), 1000, Decimal(7)),
             sources.priced("Domain", Decimal(1), 1500, None)]
    client = SimpleNamespace(name="Atelier Lumière SARL", website="", address=None,
                             emails=[{"address": "compta@lumiere.example"}], phones=[], tax_number="FR40303265045",
                             custom={}, custom_sensitive=[])
    return Source(kind="deal", record_id="D1", title="Relaunch 2027", currency=currency, owner_id=None, team_id=None,
                  lines=lines, fields={"title": "Relaunch 2027", "amount_minor": 0, "currency": currency,
                                       "status": "open", "expected_close_on": ""}, company=client)


def render(doc_type: str, locale: str, country: str | None, currency: str, treatment: str,
           reason: str | None = None) -> str:
    """The built-in template of a type in a language rendered with fixed values, as the PDF's text."""
    values = service.context(source=_source(currency), doc_type=doc_type, number="X-2026-0007", day=date(2026, 12, 7),
                             locale=locale, seller=SELLER, country=country, supply=date(2026, 11, 30),
                             vat_treatment=treatment, vat_exemption_reason=reason)
    return pdf_text(service.make_pdf(defaults.body(doc_type, locale, country), values))


def test_english_and_russian_documents_print_as_before() -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    assert len(before) == 60
    for case, text in before.items():
        doc_type, locale, country, currency, treatment = case.split("|")
        assert render(doc_type, locale, None if country == "None" else country, currency, treatment) == text, case


def test_a_german_invoice_in_german_words_and_formats() -> None:
    text = render("invoice", "de", "DE", "EUR", "standard")
    for expected in ("Rechnung Nr. X-2026-0007", "Rechnungsdatum: 7. Dezember 2026",
                     "Leistungsdatum: 30. November 2026",
                     "Anbieter: Spreeblick Digital GmbH, USt-IdNr. DE312345678, Handelsregister HRB 212345 B",
                     "Bankverbindung: Berliner Sparkasse, BIC BELADEBEXXX", "IBAN: DE89370400440532013000",
                     "Kunde: Atelier Lumière SARL, USt-IdNr. FR40303265045",
                     "Pos. Bezeichnung Menge Einzelpreis USt. Betrag",
                     "1 Website relaunch 1 1.234,56 € 19 % 1.234,56 €", "2 Hosting 2,5 10,00 € 7 % 25,00 €",
                     "3 Domain 1 15,00 € ohne USt. 15,00 €", "Nettobetrag: 1.274,56 €",
                     "zzgl. 19 % USt.: 234,57 €\nzzgl. 7 % USt.: 1,75 €", "Gesamtbetrag: 1.510,88 €",
                     "Zahlungsziel: 14 Tage"):
        assert expected in text, (expected, text)
    # no English left, and no amount in words (only Russian invoices repeat the total in words)
    for english in ("Invoice", "Seller", "Customer", "Total", "VAT", "December", "€1,", "Please pay", "eintausend"):
        assert english not in text, (english, text)


def test_a_german_quote_and_delivery_note() -> None:
    quote = render("quote", "de", "DE", "EUR", "standard")
    for expected in ("Angebot Nr. X-2026-0007", "Angebotsdatum: 7. Dezember 2026", "Gesamtbetrag: 1.510,88 €",
                     "Dieses Angebot ist 30 Tage gültig."):
        assert expected in quote, (expected, quote)
    note = render("delivery_note", "de", "DE", "EUR", "standard")
    for expected in ("Lieferschein Nr. X-2026-0007", "Lieferdatum: 7. Dezember 2026", "Pos. Bezeichnung Menge Einheit",
                     "2 Hosting 2,5", "Ware übergeben:", "Ware erhalten:"):
        assert expected in note, (expected, note)


def test_the_reverse_charge_prints_once_in_german_and_an_exemption_in_german() -> None:
    text = render("invoice", "de", "DE", "EUR", "reverse_charge")
    assert text.count("Steuerschuldnerschaft des Leistungsempfängers") == 1, text
    assert "Reverse charge" not in text and "Directive" not in text, text
    exempt = render("invoice", "de", "DE", "EUR", "exempt", "§ 4 Nr. 14 UStG")
    assert "Umsatzsteuerfrei: § 4 Nr. 14 UStG" in exempt, exempt
    # an English invoice of a German seller still says it in both languages, as before
    assert "/ Steuerschuldnerschaft des Leistungsempfängers" in render("invoice", "en", "DE", "EUR", "reverse_charge")


def test_a_seller_without_a_vat_id_prints_its_steuernummer() -> None:
    values = service.context(source=_source("EUR"), doc_type="invoice", number="RE-2026-0001", day=date(2026, 12, 7),
                             locale="de", seller={**SELLER, "tax_id": "27/123/45678"}, country="DE")
    text = pdf_text(service.make_pdf(defaults.body("invoice", "de", "DE"), values))
    assert "Steuernummer 27/123/45678" in text and "USt-IdNr. 27/" not in text, text


def test_austrian_and_swiss_words() -> None:
    assert "UID-Nr. DE312345678" in render("invoice", "de", "AT", "EUR", "standard")
    swiss = render("invoice", "de", "CH", "CHF", "standard")
    assert "MWST-Nr. DE312345678" in swiss and "zzgl. 19 % MWST: 234,57 CHF" in swiss, swiss


def test_german_wording() -> None:
    assert wording.money(123456, "EUR", "de") == "1.234,56\u00a0€"
    assert wording.money(-123456, "USD", "de") == "-1.234,56\u00a0$"
    assert wording.money(500, "JPY", "de") == "500\u00a0¥"
    assert wording.rate(Decimal("8.875"), "de") == "8,875\u00a0%"
    assert wording.day(date(2026, 3, 1), "de") == "1. März 2026"
    assert wording.named("invoice", "RE-2026-0001", "de") == "Rechnung RE-2026-0001"
    assert wording.default_prefixes("de") == {"quote": "AN", "invoice": "RE", "delivery_note": "LS", "act": "LN"}
    assert [wording.country_locale(c) for c in ("DE", "AT", "CH", "LI", "LU", "RU", "BY", "KZ", "GB", "FR", None)] \
        == ["de"] * 5 + ["ru"] * 3 + [None] * 3


# -- the language chosen, through the API ---------------------------------------------------------------------------


def agency(client: ApiClient) -> Company:
    """A Berlin agency working in the app in English, with its requisites, a default rate of 19 % and a deal."""
    company = signup(client, company="Spreeblick Digital", country="DE", timezone="Europe/Berlin")
    token = company.owner.token
    assert client.put("/api/v1/document-settings/requisites", {**REQUISITES, "version": 0, "default_tax_rate": "19"},
                      token=token).status_code == 200
    deal = body(client.post("/api/v1/deals", {"title": "Website-Relaunch", "amount": {"minor": 100000,
                                                                                       "currency": "EUR"}},
                            token=token))
    company.extra["deal"] = deal
    return company


@pytest.fixture(scope="module")
def berlin(app: Any) -> Company:
    return agency(ApiClient(app))


def issued(client: ApiClient, company: Company, doc_type: str) -> tuple[dict[str, Any], str]:
    token = company.owner.token
    made = client.post(f"/api/v1/deals/{company.extra['deal']['id']}/documents", {"type": doc_type}, token=token)
    assert made.status_code == 201, made.body
    link = body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))
    return body(made), pdf_text(fetch(link["url"]))


def test_a_german_company_is_offered_german_and_prints_as_before_until_it_chooses(client: ApiClient) -> None:
    berlin = agency(client)
    settings = body(client.get("/api/v1/document-settings/requisites", token=berlin.owner.token))
    # suggested German, not started at it: its requisites are saved, so the form starts at what it prints in today
    assert settings["document_locale"] is None and settings["document_locale_suggested"] == "de"
    assert settings["document_locale_default"] == "en"
    document, text = issued(client, berlin, "invoice")
    assert document["locale"] == "en" and document["number"].startswith("INV-"), document
    assert "Invoice No." in text and "Total: €1,190.00" in text, text


def test_a_german_company_that_chooses_german_issues_german_documents(client: ApiClient, berlin: Company) -> None:
    token = berlin.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    saved = client.put("/api/v1/document-settings/requisites",
                       {**REQUISITES, "version": settings["version"], "document_locale": "de"}, token=token)
    assert saved.status_code == 200, saved.body
    assert body(saved)["document_locale"] == "de"
    assert body(saved)["number_prefixes"] == {"quote": "AN", "invoice": "RE", "delivery_note": "LS", "act": "LN"}
    assert body(saved)["default_tax_rate"] == "19"  # left out of the request: kept
    document, text = issued(client, berlin, "invoice")
    assert document["locale"] == "de" and re.fullmatch(r"RE-\d{4}-\d{4}", document["number"]), document
    for expected in (f"Rechnung Nr. {document['number']}", "Leistungsdatum:", "Nettobetrag: 1.000,00 €",
                     "zzgl. 19 % USt.: 190,00 €", "Gesamtbetrag: 1.190,00 €", "USt-IdNr. DE312345678"):
        assert expected in text, (expected, text)
    quote, text = issued(client, berlin, "quote")
    assert re.fullmatch(r"AN-\d{4}-0001", quote["number"]) and "Angebot Nr." in text, text
    note, text = issued(client, berlin, "delivery_note")
    assert re.fullmatch(r"LS-\d{4}-0001", note["number"]) and "Lieferschein Nr." in text, text
    # the e-mail that carries it is German too
    mail = sending._default_text(SimpleNamespace(doc_type="invoice", locale="de", number=document["number"],
                                                 total_minor=119000, currency="EUR"))  # type: ignore[arg-type]
    assert mail == f"Guten Tag,\n\nanbei erhalten Sie unsere Rechnung {document['number']} über 1.190,00\u00a0€.\n"


def test_a_language_documents_do_not_speak_is_refused_and_changes_nothing(client: ApiClient,
                                                                         berlin: Company) -> None:
    token = berlin.owner.token
    settings = body(client.get("/api/v1/document-settings/requisites", token=token))
    refused = client.put("/api/v1/document-settings/requisites",
                         {**REQUISITES, "version": settings["version"], "document_locale": "fr"}, token=token)
    assert refused.status_code == 422, refused.body
    assert body(client.get("/api/v1/document-settings/requisites", token=token)) == settings


def test_the_built_in_templates_are_offered_in_german(client: ApiClient, berlin: Company) -> None:
    items = body(client.get("/api/v1/document-templates/built-in", token=berlin.owner.token))["items"]
    assert {(t["type"], t["locale"]) for t in items} >= {("invoice", "de"), ("quote", "de"), ("delivery_note", "de")}
    assert "Gesamtbetrag" in next(t["body"] for t in items if t["type"] == "invoice" and t["locale"] == "de")


def test_other_countries_are_offered_their_language(client: ApiClient) -> None:
    for country, zone, offered in (("RU", "Europe/Moscow", "ru"), ("US", "America/New_York", "en"),
                                   ("AT", "Europe/Vienna", "de")):
        company = signup(client, company=f"Firm {country}", country=country, timezone=zone)
        settings = body(client.get("/api/v1/document-settings/requisites", token=company.owner.token))
        assert (settings["document_locale"], settings["document_locale_default"]) == (None, offered), country
