"""Browser tests: the app served over HTTP from this process (moto is in-process), one Chromium per session."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    CONTEXTS.app_url = url
    yield url
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


# What a test may change in a browser context that outlives closing its pages: a lent context whose test changed any
# of these is closed for good instead of lent again (permissions, init scripts, routes, the fake clock...).
CONTEXT_CHANGES = ("add_init_script", "grant_permissions", "route", "route_from_har", "route_web_socket",
                   "expose_binding", "expose_function", "set_extra_http_headers", "set_geolocation", "set_offline",
                   "set_default_navigation_timeout", "set_default_timeout", "on", "once")
CLOCK_CHANGES = ("install", "set_fixed_time", "set_system_time", "pause_at", "run_for", "fast_forward", "resume")
ROOM_PER_LOCALE = 3  # contexts kept per locale: a test with more pages open at once gets fresh ones beyond that

# The request the sign-in form sends (screens/auth.js), and the mark a session answer leaves (js/api.js).
SIGN_IN = """async ([email, password]) => {
  const answer = await fetch('/api/v1/auth/login', {
    method: 'POST', credentials: 'same-origin', cache: 'no-store',
    headers: {Accept: 'application/json', 'Content-Type': 'application/json'}, body: JSON.stringify({email, password}),
  });
  const session = await answer.json().catch(() => null);
  if (answer.ok) localStorage.setItem('crm.session', '1');
  return [answer.status, session];
}"""


@dataclass
class Kept:
    """A browser context kept for the worker, with a page parked on the app's origin: the renderer process that page
    keeps alive serves each test's page as well, and its origin is where storage is cleared between tests."""

    context: Any
    keeper: Any
    locale: str
    in_use: bool = False
    changed: bool = False


@dataclass
class Contexts:
    """The contexts new_page hands out on the app's URL. A fresh context per test costs about a second of CPU
    (a new renderer process and a cold cache); a kept one, emptied between tests (pages, cookies, storage), costs a
    few tenths. A context whose test changed more than its cookies and storage is not lent again."""

    app_url: str = ""
    kept: list[Kept] = field(default_factory=list)
    fresh: list[Any] = field(default_factory=list)

    def page(self, browser: Any, live_url: str, viewport: dict[str, int], locale: str) -> Any:
        lent = next((c for c in self.kept if c.locale == locale and not c.in_use), None) \
            or self._keep(browser, live_url, locale)
        if lent is None:
            context = _context(browser, live_url, viewport, locale)
            self.fresh.append(context)
            return context.new_page()
        lent.in_use = True
        page = lent.context.new_page()
        page.set_viewport_size(viewport)
        return page

    def _keep(self, browser: Any, live_url: str, locale: str) -> Kept | None:
        if sum(c.locale == locale for c in self.kept) >= ROOM_PER_LOCALE:
            return None
        context = _context(browser, live_url, DESKTOP, locale)
        keeper = context.new_page()
        keeper.goto("/static/icon.svg")
        lent = Kept(context, keeper, locale)
        for name in CONTEXT_CHANGES:
            setattr(context, name, _noting(lent, getattr(context, name)))
        for name in CLOCK_CHANGES:  # page.clock is the context's clock
            setattr(context.clock, name, _noting(lent, getattr(context.clock, name)))
        context.close = lambda **_: self.give_back(lent)  # a test's page.context.close() ends its loan
        self.kept.append(lent)
        return lent

    def lent_as(self, context: Any) -> Kept | None:
        return next((c for c in self.kept if c.context is context and c.in_use), None)

    def give_back(self, lent: Kept) -> None:
        """Empty a context after its test: its pages closed, cookies and the origin's storage cleared."""
        if not lent.in_use:
            return
        lent.in_use = False
        for page in lent.context.pages:
            if page is not lent.keeper:
                page.close()
        if not lent.changed and _emptied(lent):
            return
        self.kept.remove(lent)
        type(lent.context).close(lent.context)

    def after_test(self) -> None:
        for lent in [c for c in self.kept if c.in_use]:
            self.give_back(lent)
        for context in self.fresh:
            context.close()
        self.fresh.clear()


def _context(browser: Any, live_url: str, viewport: dict[str, int], locale: str) -> Any:
    context = browser.new_context(base_url=live_url, viewport=viewport, locale=locale, timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    return context


def _emptied(kept: Kept) -> bool:
    """Cookies and the app origin's localStorage cleared (each page has a sessionStorage of its own); False when
    the parked page is gone (its renderer crashed with a test's page, say)."""
    from playwright.sync_api import Error

    try:
        kept.context.clear_cookies()
        kept.keeper.evaluate("() => localStorage.clear()")
    except Error:
        return False
    return True


def _noting(kept: Kept, method: Any) -> Any:
    def changing(*args: Any, **kwargs: Any) -> Any:
        kept.changed = True
        return method(*args, **kwargs)
    return changing


CONTEXTS = Contexts()  # the worker's (one browser, one app)


@pytest.fixture(autouse=True)
def contexts_back() -> Iterator[None]:
    """After each browser test, what it borrowed is emptied for the next, and the contexts made for it alone closed."""
    yield
    CONTEXTS.after_test()


def new_page(browser: Any, live_url: str, *, viewport: dict[str, int] = DESKTOP, locale: str = "en-US",
             own_context: bool = False) -> Any:
    """A page with cookies and storage of its own (a context kept for the worker and emptied after each test, or a
    new one when another page is open in it, base_url is not the app's or own_context asks for a cold start),
    failing on any console error or CSP violation."""
    if live_url == CONTEXTS.app_url and not own_context:
        page = CONTEXTS.page(browser, live_url, viewport, locale)
    else:
        context = _context(browser, live_url, viewport, locale)
        CONTEXTS.fresh.append(context)
        page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return page


def sign_in_by_request(page: Any, email: str, password: str, at: str = "/tasks") -> bool:
    """On a new page, sign in with the request the sign-in form sends, from the app's origin, then open the app,
    which restores the session from the cookie as on any later visit, on the screen the form leads to (#/tasks, or
    #/settings/security when a password or a second factor must be set first), or straight on the screen ``at``
    when the test goes there next (the screen it would have left unseen is not drawn). The form costs a render of the
    sign-in screen per test; tests/browser/test_sign_in.py and test_app.py drive it. False, having done nothing, on
    a page already showing something: there the caller signs in through the form, as a user would."""
    if page.url != "about:blank":
        return False
    lent = CONTEXTS.lent_as(page.context)
    if lent is None:
        page.goto("/static/icon.svg")  # the app's origin, without loading the app
    status, session = (lent.keeper if lent else page).evaluate(SIGN_IN, [email, password])
    assert status == 200, (status, session)
    limited = session["must_change_password"] or session["must_enroll_totp"]
    page.goto("/#/settings/security" if limited else f"/#{at}")
    return True


def fits_the_phone(page: Any, screens: Screens, name: str) -> None:
    """The screen at the page's own (phone) width scrolls only downwards; its screenshot."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"], "sideways"
    screens.shoot(page, name)


def assert_fits_a_phone(page: Any, screens: Screens, name: str) -> None:
    """At 360 px the screen as it stands scrolls only downwards; back to the desktop size afterwards."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"], "no sideways scrolling"
        screens.shoot(page, name)
    finally:
        page.set_viewport_size(size)
