"""Unknown webhook keys, counted per sender: a sender past the allowance is refused before any lookup.

A sender is the source address as API Gateway saw it, named in keys by its HMAC under the stage's hook key:
an address is personal data, and a plain hash of the 2^32 IPv4 addresses is reversed in seconds. Only a
miss is counted (one UpdateItem), so a post with a valid key costs nothing more; a sender past the allowance
is remembered by this warm Lambda until its window ends and refused with no request at all (another Lambda
learns it at that sender's next miss).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from chalicelib.core import db, errors
from chalicelib.core.tenancy import global_key
from chalicelib.integrations.models import HookMisses

MISS_WINDOW_SECONDS = 900
MISSES_ALLOWED = 20  # unknown keys per sender and window: a mistyped URL is tried a few times, a scan thousands
BLOCKED_KEPT = 4096
_blocked: OrderedDict[str, float] = OrderedDict()  # sender -> refused until (epoch seconds)
_lock = threading.Lock()


def sender(source_ip: str | None) -> str | None:
    """The HMAC naming a source address in keys (None when the address is unknown)."""
    if not source_ip:
        return None
    from chalicelib.core import secrets

    return hmac.new(secrets.hook_key(), b"sender:" + source_ip.encode(), hashlib.sha256).hexdigest()[:32]


def _refusal(until: float) -> errors.CRMError:
    return errors.RateLimitedError("Too many posts to unknown webhook addresses; try again later.",
                                   code="too_many_unknown_keys", retry_after=max(int(until - time.time()), 1))


def refuse_if_blocked(source_ip: str | None) -> None:
    """429 for a sender this Lambda knows is past its allowance of unknown keys."""
    name = sender(source_ip)
    with _lock:
        until = _blocked.get(name or "")
    if until is not None and until > time.time():
        raise _refusal(until)


def count_miss(source_ip: str | None) -> None:
    """Count an unknown key against its sender (one UpdateItem); 429 once past the allowance."""
    name = sender(source_ip)
    if name is None:
        return
    now = time.time()
    window = int(now) // MISS_WINDOW_SECONDS
    counter = HookMisses(global_key("hookmiss", name), str(window))
    with db.translate_errors():
        counter.update(actions=[HookMisses.misses.add(1), HookMisses.kind.set(HookMisses),
                                HookMisses.expires_at.set(db.utcnow() + timedelta(seconds=2 * MISS_WINDOW_SECONDS))])
    if int(counter.misses) <= MISSES_ALLOWED:
        return
    until = float((window + 1) * MISS_WINDOW_SECONDS)
    with _lock:
        _blocked[name] = until
        _blocked.move_to_end(name)
        while len(_blocked) > BLOCKED_KEPT:
            _blocked.popitem(last=False)
    raise _refusal(until)


def forget() -> None:
    """Forget every sender this Lambda refuses (tests)."""
    with _lock:
        _blocked.clear()
