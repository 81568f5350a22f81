"""What a warm Lambda remembers for a few seconds: the principal of a token, the integration a hook posts to."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class WarmCache:
    """Values remembered for a few seconds per warm Lambda, keyed by tuples whose first part is the tenant id.

    Its user forgets a tenant's entries when this process commits a change to what they were read from
    (``db.on_commit``), so a change takes effect at once in the Lambda that made it and within ``seconds``
    elsewhere (docs/ARCHITECTURE.md, "A principal cache")."""

    def __init__(self, seconds: float, size: int = 2048, clock: Any = time.monotonic) -> None:
        self.seconds, self.size, self.clock = seconds, size, clock
        self._entries: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()
        # Forgets counted per tenant (and for all at once): a value read before a forget is never kept after it
        self._forgets: dict[str, int] = {}
        self._clears = 0

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= self.clock():
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (self.clock() + self.seconds, value)

    def remember(self, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
        """The value remembered for key, or load()'s, kept unless the tenant was forgotten while it loaded: a
        request that read the company just before another request's commit would otherwise keep the old company
        for the cache's seconds after the commit forgot it (a saved setting showed unsaved on the next page)."""
        found = self.get(key)
        if found is not None:
            return found
        since = self._stamp(key[0])
        value = load()
        if value is not None and self._stamp(key[0]) == since:
            self.put(key, value)
        return value

    def _stamp(self, tenant_id: Any) -> tuple[int, int]:
        with self._lock:
            return self._clears, self._forgets.get(tenant_id, 0)

    def forget_tenant(self, tenant_id: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[0] == tenant_id]:
                del self._entries[key]
            if len(self._forgets) >= self.size:  # the counts stay small; dropping them all counts as a clear
                self._forgets.clear()
                self._clears += 1
            self._forgets[tenant_id] = self._forgets.get(tenant_id, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._clears += 1
