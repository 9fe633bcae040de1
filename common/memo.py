"""Values remembered per *pages version*: built once per process, forgotten in every process at once when
the page tree changes.

The pages version is a token kept in the shared cache (Redis with several app servers) and replaced by
``pages_changed`` whenever something that pages show or route by changes (``home`` connects it to
Wagtail's signals). Every process keeps what it remembered only while the token it read is current, so a
page published on one server shows at once on the others. Within a request that pins the version
(``pinned_pages_version``), the shared cache is read once.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "home:pages-version"
MAX_REMEMBERED = 60_000  # entries: far more than a portal's pages and hosts; a bound whatever hosts ask

_lock = threading.Lock()
_pinned: ContextVar[str | None] = ContextVar("pages_version", default=None)
_MISSING = object()
_memory: dict[str, Any] = {"version": None, "entries": {}}


def pages_version() -> str:
    """The current pages version (read from the shared cache once per pinned request)."""
    version = _pinned.get()
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    return version


@contextmanager
def pinned_pages_version() -> Iterator[str]:
    """Read the pages version once for the work inside (a request): everything it remembers or reads
    belongs to that one version."""
    token = _pinned.set(pages_version())
    try:
        yield _pinned.get()
    finally:
        _pinned.reset(token)


def pages_changed(**kwargs) -> None:
    """Forget everything remembered, in every process (a signal receiver): at once, and again when the
    change is committed, so that nothing read from the database in between is kept."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    if _pinned.get() is not None:
        _pinned.set(version)


def _entries(version: str) -> dict:
    with _lock:
        if _memory["version"] != version or len(_memory["entries"]) > MAX_REMEMBERED:
            _memory.update(version=version, entries={})
        return _memory["entries"]


def recall(kind: str, key) -> Any | None:
    """What was remembered under ``(kind, key)`` for the current pages version, or None."""
    return _entries(pages_version()).get((kind, key))


def remember(kind: str, key, value) -> None:
    """Keep ``value`` under ``(kind, key)`` until the pages version changes."""
    entries = _entries(pages_version())
    with _lock:
        entries[(kind, key)] = value


def remembered(kind: str, key, build: Callable[[], Any]) -> Any:
    """A value that depends only on the page tree (e.g. the council of a page), built once per pages
    version in this process. Callers must not change what they get."""
    entries = _entries(pages_version())
    value = entries.get((kind, key), _MISSING)
    if value is _MISSING:
        value = build()
        with _lock:
            entries[(kind, key)] = value
    return value


def remembered_count() -> int:
    """How many values this process remembers (bounded by ``MAX_REMEMBERED``)."""
    return len(_memory["entries"])
