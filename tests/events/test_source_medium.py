"""An Austin HVAC installer's leads come from Google Ads (utm_source=google&utm_medium=cpc) and from Google's search
results (utm_source=google&utm_medium=organic): the sources report showed both as "google", so the owner could not
tell what the ads brought. A source is now shown with its medium, as Google Analytics shows it ("google / cpc"); a
lead tagged with a source alone stays under the source."""

from __future__ import annotations

from tests.events.conftest import Feed
from tests.factories import signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body


def test_the_sources_report_shows_google_ads_as_google_cpc(client: ApiClient, feed: Feed) -> None:
    company = signup(client, company="Lone Star Air", country="US", timezone="America/Chicago")
    form = create_form(client, company, name="Website quote form")
    leads = [{"name": "Kevin Nguyen", "phone": "(512) 555-0134", "utm_source": "google", "utm_medium": "cpc",
              "utm_campaign": "ac-repair-austin"},
             {"name": "Sarah Miller", "phone": "(512) 555-0188", "utm_source": "google", "utm_medium": "organic"},
             {"name": "Tom Baker", "phone": "(512) 555-0155", "utm_source": "nextdoor"}]
    for lead in leads:
        assert post_form(client, form, lead).status_code == 200
    assert all(event["status"] == "processed" for event in events(client, company, form))
    assert feed.deliver() == {"batchItemFailures": []}
    report = body(client.get("/api/v1/reports/sources", token=company.owner.token))
    assert sorted((row["source"], row["leads"], row["deals"]) for row in report["items"]) == [
        ("google / cpc", 1, 1), ("google / organic", 1, 1), ("nextdoor", 1, 1)]
