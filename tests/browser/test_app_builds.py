"""A deploy while a tab is open: the tab never runs one build's screen with another build's modules. It asks for
its own build's files; when they are gone, the screen offers to reload, and the reload runs the new build whole."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient

ASSET = re.compile(r"/assets/([0-9a-f]{16})/")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_tab_opened_before_a_deploy_offers_to_reload_and_then_runs_the_new_build(
        browser: Any, live_url: str, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from chalicelib.ui import routes

    # the app's files as a copy this test may deploy over, the build following them as under `make run`
    files = tmp_path / "static"
    shutil.copytree(routes.STATIC, files)
    monkeypatch.setattr(routes, "STATIC", files)
    monkeypatch.setattr(routes, "build", lambda: routes._digest(files, routes._listing(files)))
    company = signup(ApiClient(app), company="Build Bakery")
    page = new_page(browser, live_url, own_context=True)  # an empty cache: a year-long one could hold any file
    asked: list[tuple[str, int]] = []
    # (the sign-in helper's page parked on the origin's icon loads no app)
    app_file = re.compile(r"/(assets|static)/(?!icon\.svg$)")
    page.on("response", lambda response: asked.append((response.url, response.status))
            if app_file.search(response.url) else None)
    log_in(page, company.owner, "Build Bakery")
    if lang == "ru":
        page.get_by_label("Language", exact=True).select_option("ru")
    first = routes.build()
    assert asked and all(ASSET.search(url) and ASSET.search(url).group(1) == first  # type: ignore[union-attr]
                         for url, _ in asked), asked  # every file of the app from its build, none without one

    # a deploy: one screen changes, and with it every file's address
    deals = files / "screens" / "deals.js"
    deals.write_text(deals.read_text(encoding="utf-8") + "\n// the next deploy\n", encoding="utf-8")
    second = routes.build()
    assert second != first
    page.locator(".main-nav a.nav-deals").click()
    alert = page.get_by_role("alert").filter(has_text="Reload the page" if lang == "en" else "Обновите страницу")
    alert.wait_for()
    assert any(url.endswith(f"/assets/{first}/screens/deals.js") and status == 404 for url, status in asked), asked
    assert not any(f"/assets/{second}/" in url for url, _ in asked), "the old tab took nothing of the new build"

    asked.clear()
    alert.get_by_role("button", name="Reload" if lang == "en" else "Обновить страницу").click()
    expect(page.locator("#page-title")).to_have_text("Deals" if lang == "en" else "Сделки")
    assert any(url.endswith(f"/assets/{second}/screens/deals.js") and status == 200 for url, status in asked), asked
    assert not any(f"/assets/{first}/" in url for url, _ in asked), asked
    assert_no_problems(page)
    page.context.close()
