"""The browser contexts new_page lends (tests/browser/conftest.py) come back empty: what one test left in its context
(cookies, the app's localStorage, a fake clock, a permission) never reaches the next test's page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import new_page


def test_a_lent_context_comes_back_without_cookies_or_storage(browser: Any, live_url: str) -> None:
    page = new_page(browser, live_url)
    page.goto("/static/icon.svg")
    page.evaluate("() => { localStorage.setItem('crm.lang', 'ru'); sessionStorage.setItem('seen', '1'); }")
    page.context.add_cookies([{"name": "left", "value": "behind", "url": live_url}])
    first = page.context
    first.close()

    page = new_page(browser, live_url)
    assert page.context is first, "the same context is lent again"
    page.goto("/static/icon.svg")
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]
    assert page.context.cookies() == []
    page.context.close()


def test_a_context_whose_test_changed_it_is_not_lent_again(browser: Any, live_url: str) -> None:
    page = new_page(browser, live_url)
    page.clock.set_fixed_time("2026-03-10T22:30:00Z")
    changed = page.context
    changed.close()

    page = new_page(browser, live_url)
    assert page.context is not changed
    page.goto("/static/icon.svg")
    assert page.evaluate("() => Date.now() !== Date.parse('2026-03-10T22:30:00Z')"), "the fake clock stayed behind"
    page.context.grant_permissions(["clipboard-read"])
    granted = page.context
    granted.close()
    assert new_page(browser, live_url).context is not granted


def test_a_second_page_open_at_once_has_its_own_cookies(browser: Any, live_url: str) -> None:
    owner, agent = new_page(browser, live_url), new_page(browser, live_url)
    assert owner.context is not agent.context
    owner.context.add_cookies([{"name": "who", "value": "owner", "url": live_url}])
    assert agent.context.cookies() == []
