"""The caller card pushed while a call rings (#21 item 10): the number and names follow the employee's field rules."""

from __future__ import annotations

from tests.factories import add_member, signup
from tests.live.test_live import FakeManagement, management, open_socket  # noqa: F401 - the fixture
from tests.support import ApiClient, body
from tests.telephony.kit import create_telephony, play
from webhooks.providers import Call
from webhooks.providers import pbx as pbx_sim


def test_the_card_leaves_out_what_the_employee_s_role_may_not_read(
        client: ApiClient, management: FakeManagement) -> None:  # noqa: F811
    company = signup(client, company="Ringing Rules Ltd", country="RU")
    token = company.owner.token
    made = client.post("/api/v1/roles", {"key": "operator", "name": "Operator", "permissions": [
        "contacts:read:all", "calls:read:all", "contacts.phones:hidden", "contacts.last_name:hidden"]}, token=token)
    assert made.status_code == 201, made.body
    operator = add_member(client, company, role="operator", name="operator")
    body(client.post("/api/v1/contacts", {"first_name": "Anna", "last_name": "Petrova",
                                          "phones": [{"number": "+79161234568"}]}, token=token))
    operator_socket = open_socket(client, operator.token)
    pbx = create_telephony(client, company, "pbx", extensions={"103": operator.user_id})
    play(client, pbx, pbx_sim.requests("answered", pbx["webhook_url"], key=None, secret=pbx["secret"],
                                       call=Call(customer="+79161234568", extension="103")))
    [card] = [m for m in management.received.get(operator_socket, []) if m["type"] == "call.ringing"]
    assert card["call"]["number"] is None and "name" not in card["call"]["contact"]
    assert "Petrova" not in str(card) and "9161234568" not in str(card)
