"""What a warm Lambda remembers for a few seconds: the principal of a token, the integration a hook posts to."""

from __future__ import annotations

import threading
import time
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

    def forget_tenant(self, tenant_id: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[0] == tenant_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
