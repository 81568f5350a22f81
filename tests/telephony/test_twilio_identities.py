"""A Phoenix real estate team's agents answer the Twilio line in Twilio's app (a Client identity) or on a SIP phone:
the admin pastes each one's address as the Twilio Console shows it ("client:jess", "sip:carlos@...") and it is kept
as the extension the line's calls name (it was refused with a regular expression)."""

from __future__ import annotations

from tests.factories import add_member, signup
from tests.support import ApiClient
from tests.telephony.kit import CREDENTIALS, create_telephony, play
from tests.telephony.kit import calls as kit_calls
from webhooks.providers import Call
from webhooks.providers import twilio as simulator

ACCOUNT = CREDENTIALS["twilio"]["account_sid"]
TOKEN = CREDENTIALS["twilio"]["auth_token"]


def test_client_and_sip_addresses_are_kept_as_their_extensions(client: ApiClient) -> None:
    realty = signup(client, company="Sunbelt Homes Realty", country="US", timezone="America/Phoenix")
    jess = add_member(client, realty, role="agent", name="jess")
    carlos = add_member(client, realty, role="agent", name="carlos")
    line = create_telephony(client, realty, "twilio", caller_id="(602) 555-0100", extensions={
        "client:jess": jess.user_id, "sip:carlos@sunbelt.sip.twilio.com": carlos.user_id,
        "Client:amber ": realty.owner.user_id})
    assert line["settings"]["extensions"] == {"jess": jess.user_id, "carlos@sunbelt.sip.twilio.com": carlos.user_id,
                                              "amber": realty.owner.user_id}
    call = Call(customer="+14805550142", line="+16025550100", extension="jess")
    assert {a.status_code for a in play(client, line, simulator.requests(
        "answered", line["webhook_url"], key=ACCOUNT, secret=TOKEN, call=call))} == {200}
    [answered] = kit_calls(client, realty)
    assert answered["status"] == "answered" and answered["user_id"] == jess.user_id
