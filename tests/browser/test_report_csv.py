"""A report's CSV, downloaded from #/reports, gives amounts as a spreadsheet reads them: an Almaty shop's won revenue
of 46 475 ₸ is 46475.00 under "revenue_KZT", not 4647500 (the API's minor units) under "revenue"."""

from __future__ import annotations

import csv
import io
from typing import Any

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.reports import counters
from tests.browser.conftest import new_page
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def _downloaded(page: Any, section: str) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.locator(f"[data-test={section}]").get_by_role("link", name="Download CSV").click()
    with open(info.value.path(), encoding="utf-8") as file:
        return list(csv.DictReader(io.StringIO(file.read())))


def test_report_csvs_give_amounts_in_the_currencys_units(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Алма Декор", country="KZ")
    ctx = TenantContext(tenant_id=company.tenant_id)
    owner = company.owner.user_id
    pipeline = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"][0]
    where = {"pipeline_id": pipeline["id"], "owner_id": owner, "currency": "KZT"}
    with bind(ctx):
        tally = counters.Tally(ctx, cause=new_id(), at=db.utcnow())
        tally.add("sources", {"source": "whatsapp:Shop", "owner_id": owner, "currency": "KZT"}, leads=2, deals=1,
                  won=1, revenue=4_647_500)
        tally.add("managers", {"owner_id": owner, "currency": "KZT"}, won=1, revenue=4_647_500)
        tally.add("funnel", {**where, "stage_id": pipeline["stages"][0]["id"]}, entered=2, value=9_968_050)
        assert tally.commit()

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Алма Декор")
    page.locator(".main-nav a.nav-reports").click()
    page.locator("[data-test=report-sources] tbody tr").first.wait_for()
    [source] = _downloaded(page, "report-sources")
    assert (source["source"], source["revenue_KZT"], source["won"]) == ("whatsapp:Shop", "46475.00", "1"), source
    [manager] = _downloaded(page, "report-managers")
    assert manager["revenue_KZT"] == "46475.00" and "revenue" not in manager, manager
    first = _downloaded(page, "report-funnel")[0]
    assert first["value_KZT"] == "99680.50" and first["entered"] == "2", first
