"""Toasts (#20 item 9): one at a time, over the top bar rather than over the fields and buttons of the screen, and
letting a tap through to whatever is under it; on a phone and on a laptop, in English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.app_js import app_js
from tests.browser.conftest import Screens, new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up

VIEWPORTS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1366, "height": 800}}
SAVED = {"en": "Saved", "ru": "Сохранено"}


def saving(response: Any) -> bool:
    """The company form's save: its answer, not a networkidle that passes at once in a page loaded long before."""
    return response.request.method == "PATCH" and response.url.endswith("/api/v1/tenant")

OVERLAPPING_CONTROLS = """(toast) => {
  const t = toast.getBoundingClientRect();
  const shown = document.querySelector('.topbar').getBoundingClientRect().bottom; // under the sticky bar: hidden
  return [...document.querySelectorAll('main input, main select, main textarea, main button, main a')]
    .filter((el) => el.offsetParent !== null)
    .filter((el) => { const r = el.getBoundingClientRect();
      return r.width > 0 && r.left < t.right && r.right > t.left && Math.max(r.top, shown) < t.bottom
        && r.bottom > t.top; })
    .map((el) => el.outerHTML.slice(0, 80));
}"""


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_one_toast_at_a_time_away_from_the_controls(browser: Any, live_url: str, screens: Screens, size: str,
                                                    lang: str) -> None:
    page = new_page(browser, live_url, viewport=VIEWPORTS[size])
    sign_up(page, company="Toast Florist")
    page.get_by_label("Language", exact=True).select_option(lang)
    open_screen(page, "/settings/company", "Settings" if lang == "en" else "Настройки")
    page.get_by_label("Company name" if lang == "en" else "Название компании").wait_for()
    page.evaluate(app_js("""async () => { const { toast } = await import('/static/js/ui.js');
      toast('one'); toast('two', 'error'); toast('three'); }"""))
    assert page.locator(".toast").all_inner_texts() == ["three"], "three toasts in a row show one, not three stacked"
    save = page.locator("main form button[type=submit]").first
    with page.expect_response(saving):
        save.click()
    page.locator(".toast", has_text=SAVED[lang]).wait_for()
    assert page.locator(".toast").count() == 1
    toast = page.locator(".toast")
    assert page.locator(".toasts").evaluate("(el) => getComputedStyle(el).pointerEvents") == "none"
    assert toast.evaluate(OVERLAPPING_CONTROLS) == []
    # scrolled to the bottom of the form, the toast still covers none of it
    page.locator(".toast").evaluate("(toast) => toast.remove()")  # so the next "Saved" is the second save's
    with page.expect_response(saving):
        page.locator("main form button[type=submit]").first.click()  # scrolled to, retried if the form is redrawn
    page.locator(".toast", has_text=SAVED[lang]).wait_for()
    assert page.locator(".toast").evaluate(OVERLAPPING_CONTROLS) == []
    screens.shoot(page, f"{size}-{lang}")
    assert_no_problems(page)
    page.context.close()
