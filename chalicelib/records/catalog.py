"""The modules that declare record types, loaded by name the first time the engine needs a type.

Like ``core/routes.json`` for routes, this list is how the engine finds its plug-ins without importing
any domain: a declaration module imports the engine (``records.types.register``), never the reverse.
A new record type is one line here plus its ``record.py``.
"""

from __future__ import annotations

DECLARATIONS = (
    "chalicelib.contacts.record",
    "chalicelib.companies.record",
    "chalicelib.deals.record",
    "chalicelib.products.record",
    "chalicelib.calls.record",
    "chalicelib.conversations.record",
    "chalicelib.tickets.record",
    "chalicelib.orders.record",
)

# Who points a linked record at another contact when a merge (or its undo) moves a contact's links:
# "module:function", loaded the first time a merge needs it. The links in a contact's collection belong
# to the domains that wrote them, so the contacts domain asks them by kind and imports none of them.
RELINKERS = {
    "deal": "chalicelib.deals.service:move_contact_link",
    "task": "chalicelib.tasks.service:move_contact_link",
    "ticket": "chalicelib.tickets.service:move_contact_link",
}

# Who moves what else a user owns when the user moves to another team (``records.teams``), after the record types:
# step name -> "module:function", ``fn(ctx, *, owner_id, team_id, cursor) -> (moved, next cursor or None)``, one page.
TEAM_FOLLOWERS = {
    "task": "chalicelib.tasks.service:follow_team",
    "kb_article": "chalicelib.kb.service:follow_team",  # its team: who else may change it (a manager's team)
}

# What else a package keeps per contact that a merge combines into the survivor, in the merge's own transaction:
# "module:function", ``fn(ctx, change, *, survivor_id, absorbed_id)``, loaded the first time a merge needs it.
MERGE_PARTS = (
    "chalicelib.campaigns.consent:merge_contacts",  # consent per channel: a withdrawal on either contact wins
)

# What follows the survivor once a merge is visible, each in transactions of its own: "module:function",
# ``fn(ctx, *, survivor_id, absorbed_id)``.
MERGE_FOLLOWERS = (
    "chalicelib.messaging.merging:contact_merged",  # the absorbed contact's conversations
)
