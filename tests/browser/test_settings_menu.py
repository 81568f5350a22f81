"""Settings as a menu of sections in groups (#20 item 10): beside the section on a desktop, every section at hand in
a menu that keeps to the window, the #/settings page itself on a phone; a section on a phone shows the way back and
its own name."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import DRAWN, assert_no_problems, open_screen, sign_up

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
SECTIONS_EN = ["Profile", "Security", "Users", "Roles", "Teams", "Pipelines", "Custom fields", "Integrations",
               "API keys", "Company", "Billing", "Data", "Audit log"]


IN_VIEW = """(link) => {
  const box = link.getBoundingClientRect(), menu = link.closest('.settings-nav').getBoundingClientRect();
  return box.top >= menu.top - 1 && box.bottom <= Math.min(menu.bottom, innerHeight) + 1 && box.height > 0;
}"""


def at_its_top(page: Any) -> None:
    """The section opened at the top of the page: the banners and its title in view, not where the last one was."""
    assert page.evaluate("() => scrollY") == 0
    for banner in ("billing-banner", "confirm-banner"):
        assert page.locator(f"[data-test={banner}]").is_visible(), banner
    title = page.locator("#page-title").bounding_box()
    assert title is not None and title["y"] + title["height"] <= LAPTOP["height"]


def test_every_section_opens_at_its_top_with_the_whole_menu_at_hand_on_a_laptop(browser: Any, live_url: str,
                                                                                screens: Screens) -> None:
    # A new company's screens start under two banners (its trial's days, the address to confirm): below them an
    # owner's menu of sections is taller than a 1366x800 laptop shows. The menu keeps to the window and scrolls on its
    # own, so every section is at hand with the section's top in view; one section opened from another starts at the
    # top, not at the scroll the last one left.
    page = new_page(browser, live_url, viewport=LAPTOP)
    sign_up(page, company="Menu Florist")
    open_screen(page, "/settings/profile", "Settings")
    at_its_top(page)
    menu = page.locator(".settings-nav")
    assert menu.bounding_box()["y"] + menu.bounding_box()["height"] <= LAPTOP["height"], "the menu ends in the window"
    for name in SECTIONS_EN:
        link = menu.get_by_role("link", name=name, exact=True)
        link.scroll_into_view_if_needed()  # in the menu's own scroll: the page stays at its top
        assert page.evaluate("() => scrollY") == 0, name
        assert link.evaluate(IN_VIEW), name
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], name
    assert menu.get_by_role("link", name="Profile", exact=True).get_attribute("aria-current") == "page"
    assert menu.locator("h2", has_text="Company").is_visible()  # the groups are named

    # From a page scrolled to its end, the menu's last section and then its first open at their tops, marked in view.
    for name, path, ready in [("Audit log", "/settings/audit", ".audit-list, .empty"),
                              ("Profile", "/settings/profile", "main form")]:
        page.evaluate("() => scrollTo(0, document.documentElement.scrollHeight)")
        menu.get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"**/#{path}")
        page.wait_for_function(DRAWN)
        page.locator(ready).first.wait_for()
        at_its_top(page)
        marked = menu.locator("[aria-current=page]")
        assert marked.inner_text() == name and marked.evaluate(IN_VIEW), name
        screens.shoot(page, path.rsplit("/", 1)[1])

    menu.get_by_role("link", name="Company", exact=True).click()
    page.get_by_label("Company name").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP["width"]
    # the section sits beside the menu, not under it
    assert page.get_by_label("Company name").bounding_box()["x"] > menu.bounding_box()["x"] + 150
    screens.shoot(page, "company")
    assert_no_problems(page)
    page.context.close()


def test_a_phone_opens_settings_as_a_menu_in_russian(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url, viewport=PHONE)
    sign_up(page, company="Цветы у дома")  # noqa: RUF001
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav", has_text="Сделки").wait_for()
    page.locator(".main-nav a", has_text="Настройки").click()
    page.locator("#page-title", has_text="Настройки").wait_for()
    index = page.locator(".settings-index")
    for group in ["Ваша учётная запись", "Команда", "Продажи", "Подключения", "Компания"]:
        index.locator("h2", has_text=group).wait_for()
    links = index.get_by_role("link")
    assert links.count() >= len(SECTIONS_EN)  # and the sections others add by one entry
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"], links.nth(i).inner_text()
    assert_fits_a_phone(page, screens, "index")
    index.get_by_role("link", name="Компания", exact=True).click()
    page.get_by_label("Название компании").wait_for()
    where = page.locator(".settings-where")
    assert where.locator(".settings-current").inner_text() == "Компания"
    assert not page.locator(".settings-menu").is_visible()  # no sideways scroller of twelve tabs on a phone
    assert_fits_a_phone(page, screens, "company")
    where.get_by_role("link", name="Все настройки").click()  # noqa: RUF001
    page.locator(".settings-index").wait_for()
    assert_no_problems(page)
    page.context.close()
