"""The segments' tests drive the domain-event feed as the events tests do (moto's stream, app.domain_events)."""

from tests.events.conftest import feed, fresh_due_bookmark  # noqa: F401 - the fixtures, shared
