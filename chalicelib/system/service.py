"""Health of the app's dependencies."""

from __future__ import annotations

from chalicelib.core import errors
from chalicelib.core.config import settings
from chalicelib.core.db import MainTable, translate_errors

HEALTH_KEY = "G#health#probe"


def check_table() -> str:
    """Read one global key to prove the table answers; 503 when it does not."""
    try:
        with translate_errors():
            MainTable.get(HEALTH_KEY, HEALTH_KEY)
    except MainTable.DoesNotExist:
        pass
    except errors.CRMError:
        raise
    except Exception as exc:
        raise errors.ServiceUnavailableError("The database is not reachable.") from exc
    return settings.table_name
