"""Every field an import maps a column to has its name in the web app, in English and Russian: a Berlin agency's
HubSpot export's "Job Title" column was mapped to a field the preview called 'job_title' (its list of fields and
the first rows' heading), the one raw word on the screen."""

from __future__ import annotations

from chalicelib.dataio.targets import TARGETS
from tests.browser.test_messages import message_keys


def test_every_importable_field_has_a_name_on_the_import_screen() -> None:
    keys = message_keys()
    missing = sorted(f"{entity}: {name}" for entity, target in TARGETS.items() for name in target.specs
                     if not name.startswith(("custom.", "prices.")) and f"data.fieldName.{name}" not in keys)
    assert not missing, missing
