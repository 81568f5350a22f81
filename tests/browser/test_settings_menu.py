"""Settings as a menu of sections in groups (#20 item 10): beside the section on a desktop with every section in
full view, the #/settings page itself on a phone; a section on a phone shows the way back and its own name."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen, sign_up

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 740}
SECTIONS_EN = ["Profile", "Security", "Users", "Roles", "Teams", "Pipelines", "Custom fields", "Integrations",
               "API keys", "Company", "Billing", "Data", "Audit log"]


def test_every_section_is_in_full_view_beside_the_section_on_a_laptop(browser: Any, live_url: str,
                                                                       screens: Screens) -> None:
    # The sections fit beside the section at 800 px once the page is scrolled to the section's title (the top bar
    # and the new company's two banners above it). Where the page stands when the title takes the focus depends on
    # the scroll the sign-up form and the Tasks screen left and on how far each had drawn: 190 px on an idle machine,
    # about 137 px once on a loaded one, and Audit log was below the fold. So the test scrolls to the title itself.
    page = new_page(browser, live_url, viewport=LAPTOP, own_context=True)
    sign_up(page, company="Menu Florist")
    open_screen(page, "/settings/profile", "Settings")
    # the screen is drawn when its title takes the focus (main.js): scroll to it after that, then measure
    expect(page.locator("#page-title")).to_be_focused()
    page.locator("#page-title").evaluate("(title) => title.scrollIntoView({ block: 'start' })")
    menu = page.locator(".settings-nav")
    for name in SECTIONS_EN:
        link = menu.get_by_role("link", name=name, exact=True)
        assert link.is_visible(), name
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], name
        assert box["y"] + box["height"] <= LAPTOP["height"], f"{name} is below the fold"
    assert menu.get_by_role("link", name="Profile", exact=True).get_attribute("aria-current") == "page"
    assert menu.locator("h2", has_text="Company").is_visible()  # the groups are named
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
