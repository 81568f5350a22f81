"""The keyboard alone, no mouse: a user signs in, opens a contact, adds a note and moves a deal to its next stage
with Tab, Enter, the arrow keys and Escape, and sees a focus ring strong enough to find (3:1 against the page,
WCAG 2.1 AA 1.4.11) on every control the Tab key reaches on the way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.browser.test_app import assert_no_problems, column
from tests.factories import signup
from tests.support import ApiClient, body

DRAWN = "() => !document.querySelector('[data-test=skeleton]') && document.activeElement.id === 'page-title'"
MOST_TABS = 60  # a screen's controls before the one wanted; more and the way there is too long for anyone
# What the focused control shows: its element, accessible text and focus ring, which is an outline or a box-shadow
# whose colour contrasts with the page behind it (the ring's colour is parsed from the computed style).
FOCUSED = """() => {
  const el = document.activeElement;
  // On a date field's picker button (inside the field) the field itself is not :focus; the browser rings the button.
  if (el.matches('input[type^=date], input[type=time]') && !el.matches(':focus')) return {picker: true};
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? style.outlineColor : null;
  const shadow = style.boxShadow !== 'none' ? (style.boxShadow.match(/rgba?\\([^)]*\\)/g) || []).pop() : null;
  const text = (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || '').trim();
  return {tag: el.tagName.toLowerCase(), text: text.replace(/\\s+/g, ' ').slice(0, 80), ring: outline || shadow};
}"""


def luminance(colour: str) -> float:
    """The relative luminance of an rgb()/rgba() colour (WCAG 2.1)."""
    parts = [float(p) for p in colour[colour.index("(") + 1:-1].replace(",", " ").replace("/", " ").split()[:3]]
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Keyboard:
    """Tabs through a page as a keyboard user does, checking the focus ring on every stop."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops = 0

    def tab_to(self, tag: str, text: str, *, back: bool = False) -> None:
        """Tab (Shift+Tab when back) until the focus is on a `tag` whose accessible text starts with `text`, each
        stop ringed."""
        seen = []
        for _ in range(MOST_TABS):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            focused = self.page.evaluate(FOCUSED)
            self.stops += 1
            if focused.get("picker"):
                continue
            seen.append(f"{focused['tag']} {focused['text']!r}")
            assert focused["ring"], f"no visible focus ring on {seen[-1]}"
            for page_colour in ("rgb(255, 255, 255)", "rgb(245, 246, 248)"):  # a panel, the page (app.css)
                faint = f"a faint focus ring ({focused['ring']}) on {seen[-1]}"
                assert contrast(focused["ring"], page_colour) >= 3, faint
            if focused["tag"] == tag and focused["text"].startswith(text):
                return
        raise AssertionError(f"{tag} {text!r} not reached with Tab: " + ", ".join(seen))

    def arrive(self, title: str) -> None:
        """Wait for a screen drawn with its heading focused (main.js), where the next Tab starts."""
        self.page.locator("#page-title", has_text=title).wait_for()
        self.page.wait_for_function(DRAWN)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def test_sign_in_open_a_contact_add_a_note_and_move_a_deal_by_keyboard(browser: Any, live_url: str,
                                                                         app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Keys Bakery")
    token = company.owner.token
    contact = body(client.post("/api/v1/contacts", {"first_name": "Nadia", "last_name": "Keys"}, token=token))
    deal = body(client.post("/api/v1/deals", {"title": "Birthday cake", "contact_ids": [contact["id"]]}, token=token))
    page = new_page(browser, live_url)
    page.bring_to_front()  # the focused tab of its window, as the one a user types in
    keys = Keyboard(page)
    page.goto("/#/login")
    page.locator("#page-title", has_text="Log in").wait_for()

    keys.tab_to("input", "E-mail")
    keys.type(company.owner.email)
    keys.tab_to("input", "Password")
    keys.type(company.owner.password)
    keys.press("Enter")
    page.locator(".brand-name", has_text="Keys Bakery").wait_for()
    keys.arrive("Tasks")

    keys.tab_to("a", "Contacts", back=True)  # from the screen's heading back up to the side menu
    keys.press("Enter")
    keys.arrive("Contacts")
    keys.tab_to("a", "Nadia Keys")
    keys.press("Enter")
    keys.arrive("Nadia Keys")
    keys.tab_to("textarea", "Note")
    keys.type("Wants lilies on top")
    keys.tab_to("button", "Add note")
    keys.press("Enter")
    page.locator(".timeline", has_text="Wants lilies on top").wait_for()
    expect(page.get_by_role("button", name="Add note")).to_be_focused()  # not lost to the top of the page

    keys.tab_to("button", "Delete", back=True)  # up to the card's head
    keys.press("Enter")
    expect(page.get_by_role("dialog")).to_contain_text("Nadia Keys")
    keys.press("Escape")  # changed their mind: the dialog closes, the focus back where it was, nothing deleted
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete", exact=True)).to_be_focused()
    keys.tab_to("a", "Deals", back=True)
    keys.press("Enter")
    keys.arrive("Deals")
    keys.tab_to("select", "Move “Birthday cake” to")
    keys.press("ArrowDown")  # the next stage, at once
    column(page, "Qualified").locator(".deal", has_text="Birthday cake").wait_for()
    assert client.get(f"/api/v1/contacts/{contact['id']}", token=token).status_code == 200
    moved = body(client.get(f"/api/v1/deals/{deal['id']}", token=token))["deal"]
    assert moved["stage_id"] != deal["stage_id"], moved
    expect(page.get_by_label("Move “Birthday cake” to")).to_be_focused()  # still where the user was
    assert keys.stops > 5
    assert_no_problems(page)

