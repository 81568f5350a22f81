"""A contact merge's conversations: the chats of the contact merged away continue on the contact kept.

Conversations are no links in the contact's collection (deals, tasks and tickets are, and the merge moves those
itself): they name their contact, and the inbox finds a contact's threads by the ``CF#contact#<id>`` rows. After the
merge is visible, each of the absorbed contact's conversations is pointed at the survivor in its own transaction (its
rows and audit record with it), so the kept card lists the chats and a rule writing to the contact (an appointment's
reminder) finds them. An undo leaves them with the kept contact: the customer's next message continues there.
"""

from __future__ import annotations

from chalicelib.conversations.models import ConversationRow
from chalicelib.conversations.record import CONVERSATION
from chalicelib.core import db, errors
from chalicelib.core.observability import logger
from chalicelib.core.tenancy import TenantContext, tenant_key
from chalicelib.records import access, editing, matching, store

MOVED_AT_MOST = 200  # a customer's chats: a few per line; more are left where they are (and logged)


def contact_merged(ctx: TenantContext, *, survivor_id: str, absorbed_id: str) -> None:
    """Point the absorbed contact's conversations at the survivor (``records.catalog.MERGE_FOLLOWERS``)."""
    pk = tenant_key(ctx, CONVERSATION.space or "", "CF", matching.key_segment("contact"),
                    matching.key_segment(absorbed_id))
    with db.translate_errors():
        ids = [str(row.record_id) for row in ConversationRow.query(pk, limit=MOVED_AT_MOST)]
    for conversation_id in ids:
        for _ in range(3):
            before = access.get_any(ctx, CONVERSATION, conversation_id)
            if before is None or before.contact_id != absorbed_id:
                break
            after = editing.clone(before)
            after.contact_id = survivor_id
            try:
                store.save(ctx, CONVERSATION, before, after, action="contact_merge")
                break
            except errors.VersionConflictError:
                continue  # a message arrived meanwhile: read it again
        else:
            logger.warning("merge: a conversation kept changing and still names the merged contact")
