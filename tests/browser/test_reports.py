"""#/reports (static/screens/reports.js): the dashboard's figures and the reports from counters, with uPlot charts
loaded only on this screen (vendored, our own origin), tables and CSV; English and Russian; on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.reports import counters
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient


def test_the_dashboard_and_reports_draw_charts_and_tables(browser: Any, live_url: str, app: Any,
                                                          screens: Screens) -> None:
    company = signup(ApiClient(app), company="Report Bakery")
    ctx = TenantContext(tenant_id=company.tenant_id)
    owner = company.owner.user_id
    with bind(ctx):
        tally = counters.Tally(ctx, cause=new_id(), at=db.utcnow())
        tally.add("sources", {"source": "google", "owner_id": owner}, leads=3)
        tally.add("sources", {"source": "google", "owner_id": owner, "currency": "USD"}, deals=1, won=1,
                  revenue=120_000)
        tally.add("sources", {"source": "Website", "owner_id": owner}, leads=2)
        tally.add("managers", {"owner_id": owner, "currency": "USD"}, won=1, revenue=120_000)
        assert tally.commit()
    page = new_page(browser, live_url)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if "/vendor/" in request.url else None)
    log_in(page, company.owner, "Report Bakery")
    assert scripts == []  # the chart library is not part of the first load
    page.locator(".main-nav a.nav-reports").click()
    expect(page.locator("[data-test=kpi-leads] .kpi-value")).to_have_text("5")
    expect(page.locator("[data-test=kpi-revenue] .kpi-value")).to_have_text("$1,200.00")
    sources = page.locator("[data-test=report-sources]")
    expect(sources.locator("tbody tr")).to_have_count(2)
    expect(sources.locator("tbody tr").first).to_contain_text("google")
    expect(sources.locator(".chart canvas")).to_have_count(1)
    assert any(url.endswith("/static/vendor/uplot.js") for url in scripts)
    download = sources.get_by_role("link", name="Download CSV").get_attribute("download") or ""
    assert download.startswith("sources-") and download.endswith(".csv")
    assert_fits_a_phone(page, screens, "reports")
    page.select_option(".lang-select", "ru")
    expect(page.get_by_role("heading", name="Источники лидов")).to_be_visible()
    assert_no_problems(page)
