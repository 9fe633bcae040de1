"""Builds API Particulier clients from a habilitation and the settings, with a rate limit and the bans
upstream asks for (429 Retry-After) shared by all processes through Django's cache (Redis when
``REDIS_URL`` is set, per-process memory otherwise).
"""

import time

from django.conf import settings
from django.core.cache import cache

from .api_particulier.client import ApiParticulierClient
from .api_particulier.ratelimit import WindowRateLimiter

# Injectable for tests (Retry-After and rate-limit waits must never really sleep there).
sleep = time.sleep
clock = time.time
transport = None


class CacheCounterStore:
    """Counters in Django's cache: atomic ``incr`` on Redis, so every process shares each token's budget."""

    def incr(self, key: str, ttl: int) -> int:
        cache.add(key, 0, timeout=ttl)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=ttl)
            return 1


class CacheBanStore:
    """Each token's ban in Django's cache, until it ends: every process refuses to call until then."""

    prefix = "apiparticulier:ban"

    def banned_until(self, key: str) -> float | None:
        return cache.get(f"{self.prefix}:{key}")

    def ban(self, key: str, until: float, *, now: float) -> None:
        current = cache.get(f"{self.prefix}:{key}") or 0.0
        until = max(until, current)
        cache.set(f"{self.prefix}:{key}", until, timeout=max(int(until - now) + 1, 1))


def rate_limiter() -> WindowRateLimiter:
    return WindowRateLimiter(
        limit=settings.API_PARTICULIER_RATE_LIMIT, store=CacheCounterStore(), clock=lambda: clock()
    )


def client_for(habilitation, *, token: str | None = None) -> ApiParticulierClient:
    """A client for this habilitation (its token and recipient SIRET) configured from the settings."""
    return ApiParticulierClient(
        token=habilitation.get_token() if token is None else token,
        recipient=habilitation.recipient,
        base_url=settings.API_PARTICULIER_BASE_URL,
        timeout=settings.API_PARTICULIER_TIMEOUT,
        rate_limiter=rate_limiter(),
        max_retries=settings.API_PARTICULIER_MAX_RETRIES,
        max_wait=settings.API_PARTICULIER_MAX_WAIT,
        deadline=settings.API_PARTICULIER_DEADLINE,
        max_reply_bytes=settings.API_PARTICULIER_MAX_REPLY_BYTES,
        bans=CacheBanStore(),
        sleep=lambda seconds: sleep(seconds),
        clock=lambda: clock(),
        transport=transport,
    )
