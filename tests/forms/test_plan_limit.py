"""A company at its plan's contacts limit still gets its website leads: the lead deal and the call-back task are
made without a contact, the deal's timeline keeps everything the visitor typed and says why there is no contact,
and the event is processed (nothing waits for a replay after an upgrade); a retry makes nothing twice."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import errors
from chalicelib.tasks import service as tasks_service
from tests.billing import helpers
from tests.factories import Company, signup
from tests.integrations.helpers import create_form, events, post_form
from tests.support import ApiClient, body

ANNA = {"name": "Анна Петрова", "phone": "+7 912 345-67-89", "email": "Anna@Example.com",
        "message": "Нужен букет к субботе", "utm_source": "yandex", "utm_campaign": "spring",
        "Delivery date": "Saturday"}


@pytest.fixture
def company(client: ApiClient) -> Company:
    return signup(client, company="Полный дом", country="RU", locale="ru")


def _full(client: ApiClient, company: Company) -> None:
    limit = helpers.usage(client, company)["contacts"]["limit"]
    helpers.set_usage(company, users=1, pipelines=1, contacts=limit)  # no room for one more contact


def _get(client: ApiClient, company: Company, path: str) -> dict[str, Any]:
    response = client.get(path, token=company.owner.token)
    assert response.status_code == 200, response.body
    return dict(body(response))


def _made(client: ApiClient, company: Company) -> tuple[int, int, int]:
    counts = [len(_get(client, company, path)["items"])
              for path in ("/api/v1/contacts", "/api/v1/deals", "/api/v1/tasks?view=all")]
    return counts[0], counts[1], counts[2]


def _entries(deal: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in deal["timeline"] if e["kind"] == "form_submission"]


def test_a_lead_at_the_contacts_limit_comes_in_as_a_deal_and_task_and_says_why(client: ApiClient,
                                                                               company: Company) -> None:
    other = signup(client, company="Other Ltd", country="RU")
    theirs = create_form(client, other, name="Their form")
    form = create_form(client, company, name="Букеты")
    _full(client, company)
    answer = post_form(client, form, ANNA)
    assert answer.status_code == 200, answer.body
    [event] = events(client, company, form)
    assert event["status"] == "processed", event  # not failed, waiting for a replay after an upgrade
    assert event["outcome"]["contact_skipped"] == "plan_limit" and "contact_id" not in event["outcome"]
    assert _made(client, company) == (0, 1, 1)

    deal = _get(client, company, f"/api/v1/deals/{event['outcome']['deal_id']}")
    assert deal["deal"]["title"] == "Заявка с сайта: Анна Петрова" and deal["deal"]["contact_ids"] == []  # noqa: RUF001
    [entry] = _entries(deal)
    data = entry["data"]
    assert data["contact_skipped"] == "plan_limit"  # the deal's history says why it has no contact
    assert (data["name"], data["phone"], data["email"], data["message"]) == (
        "Анна Петрова", "+79123456789", "Anna@Example.com", "Нужен букет к субботе")  # nothing typed is lost
    assert data["utm"] == {"source": "yandex", "campaign": "spring"} and data["other"] == {"Delivery date": "Saturday"}
    assert "not saved as a contact" in entry["summary"]
    task = _get(client, company, f"/api/v1/tasks/{event['outcome']['task_id']}")
    assert task["title"] == "Перезвонить: Анна Петрова" and task["related"]["id"] == deal["deal"]["id"]
    assert task["description"] == ("Нужен букет к субботе\n\n"
                                   "Не сохранён как контакт: достигнут лимит контактов вашего тарифа.")  # noqa: RUF001

    by_hand = client.post("/api/v1/contacts", {"first_name": "Анна"}, token=company.owner.token)
    assert by_hand.status_code == 402 and body(by_hand)["error"]["code"] == "plan_limit_reached"
    # Another company's form, not at its limit, makes its lead whole, and sees nothing of the first one's.
    assert post_form(client, theirs, ANNA).status_code == 200
    [their_event] = events(client, other, theirs)
    assert their_event["status"] == "processed" and their_event["outcome"]["contact_id"]
    assert "contact_skipped" not in their_event["outcome"]
    assert _made(client, other) == (1, 1, 1)
    assert client.get(f"/api/v1/deals/{deal['deal']['id']}", token=other.owner.token).status_code == 404


def test_a_retry_or_replay_of_a_lead_at_the_limit_makes_nothing_twice(
        client: ApiClient, company: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    form = create_form(client, company)
    _full(client, company)

    def throttled(*args: Any, **kwargs: Any) -> Any:
        raise errors.ServiceUnavailableError("throttled")

    monkeypatch.setattr(tasks_service, "create", throttled)  # the deal is made, then the task's step fails
    assert post_form(client, form, ANNA).status_code == 200
    [event] = events(client, company, form)
    assert event["status"] == "failed" and event["outcome"]["deal_id"], event
    assert _made(client, company) == (0, 1, 0)
    monkeypatch.undo()

    for _ in range(2):  # the retry finishes it; a second replay makes nothing more
        replayed = client.post(f"/api/v1/integrations/{form['id']}/events/{event['id']}/replay",
                               token=company.owner.token)
        assert replayed.status_code == 200 and body(replayed)["status"] == "processed", replayed.body
        assert body(replayed)["outcome"]["deal_id"] == event["outcome"]["deal_id"]
    assert _made(client, company) == (0, 1, 1)
    deal = _get(client, company, f"/api/v1/deals/{event['outcome']['deal_id']}")
    assert len(_entries(deal)) == 1
