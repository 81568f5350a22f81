"""Logging out everywhere from the account menu ends the session on another device at its next request."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PHONE, new_page
from tests.browser.test_app import BENIGN, open_screen
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient


def test_log_out_everywhere_ends_the_other_devices_session(browser: Any, live_url: str, app: Any) -> None:
    company = signup(ApiClient(app), company="Two Devices Bakery")
    desk = new_page(browser, live_url)
    phone = new_page(browser, live_url, viewport=PHONE)
    for page in (desk, phone):
        log_in(page, company.owner, "Two Devices Bakery")
    open_screen(phone, "/contacts", "Contacts")

    desk.locator(".user-menu summary").click()
    desk.get_by_role("button", name="Log out everywhere").click()
    desk.locator("#page-title", has_text="Log in").wait_for()

    # The phone still shows its screen; its next request is refused and it is sent to the login page.
    phone.locator(".main-nav a", has_text="Deals").click()
    phone.locator("#page-title", has_text="Log in").wait_for()
    phone.locator(".toast", has_text="Your session has ended").wait_for()
    phone.reload()  # the refresh cookie is dead too
    phone.locator("#page-title", has_text="Log in").wait_for()
    phone.goto("/#/contacts")
    phone.wait_for_url(re.compile(r"#/login"))
    for page in (desk, phone):
        assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
        page.context.close()
