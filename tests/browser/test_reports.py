"""#/reports (static/screens/reports.js): the dashboard's figures and the reports from counters, with uPlot charts
loaded only on this screen (vendored, our own origin), tables and CSV; English and Russian; on a phone."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from playwright.sync_api import expect

from chalicelib.core import db
from chalicelib.core.tenancy import TenantContext, bind, new_id
from chalicelib.reports import counters
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_inbox import in_russian
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body


def _started_campaign(ctx: TenantContext, owner: str) -> None:
    """A campaign started now (in this month, as the counters above) that sent 10 messages: 5 opened, 1 order
    worth $300."""
    from chalicelib.campaigns import sending
    from chalicelib.campaigns.models import Campaign, CampaignStats

    campaign_id = new_id()
    campaign = Campaign(sending.campaigns_pk(ctx), campaign_id, campaign_id=campaign_id, name="Spring tulips",
                        channel="email", created_by=owner, status="sent", currency="USD",
                        started_at=db.utcnow())
    stats = CampaignStats(sending.stats_pk(ctx), campaign_id, recipients=10, sent=10, delivered=10, opened=5,
                          clicked=2, conversions=1, revenue_minor=30_000)
    db.commit(ctx, db.Change().save(campaign).save(stats))


def test_the_dashboard_and_reports_draw_charts_and_tables(browser: Any, live_url: str, app: Any,
                                                          screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Report Bakery")
    ctx = TenantContext(tenant_id=company.tenant_id)
    owner = company.owner.user_id
    pipeline = body(client.get("/api/v1/pipelines", token=company.owner.token))["items"][0]
    first, second = (stage["id"] for stage in pipeline["stages"][:2])
    where = {"pipeline_id": pipeline["id"], "owner_id": owner, "currency": "USD"}
    with bind(ctx):
        tally = counters.Tally(ctx, cause=new_id(), at=db.utcnow())
        tally.add("sources", {"source": "google", "owner_id": owner}, leads=3)
        tally.add("sources", {"source": "google", "owner_id": owner, "currency": "USD"}, deals=1, won=1,
                  revenue=120_000)
        tally.add("sources", {"source": "Website", "owner_id": owner}, leads=2)
        tally.add("sources", {"source": "telegram:Shop bot", "owner_id": owner}, leads=1)
        tally.add("communications", {"channel": "call", "direction": "inbound", "owner_id": owner}, calls=2, answered=1,
                  missed=1)
        tally.add("managers", {"owner_id": owner, "currency": "USD"}, won=1, revenue=120_000)
        tally.add("funnel", {**where, "stage_id": first}, entered=4, value=400_000, left=2, stage_seconds=4 * 3600)
        tally.add("funnel", {**where, "stage_id": second}, entered=2, value=250_000)
        tally.add("lost_reasons", {**where, "reason": "Price"}, lost_count=1)
        assert tally.commit()
        _started_campaign(ctx, owner)
    page = new_page(browser, live_url)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if "/vendor/" in request.url else None)
    log_in(page, company.owner, "Report Bakery")
    # the chart library is not part of the first load (the phone-number library is: the first screen waits for it)
    assert not [url for url in scripts if url.endswith("/vendor/uplot.js")], scripts
    page.locator(".main-nav a.nav-reports").click()
    expect(page.locator("[data-test=kpi-leads] .kpi-value")).to_have_text("6")
    expect(page.locator("[data-test=kpi-revenue] .kpi-value")).to_have_text("$1,200.00")
    sources = page.locator("[data-test=report-sources]")
    expect(sources.locator("tbody tr")).to_have_count(3)
    expect(sources.locator("tbody tr").first).to_contain_text("google")
    expect(sources.locator(".chart canvas")).to_have_count(1)
    assert any(url.endswith("/vendor/uplot.js") for url in scripts)
    download = sources.get_by_role("link", name="Download CSV").get_attribute("download") or ""
    assert download.startswith("sources-") and download.endswith(".csv")
    funnel = page.locator("[data-test=report-funnel]")
    stages = funnel.locator("table").first.locator("tbody tr")
    expect(stages.first).to_contain_text("$4,000.00")  # the value of the deals reaching the first stage
    expect(stages.first.locator("td").nth(4)).to_have_text("2")  # two hours in the stage on average
    expect(stages.nth(1).locator("td").nth(3)).to_have_text("50%")  # from the stage before
    expect(funnel.locator("table").nth(1)).to_contain_text("Price")  # the lost reasons
    campaigns = page.locator("[data-test=report-campaigns] tbody tr")
    expect(campaigns).to_have_count(1)
    expect(campaigns.first).to_contain_text("Spring tulips")
    expect(campaigns.first.locator("td[data-label=Opened]")).to_have_text("5 (50%)")  # opened of sent
    expect(campaigns.first).to_contain_text("$300.00")
    # A figure there is none of (the owner answered no message; no talk time) reads as a dash, not an empty cell
    # (on a phone's card an empty one showed its label alone). The CSV keeps it empty.
    managers = page.locator("[data-test=report-managers] tbody tr").first
    expect(managers.locator("td").last).to_have_text("—")
    empty = page.locator(".report-table td").evaluate_all("cells => cells.filter((c) => !c.innerText.trim()).length")
    assert empty == 0
    assert_fits_a_phone(page, screens, "reports")
    page.select_option(".lang-select", "ru")
    expect(page.get_by_role("heading", name="Источники лидов")).to_be_visible()
    expect(page.get_by_role("heading", name="Рассылки")).to_be_visible()
    expect(funnel.get_by_role("columnheader", name="Время на этапе, ч")).to_be_visible()
    # No two columns of a table, nor two figures at the top, share a name ("Выиграно" was both deals won and money).
    headers = page.locator("main table").evaluate_all(
        "tables => tables.map((table) => [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim()))")
    assert all(len(set(names)) == len(names) for names in headers), headers
    kpis = page.locator(".kpi-label").all_inner_texts()
    # the won deals' money, not the orders report's "Выручка" further down (a supplier whose deals carry no amount
    # read 0 at the top and the orders' revenue below under the same name)
    expect(page.locator("[data-test=kpi-revenue] .kpi-label")).to_have_text("Выручка по сделкам")
    # a channel by its name in Russian, not the counters' keys ("telegram:Shop bot", "call")
    expect(sources.locator("tbody")).to_contain_text("Telegram: Shop bot")
    communications = page.locator("[data-test=report-communications] tbody")
    expect(communications).to_contain_text("Звонки")
    assert "call" not in communications.inner_text() and "telegram:" not in sources.inner_text()
    assert kpis and len(set(kpis)) == len(kpis), kpis
    assert_no_problems(page)


# Every text a canvas draws, where and how wide (the charts' axis labels are drawn, not in the page's text).
RECORD_CANVAS_TEXT = """
window.drawnTexts = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
  const chart = this.canvas.closest('[data-test]');
  window.drawnTexts.push({ chart: chart ? chart.dataset.test : '', text: String(text), x, y,
    width: this.measureText(String(text)).width, align: this.textAlign });
  return fill.call(this, text, x, y, ...rest);
};
"""


def test_long_source_names_do_not_run_into_each_other_under_a_phones_chart(browser: Any, live_url: str, app: Any,
                                                                          screens: Screens) -> None:
    # A walk's flower shop read its lead sources on a phone: 'Telegram: Telegram магазина', 'Заказ букета на сайте',
    # 'Добавлены вручную' and 'WhatsApp: WhatsApp магазина' were drawn over each other under the bars.
    client = ApiClient(app)
    company = signup(client, company="Chart Florist", country="RU", locale="ru")
    ctx = TenantContext(tenant_id=company.tenant_id)
    owner = company.owner.user_id
    with bind(ctx):
        tally = counters.Tally(ctx, cause=new_id(), at=db.utcnow())
        for source, leads in (("telegram:Telegram магазина", 2), ("Заказ букета на сайте", 1), ("manual", 1),
                              ("whatsapp:WhatsApp магазина", 1)):
            tally.add("sources", {"source": source, "owner_id": owner}, leads=leads)
        assert tally.commit()
    page = new_page(browser, live_url, viewport={"width": 390, "height": 844})
    page.context.add_init_script(RECORD_CANVAS_TEXT)
    in_russian(page, company.owner, "Chart Florist", "/reports")
    sources = page.locator("[data-test=report-sources]")
    expect(sources.locator("tbody tr")).to_have_count(4)
    expect(sources.locator("tbody")).to_contain_text("Telegram: Telegram магазина")  # the table names it in full
    page.wait_for_function("() => window.drawnTexts.some((t) => t.chart === 'report-sources' && /Заказ/.test(t.text))")
    drawn = page.evaluate("() => window.drawnTexts.filter((t) => t.chart === 'report-sources')")
    bottom = max(t["y"] for t in drawn)
    labels = sorted([t for t in drawn if t["y"] == bottom][-4:], key=lambda t: t["x"])  # the last drawing's
    assert len(labels) == 4 and all(t["align"] == "center" for t in labels), labels
    spans = [(t["x"] - t["width"] / 2, t["x"] + t["width"] / 2) for t in labels]
    assert all(left[1] <= right[0] for left, right in pairwise(spans)), labels
    assert labels[0]["text"].startswith("Tele") and labels[0]["text"].endswith("…")
    # leads are counted whole: the axis steps by whole numbers, not "0,5" and "1,5" leads
    ticks = [t["text"] for t in drawn if re.fullmatch(r"[\d\s\u00a0\u202f]+([,.]\d+)?", t["text"])]
    assert ticks and not [tick for tick in ticks if re.search(r"[,.]\d", tick)], ticks
    screens.shoot(page, "sources-phone")
    assert_no_problems(page)
