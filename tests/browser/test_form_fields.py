"""A website form's field map edited in the browser (and used for the next lead), and a received event's
fields shown as the site sent them."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems, open_screen
from tests.browser.test_integrations import post_lead
from tests.browser.test_sensitive import log_in
from tests.factories import signup
from tests.support import ApiClient, body

NICHE = {"entity": "contact", "key": "flavour", "label": "Favourite flavour", "type": "text"}


def test_owner_maps_form_fields_and_reads_an_events_fields(browser: Any, live_url: str, app: Any,
                                                           screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Mapping Bakery")
    token = company.owner.token
    assert client.post("/api/v1/custom-fields", NICHE, token=token).status_code == 201
    created = body(client.post("/api/v1/integrations", {"type": "form", "name": "Cake form", "settings": {}},
                               token=token))

    page = new_page(browser, live_url)
    log_in(page, company.owner, "Mapping Bakery", at="/settings/integrations")
    open_screen(page, "/settings/integrations", "Settings")
    panel = page.locator("section[data-integration]", has_text="Cake form")
    panel.locator("summary", has_text="Settings").click()
    rows = panel.locator(".field-map-row")
    rows.last.get_by_label("Field of the form").fill("client")
    rows.last.get_by_label("Fills").select_option("name")
    panel.get_by_role("button", name="Add a field").click()
    rows.last.get_by_label("Field of the form").fill("cake-flavour")
    rows.last.get_by_label("Fills").select_option(label="Custom fields: Favourite flavour")
    panel.get_by_role("button", name="Add a field").click()
    rows.last.get_by_label("Field of the form").fill("utm-junk")
    rows.last.get_by_label("Fills").select_option("ignore")
    panel.get_by_role("button", name="Add a field").click()
    rows.last.get_by_label("Field of the form").fill("deliver-to")  # a new contact's address (street)
    rows.last.get_by_label("Fills").select_option(label="Address (street)")
    panel.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for()
    saved = body(client.get(f"/api/v1/integrations/{created['id']}", token=token))["settings"]["field_map"]
    assert saved == {"client": "name", "cake-flavour": "custom.flavour", "utm-junk": "ignore", "deliver-to": "address"}

    # The map is shown again for editing; removing a row removes it from the settings.
    page.reload()
    panel.locator("summary", has_text="Settings").click()
    assert [row.get_by_label("Field of the form").input_value() for row in rows.all()] == [
        "client", "cake-flavour", "utm-junk", "deliver-to", ""]
    rows.nth(2).get_by_role("button", name="Remove this field").click()
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/integrations/{created['id']}")
                              and r.request.method == "PATCH") as saving:
        panel.get_by_role("button", name="Save").click()
    assert saving.value.ok
    page.locator(".toast", has_text="Saved").nth(0).wait_for()
    saved = body(client.get(f"/api/v1/integrations/{created['id']}", token=token))["settings"]["field_map"]
    assert saved == {"client": "name", "cake-flavour": "custom.flavour", "deliver-to": "address"}

    # A lead posted with the site's own names lands where the map says; its fields are shown as received.
    lead = {"client": "Zoya Lebedeva", "phone": "+1 415 555 0142", "cake-flavour": "Lemon",
            "deliver-to": "12 Mill Lane"}
    assert post_lead(live_url, created["webhook_url"], lead)["ok"] is True
    contacts = body(client.get("/api/v1/contacts?q=Zoya", token=token))["items"]
    assert [" ".join(filter(None, (c["first_name"], c["last_name"]))) for c in contacts] == ["Zoya Lebedeva"]
    card = body(client.get(f"/api/v1/contacts/{contacts[0]['id']}", token=token))
    assert card.get("contact", card)["custom"] == {"flavour": "Lemon"}
    assert card.get("contact", card)["shipping_address"] == {"line1": "12 Mill Lane"}
    page.reload()
    panel.locator("summary", has_text="Recent events").click()
    event = panel.locator("details.events .list > li").first
    event.get_by_role("button", name="Show fields").click()
    payload = event.locator(".event-payload")
    payload.locator("dd", has_text="Lemon").wait_for()
    assert "cake-flavour" in payload.inner_text() and "Zoya Lebedeva" in payload.inner_text()
    assert event.get_by_role("button", name="Show fields").get_attribute("aria-expanded") == "true"
    screens.shoot(page, "integration-event-fields")
    assert_fits_a_phone(page, screens, "integration-event-fields-phone")
    event.get_by_role("button", name="Show fields").click()
    assert payload.is_hidden()
    assert_no_problems(page)
    page.context.close()
