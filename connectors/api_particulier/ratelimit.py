"""Client-side rate limiting: a fixed one-second window per key, over a shared counter store; and the
bans upstream asks for with ``429 Retry-After``, remembered per token in a shared store.

API Particulier allows 20 requests/s per token and bans the IP for 12 hours when 429s are ignored, so the
portal stays under the limit itself. The counter store is injected: in memory for one process (tests,
scripts), Django's cache (Redis when ``REDIS_URL`` is set) to share the budget between processes.
"""

import threading
import time
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    def acquire(self, key: str) -> float:
        """Take one call for ``key``: 0 when it may go now, else the seconds to wait before asking again."""


class CounterStore(Protocol):
    def incr(self, key: str, ttl: int) -> int:
        """Add one to ``key`` (created at 0 with a lifetime of ``ttl`` seconds) and return the new value."""


class MemoryCounterStore:
    """Counters in this process's memory (thread-safe); old windows are dropped as time passes."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, ttl: int) -> int:
        with self._lock:
            if len(self._counts) > 1000:
                self._counts.clear()
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]


class WindowRateLimiter:
    """At most ``limit`` calls per key in each ``window`` seconds of wall-clock time.

    Wall-clock (not monotonic) time, so that every process agrees on which window is current.
    """

    def __init__(
        self,
        *,
        limit: int = 19,
        window: float = 1.0,
        store: CounterStore | None = None,
        clock: Callable[[], float] = time.time,
        prefix: str = "apiparticulier:rl",
    ) -> None:
        self.limit = limit
        self.window = window
        self.store = store or MemoryCounterStore()
        self.clock = clock
        self.prefix = prefix

    def acquire(self, key: str) -> float:
        now = self.clock()
        index = int(now // self.window)
        count = self.store.incr(f"{self.prefix}:{key}:{index}", ttl=int(self.window) + 2)
        if count <= self.limit:
            return 0.0
        return max((index + 1) * self.window - now, 0.001)


class BanStore(Protocol):
    """Until when each token must not call upstream (after a 429 with Retry-After), shared by processes."""

    def banned_until(self, key: str) -> float | None:
        """The wall-clock time until which ``key`` is banned, or None."""

    def ban(self, key: str, until: float, *, now: float) -> None:
        """Remember that ``key`` may not call before ``until`` (a later ban wins)."""


class MemoryBanStore:
    """Bans in this process's memory (tests, scripts)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def banned_until(self, key: str) -> float | None:
        with self._lock:
            return self._until.get(key)

    def ban(self, key: str, until: float, *, now: float) -> None:
        with self._lock:
            self._until[key] = max(until, self._until.get(key, 0.0))
