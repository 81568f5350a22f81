"""An Austin HVAC installer's quote printed on A4, which American printers and clients do not use: a company in the
United States or Canada (and the other countries of US Letter) now has its documents on Letter paper, others on A4
as before."""

from __future__ import annotations

import io

import pytest

from tests.documents.test_documents import fetch
from tests.documents.test_uk_invoice import seller_with_an_order
from tests.support import ApiClient, body


@pytest.mark.parametrize(("country", "zone", "size"), [("US", "America/Chicago", (612, 792)),
                                                      ("GB", "Europe/London", (595, 842))])
def test_a_quote_is_printed_on_the_paper_of_the_companys_country(
        client: ApiClient, app: object, country: str, zone: str, size: tuple[int, int]) -> None:
    from pypdf import PdfReader

    company = seller_with_an_order(app, "Lone Star Air", country, zone, {"legal_name": "Lone Star Air LLC"},
                                   ("Kevin", "Nguyen"), "USD", {"description": "Carrier 3-ton heat pump",
                                                                "quantity": "1", "unit_price_minor": 620000,
                                                                "tax_rate": "8.25"})
    token, order = company.owner.token, company.extra["order"]
    made = client.post(f"/api/v1/orders/{order['id']}/documents", {"type": "quote"}, token=token)
    assert made.status_code == 201, made.body
    data = fetch(body(client.get(f"/api/v1/documents/{body(made)['id']}/link", token=token))["url"])
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
