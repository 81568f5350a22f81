"""Browser tests: the app served over HTTP from this process (moto is in-process), one Chromium per session."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
NARROW = {"width": 360, "height": 740}  # the smallest phone the app is made for


@pytest.fixture(scope="session")
def live_url(app: Any) -> Iterator[str]:
    """The app served on a free loopback port by chalice's local server, as `make run` serves it."""
    from chalice.config import Config

    from local.paths import bind_loopback
    from local.server import create_http_server

    config = Config.create(chalice_app=app, app_name="crm", chalice_stage="local")
    sock = bind_loopback(0)
    server = create_http_server(app, config, sock)
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="browser-tests-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.shutdown()
    server.server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail("browser tests need /usr/bin/chromium (apt-get install chromium; `make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Screens:
    """Saves a screenshot of each main screen under test-artifacts/screenshots/."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(self, page: Any, name: str) -> None:
        """A full-page screenshot named <test>-<name>.png."""
        page.screenshot(path=str(SCREENSHOTS / f"{self.prefix}-{name}.png"), full_page=True)


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> Screens:
    return Screens(re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-"))


def new_page(browser: Any, live_url: str, *, viewport: dict[str, int] = DESKTOP, locale: str = "en-US") -> Any:
    """A page in a fresh browser context (its own cookies), failing on any console error or CSP violation."""
    context = browser.new_context(base_url=live_url, viewport=viewport, locale=locale,
                                  timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return page


def assert_fits_a_phone(page: Any, screens: Screens, name: str) -> None:
    """At 360 px the screen as it stands scrolls only downwards; back to the desktop size afterwards."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"], "no sideways scrolling"
        screens.shoot(page, name)
    finally:
        page.set_viewport_size(size)
