"""Settings → Audit log in the browser: filters, diffs, revert (forced when changed since, refused when not
revertable), chain verification, the sensitive-read log and a note's mention named in its change."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.app_js import app_js
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import BENIGN, DRAWN, open_screen, sign_up
from tests.browser.test_integrations import post_lead


def rename_team(page: Any, old: str, new: str) -> None:
    open_screen(page, "/settings/teams", "Settings")
    box = page.locator(".list input")
    assert box.input_value() == old
    box.fill(new)
    box.press("Enter")
    page.locator(".toast", has_text="Saved").last.wait_for()


def team_record(page: Any, before: str, after: str) -> Any:
    return page.locator(".audit-list > li", has=page.locator("td.before", has_text=before)).filter(
        has=page.locator("td.after", has_text=after)).first


def test_owner_filters_reverts_and_verifies_the_trail(browser: Any, live_url: str, screens: Screens) -> None:
    page = new_page(browser, live_url)
    sign_up(page, company="Audit Bakery")
    open_screen(page, "/settings/teams", "Settings")
    page.get_by_label("Team name").fill("Night shift")
    page.get_by_role("button", name="Create team").click()
    page.locator(".list input").wait_for()
    rename_team(page, "Night shift", "Morning shift")

    open_screen(page, "/settings/audit", "Settings")
    page.get_by_label("Record type").select_option("team")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**entity=team**")
    page.wait_for_function(DRAWN)  # the filtered list drawn: the team's record is in the unfiltered one too
    record = team_record(page, "Night shift", "Morning shift")
    record.wait_for()
    assert "Changed · Team" in record.inner_text() and "Olga Owner" in record.inner_text()
    assert all("Team" in text for text in page.locator(".audit-list .title").all_inner_texts())
    screens.shoot(page, "audit")
    assert_fits_a_phone(page, screens, "audit-phone")

    record.get_by_role("button", name="Revert").click()
    page.get_by_role("dialog").get_by_role("button", name="Revert").click()
    page.locator(".toast", has_text="Reverted").wait_for()
    team_record(page, "Morning shift", "Night shift").wait_for()

    # The same change again: the team has changed since, so the screen offers to overwrite.
    team_record(page, "Night shift", "Morning shift").get_by_role("button", name="Revert").click()
    page.get_by_role("dialog").get_by_role("button", name="Revert").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("The record has changed since").wait_for()
    dialog.get_by_role("button", name="Revert anyway").click()
    page.locator(".toast", has_text="Reverted").last.wait_for()
    open_screen(page, "/settings/teams", "Settings")
    expect(page.locator(".list input")).to_have_value("Night shift")

    # A change of something without a reverter (an API key) or that no revert undoes (a user's creation): no Revert.
    open_screen(page, "/settings/api-keys", "Settings")
    page.get_by_label("Name", exact=True).fill("Website")
    page.get_by_label("Contacts: View").check()
    page.get_by_role("button", name="Create key").click()
    page.locator('[data-test="api-key-secret"]').wait_for()
    open_screen(page, "/settings/audit?entity=api_key", "Settings")
    page.locator(".audit-list > li", has_text="API key").first.wait_for()
    expect(page.locator(".audit-list").get_by_role("button", name=re.compile("^Revert"))).to_have_count(0)
    open_screen(page, "/settings/audit?entity=user", "Settings")
    page.locator(".audit-list > li", has_text="Olga Owner").first.wait_for()
    expect(page.locator(".audit-list").get_by_role("button", name=re.compile("^Revert"))).to_have_count(0)

    # A lead from a website form: its webhook is named as the integration, not by its id.
    form = page.evaluate(app_js("""async () => (await import('/static/js/api.js')).post('/api/v1/integrations',
        { type: 'form', name: 'Site form' })"""))
    post_lead(live_url, form["webhook_url"], {"name": "Vera", "email": "vera@example.com"})
    open_screen(page, "/settings/audit?entity=contact", "Settings")
    page.locator(".audit-list .meta", has_text='Webhook “Site form”').first.wait_for()
    assert form["id"] not in page.locator(".audit-list").inner_text()

    # A date range in the future matches nothing; the chain of every entity verifies.
    page.get_by_label("From").fill("2099-01-01T00:00")
    page.get_by_role("button", name="Apply filters").click()
    page.locator(".empty", has_text="No recorded changes match").wait_for()
    page.get_by_role("button", name="Verify the chain").click()
    page.locator(".verify-result", has_text="Intact").wait_for()

    # A passport number typed on a contact, revealed on its card: the read shows in the log.
    open_screen(page, "/contacts", "Contacts")
    page.get_by_label("First name").fill("Ivan")
    page.get_by_role("button", name="Add contact").click()
    page.locator("#page-title", has_text="Ivan").wait_for()
    ivan_url = page.url
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Passport number").fill("4510 123456")
    page.get_by_role("form", name="Edit").get_by_role("button", name="Save").click()
    masked = page.locator('.masked[data-field="passport_number"]')
    masked.wait_for()
    assert masked.inner_text() == "••••3456"
    page.get_by_role("button", name="Reveal passport_number").click()
    page.locator('[data-field="passport_number"]', has_text="4510 123456").wait_for()
    open_screen(page, "/settings/audit/reads", "Settings")
    row = page.locator("tr", has_text="passport_number")
    row.wait_for()
    assert "Olga Owner" in row.inner_text() and "Contact" in row.inner_text()
    screens.shoot(page, "sensitive-reads")

    # A note on Ivan mentioning the owner: its change names them "@Olga Owner" as the note does, not by their id.
    owner_id = page.evaluate(app_js("async () => (await import('/static/js/session.js')).session.user.id"))
    page.evaluate(app_js("""async ([contact, owner]) => (await import('/static/js/api.js')).post('/api/v1/notes',
        { subject: { type: 'contact', id: contact }, text: `Call back, @${owner} knows him` })"""),
                  [re.search(r"#/contacts/([0-9A-Z]{26})", ivan_url).group(1), owner_id])  # type: ignore[union-attr]
    open_screen(page, "/settings/audit?entity=note", "Settings")
    page.locator(".audit-list td.after", has_text="Call back").locator(".mention", has_text="@Olga Owner").wait_for()
    assert owner_id not in page.locator(".audit-list").inner_text()

    # In Russian each change says in Russian what was done, to what and through what (not "sign_in", "api").
    page.select_option(".lang-select", "ru")
    open_screen(page, "/settings/audit", "Настройки")
    titles = page.locator(".audit-list .title").all_inner_texts()
    metas = page.locator(".audit-list .meta:not(.mono)").all_inner_texts()
    names = [part for title in titles for part in title.strip().rsplit(" ", 1)[0].split(" · ")]
    names += [meta.split(" · ")[2] for meta in metas]
    raw = sorted({name for name in names if name != "API" and not re.search("[\u0430-\u044f\u0451]", name, re.I)})
    assert len(titles) > 5 and not raw, raw
    page.locator(".audit-list .meta", has_text='Вебхук «Site form»').first.wait_for()
    assert not [p for p in page.problems if not BENIGN.search(p)], page.problems
    page.context.close()
