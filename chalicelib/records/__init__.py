"""The record engine: every record type (contact, company, deal, product ...) runs on it from a declaration.

``types`` holds the declarations (``<domain>/record.py``, listed in ``catalog``); ``access`` reads
and checks scope; ``store`` writes a record with its list rows and audit record in one transaction;
``listing`` and ``search`` make every list and search one Query; ``trash`` soft-deletes, restores and
purges; ``links`` and ``timeline`` write what a record's card shows; ``editing``, ``matching`` and
``schemas`` are the values every type shares; ``reverting`` puts audited changes back.
The engine imports ``core`` (and the platform's ``identity`` and ``customfields`` where a value
needs the tenant's users or definitions), never a record domain.
"""
