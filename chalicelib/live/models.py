"""Live-update items: single-use tickets, open connections and the lookup a disconnect needs.

A connection lives under its tenant and user (``T#<tid>#LIVE#<user>`` / ``<connection id>``), so a push
reads the connections of the users it targets with one Query each, inside the caller's tenant. API
Gateway's ``$disconnect`` names only the connection, hence the global lookup ``G#live#<connection id>``.
Tickets are keyed by the SHA-256 of the ticket (``G#live-ticket#<digest>``), never the ticket itself.
Every item carries ``expires_at`` (TTL); since moto never expires items, readers skip expired ones.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.db import MainTable


class LiveTicket(MainTable, discriminator="live_ticket"):
    """A ticket to open one socket: pk ``G#live-ticket#<sha256 of the ticket>``, sk ``TICKET``; 60 s."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class LiveConnection(MainTable, discriminator="live_connection"):
    """An open socket of a user: pk ``T#<tid>#LIVE#<user>``, sk ``<connection id>``; 2 h at most."""

    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    connected_at = UTCDateTimeAttribute()


class LiveConnectionLookup(MainTable, discriminator="live_connection_lookup"):
    """Whose a connection is: pk ``G#live#<connection id>``, sk ``CONNECTION``."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
