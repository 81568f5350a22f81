"""What every domain's reverter shares: the refusal, the version check and the shape of audited values.

A reverter (``audit.register_reverter``) receives the audited values a change replaced and writes them
back through its domain's service. These helpers keep the answers alike across domains: 409
``not_revertable`` with a reason when a change cannot be put back, 409 on a stale version.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.core import errors

CUSTOM_PREFIX = "custom."
_SEALED = re.compile(r"v1:[1-9][0-9]{0,8}:[A-Za-z0-9_-]{38,}")  # a core.crypto token


def not_revertable(message: str) -> errors.CRMError:
    """The 409 answer for a change that cannot be put back, with the reason."""
    return errors.ConflictError(message, code="not_revertable")


def expect(current: int, expected: int | None) -> int:
    """The version to write against: the one the revert expects, or (forced) the current one."""
    if expected is not None and expected != current:
        raise errors.VersionConflictError()
    return current


def split_custom(before: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Audited fields apart from custom values (``custom.<key>``), and the custom values by key."""
    fields = {name: value for name, value in before.items() if not name.startswith(CUSTOM_PREFIX)}
    custom = {name.removeprefix(CUSTOM_PREFIX): value for name, value in before.items()
              if name.startswith(CUSTOM_PREFIX)}
    return fields, custom


def refuse_sealed(values: dict[str, Any], what: str) -> None:
    """409 when an audited value is a sealed token: written back it would be taken for clear text."""
    if any(isinstance(value, str) and _SEALED.fullmatch(value) for value in values.values()):
        raise not_revertable(f"This change touched a sensitive {what} value, which the audit trail keeps only "
                             "sealed; set it again by hand.")
