"""Running numbers without gaps or repeats (a company's documents of a type and year, its orders 1, 2, 3 ...).

A counter item holds the last number given. Giving one reads it (a consistent GetItem), takes the next number and
puts the counter back with it in the transaction that writes what is numbered, on the condition of the version it
read: of two writes racing for one number only one transaction commits, and the other reads again and takes the
next (:func:`numbered`). A transaction that fails for any reason writes neither, so a number is never consumed
without what it numbers, and never given twice. Counters are not audited (what they number is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.core import db, errors
from chalicelib.core.tenancy import TenantContext

ATTEMPTS = 5  # numbers taken by others meanwhile, before giving up with 409 (a retry then succeeds)
_T = TypeVar("_T")


def advance(ctx: TenantContext, model: type[Any], pk: str, sk: str, **names: Any) -> tuple[Any, int]:
    """The counter set to the next number (to be saved in the numbered item's transaction) and that number;
    names are the attributes a counter made now is created with."""
    counter = db.get(ctx, model, pk, sk)
    if counter is None:
        counter = model(pk, sk, last=0, **names)
    seq = int(counter.last or 0) + 1
    counter.last = seq
    counter.updated_at = db.utcnow()
    return counter, seq


def last(ctx: TenantContext, model: type[Any], pk: str, sk: str) -> int:
    """The last number a counter gave (0 when none)."""
    counter = db.get(ctx, model, pk, sk)
    return int(counter.last or 0) if counter is not None else 0


def numbered(ctx: TenantContext, model: type[Any], pk: str, sk: str, write: Callable[[Any, int | None], _T], *,
             unnumbered: Callable[[], bool] | None = None, **names: Any) -> _T:
    """Run write(counter, number), which commits the counter with what it numbers, until the number was not taken
    meanwhile (409 ``numbering_busy`` after a few); a conflict that left the counter behind the number is the
    write's own (a stale version, a taken external id) and is raised as it is. (The loser of a race may meet the
    number's unique lookup before the counter: any conflict is judged by the counter.) Before the first number,
    ``unnumbered()`` True (what is there was made before numbers, which a one-off pass gives in order, making the
    counter) runs write(None, None): no number yet."""
    for _ in range(ATTEMPTS):
        counter, seq = advance(ctx, model, pk, sk, **names)
        if counter.version is None and unnumbered is not None and unnumbered():
            return write(None, None)
        try:
            return write(counter, seq)
        except errors.ConflictError:
            if last(ctx, model, pk, sk) < seq:
                raise
    raise errors.ConflictError("Numbers are being given too fast; try again.", code="numbering_busy")
