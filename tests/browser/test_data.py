"""Settings → Data in the browser: a CSV import with its preview and progress, a contacts export, the owner's full
export, and the company's deletion cancelled through the e-mailed link."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import BENIGN, open_screen, sign_up
from tests.factories import PASSWORD, link_token
from tests.seeds.dataio import ensure_bucket

CSV = (
    "First name,Last name,Phone,E-mail,Favourite cake,Company\n"
    "Anna,Smirnova,+1 415 555 0101,anna@example.com,Napoleon,Cake Street\n"
    "Boris,Ivanov,+1 415 555 0102,not-an-email,Honey,\n"
    "Clara,Olsen,+1 415 555 0103,clara@example.com,Carrot,cake street\n"
    "Clara,Olsen,+1 415 555 0103,clara@example.com,Carrot,cake street\n"
)


SCHEDULER_TICKS = 10  # a bound on the minutes waited for, never their pace


def run_dataio_jobs() -> None:
    """What the scheduler does every minute, minute after minute until no job it ran is left unfinished: a job
    checkpoints when its slice of a run is spent and the next run goes on, and a loaded machine may need more than
    one run for a file that one run finishes on an idle one."""
    from chalicelib.dataio import jobs

    for _ in range(SCHEDULER_TICKS):
        outcomes = jobs.run_pending(30)
        if not outcomes.keys() & {"queued", "running", "paused", "busy"}:
            return


def run_tenant_jobs() -> None:
    from chalicelib.tenantdata import jobs

    jobs.run_pending()


def test_import_export_full_export_and_deletion(browser: Any, live_url: str, screens: Screens) -> None:
    ensure_bucket()
    page = new_page(browser, live_url)
    email = sign_up(page, company="Data Bakery")
    open_screen(page, "/settings/data", "Settings")

    page.get_by_label("File").set_input_files({"name": "contacts.csv", "mimeType": "text/csv", "buffer": CSV.encode()})
    page.get_by_role("button", name="Upload and preview").click()
    preview = page.locator('[data-test="import-preview"]')
    preview.wait_for()
    assert "contacts.csv (CSV): 4 rows" in preview.inner_text()
    assert "row 4" in preview.locator("table.duplicate-rows").inner_text()  # row 5 repeats row 4
    errors = preview.locator("table.row-errors")
    assert "3" in errors.inner_text() and "mail" in errors.inner_text().lower()  # row 3: the bad e-mail
    assert preview.get_by_label("Field for column E-mail").input_value() != ""
    assert preview.get_by_label("Field for column Company").input_value() == "company"  # linked, not ignored
    assert re.search(r"New companies\s*1", preview.inner_text()) and "not imported yet" not in preview.inner_text()
    screens.shoot(page, "import-preview")
    assert_fits_a_phone(page, screens, "import-preview-phone")
    preview.get_by_role("button", name="Start import").click()
    progress = page.locator('[data-test="import-progress"]')
    progress.wait_for()
    run_dataio_jobs()
    progress.get_by_text("Done").wait_for(timeout=15_000)
    assert re.search(r"Created\s*2", progress.inner_text()), progress.inner_text()
    assert re.search(r"Companies created\s*1", progress.inner_text()), progress.inner_text()

    open_screen(page, "/contacts", "Contacts")
    page.locator(".list a", has_text="Clara Olsen").wait_for()

    open_screen(page, "/settings/data", "Settings")
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_role("button", name="Export", exact=True).click()
    status = page.locator('[data-test="export-status"]')
    status.wait_for()
    run_dataio_jobs()
    link = status.get_by_role("link", name=re.compile("Download"))
    link.wait_for(timeout=15_000)
    assert link.get_attribute("href").startswith("http")
    assert "2 rows" in status.inner_text()
    page.get_by_role("form", name="Export").get_by_label("What").select_option("company")
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Export", exact=True).click()
    run_dataio_jobs()
    status.get_by_role("link", name=re.compile(r"Download .*\.csv")).wait_for(timeout=15_000)

    page.get_by_role("button", name="Export everything").click()
    full = page.locator('[data-test="tenant-export-status"]')
    full.wait_for()
    run_tenant_jobs()
    full.get_by_role("link", name="Download the archive").wait_for(timeout=15_000)
    assert "link valid until" in full.inner_text()
    screens.shoot(page, "data")

    # Deleting the company: the typed name must match, the password is checked by the API.
    delete = page.get_by_role("form", name="Delete the company")
    delete.get_by_label(re.compile("Type the company name")).fill("Data Bakery Ltd")
    delete.get_by_label("Password").fill(PASSWORD)
    delete.get_by_role("button", name="Delete the company").click()
    delete.locator(".field-error", has_text="The name does not match").wait_for()
    delete.get_by_label(re.compile("Type the company name")).fill("Data Bakery")
    delete.get_by_label("Password").fill("wrong password 123")
    delete.get_by_role("button", name="Delete the company").click()
    delete.locator(".form-status", has_text="password").wait_for()
    delete.get_by_label("Password").fill(PASSWORD)
    delete.get_by_role("button", name="Delete the company").click()
    scheduled = page.locator('[data-test="deletion-scheduled"]')
    scheduled.wait_for()
    assert "will be deleted on" in scheduled.inner_text()
    screens.shoot(page, "deletion-scheduled")
    scheduled.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("#/login"))

    page.goto(f"/#/cancel-deletion?token={link_token(email, 'cancel-deletion')}")
    page.get_by_role("button", name="Cancel the deletion").click()
    page.locator(".notice-ok", has_text="The deletion is cancelled").wait_for()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".brand-name", has_text="Data Bakery").wait_for()
    # The one 403 is the wrong password's answer.
    unexpected = [p for p in page.problems if not BENIGN.search(p)]
    assert unexpected == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"], unexpected
    page.context.close()
