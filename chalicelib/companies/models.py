"""Company items: the company, its list rows, the links in its collection.

- ``T#<tid>#CO#<id>`` / ``#PROFILE``: the company; then links ``CONTACT#<id>`` (written with the
  contact, see ``contacts.derived``), ``DEAL#<id>`` and ``TASK#<id>``; then timeline entries ``TL#...``: the
  company card is one Query.
- ``T#<tid>#COX#...``: list rows (see ``contacts.listing``, shared with contacts).
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    UnicodeAttribute,
)

from chalicelib.records.models import LinkItem, ListRow, Record


class Company(Record, discriminator="company"):
    """An organisation the business deals with; contacts work there."""

    # A company's name is personal data too: a sole trader trades under their own name.
    personal = Record.personal | frozenset({"name", "phones", "emails", "website", "address", "tax_number",
                                           "kpp", "registration_number"})

    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phones = JSONAttribute(default=list)  # [{"number": E.164, "kind": ...}]
    emails = JSONAttribute(default=list)  # [{"address": lower-case, "kind": ...}]
    website = UnicodeAttribute(null=True)
    industry = UnicodeAttribute(null=True)
    address = JSONAttribute(null=True)
    tax_number = UnicodeAttribute(null=True)  # its VAT ID ("DE312345678"), INN in Russia: its invoices name it
    kpp = UnicodeAttribute(null=True)  # a Russian company's КПП, printed beside its INN on Russian documents
    registration_number = UnicodeAttribute(null=True)  # its ОГРН / ОГРНИП, or another country's company number

class CompanyRow(ListRow, discriminator="company_row"):
    """What a list shows of a company, under each partition it is listed in."""

    personal = ListRow.personal | frozenset({"name", "phone", "email", "website"})

    name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    industry = UnicodeAttribute(null=True)


class CompanyLink(LinkItem, discriminator="company_link"):
    """A contact, deal or task in the company's collection (``link_kind``), with what the card shows of it."""
