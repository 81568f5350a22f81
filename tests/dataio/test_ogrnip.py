# ruff: noqa: RUF001, RUF002
"""Bitrix24's companies export with requisites has both an "ОГРН" and an "ОГРНИП" column: a wholesaler's ООО
clients fill the first, its ИП clients (sole traders) the second. Only the first became the company's ОГРН; an ИП's
ОГРНИП went to a note, off its card and its documents."""

from __future__ import annotations

from typing import Any

from chalicelib.dataio import importing
from tests.dataio.kit import run
from tests.dataio.test_bitrix import bitrix_csv
from tests.factories import IN_MOSCOW, signup
from tests.support import ApiClient, body


def test_an_ip_s_ogrnip_is_its_registration_number_beside_an_ogrn_column(app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="СтройОпт ОГРНИП", **IN_MOSCOW)
    text = bitrix_csv(["ID", "Название компании", "Название реквизита", "ИНН", "КПП", "ОГРН", "ОГРНИП"],
                      ["100", "ООО «ГлавСтрой»", "Организация", "7707083893", "770701001", "1027700132195", ""],
                      ["200", "ИП Смирнов Алексей Викторович", "ИП", "500100732259", "", "", "304500116000157"])
    job = run(client, company.owner.token, company.tenant_id, text, "company", filename="company.csv")
    assert (job["mapping"]["ОГРН"], job["mapping"]["ОГРНИП"]) == ("registration_number", "registration_number")
    assert job["progress"]["created"] == 2 and job["progress"]["errors"] == [], job["progress"]
    firms = [body(client.get(f"/api/v1/companies/{importing.record_id(job['id'], row)}", token=company.owner.token))
             for row in (2, 3)]
    assert [(f["tax_number"], f["kpp"], f["registration_number"]) for f in firms] == [
        ("7707083893", "770701001", "1027700132195"), ("500100732259", None, "304500116000157")]
