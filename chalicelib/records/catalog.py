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
)
