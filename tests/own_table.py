"""A test module's own table: the stage's table, new and empty for the module, the session's table back after it.

Every module runs inside ``own_table()`` (``table_of_the_module`` in tests/conftest.py). Before, the workers
shared one embedded table per process, so it held every earlier module's items (25,000 once the
5,000-recipient campaign had run), and whatever compares or scans the whole table (the fault suites'
before/after snapshots, tests/tenantdata/table.py, the plaintext hunt of tests/security) paid for everything
that ran before it in the same worker: tests/faults/test_write_faults.py took 9 s alone and 64 s after the
campaign file. Inside, the stage's table name points at a new table made exactly as the session made its one
(``db.create_tables``: the same keys and indexes, no stream), so those comparisons still cover every item
the module writes, and the module sees no other module's tenants, timers or queues. The session's moto
table is put back when the module ends and the module's items are dropped with its table.

Nothing is shared between modules through the table: every module makes its own tenants and records
(module-scoped fixtures are set up inside, after this one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chalicelib.core.config import settings


@contextmanager
def own_table() -> Iterator[None]:
    """While inside, the stage's table is a new, empty one; the session's table (and its items) after it."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.core import db

    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables
    session_table = tables.pop(settings.table_name)
    try:
        db.create_tables()
        yield
    finally:
        tables[settings.table_name] = session_table
