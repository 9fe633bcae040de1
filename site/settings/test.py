"""Tests: fast password hashing, emails kept in memory, tasks run immediately."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Local disk whatever the environment says (tests/forms/test_object_storage.py runs the S3 storage).
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media" / "public"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-media" / "private"
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
}
WHITENOISE_AUTOREFRESH = True

# Tests empty the cache between tests; on Redis that empties a whole database, so each parallel test
# worker (pytest-xdist's gw0, gw1...) gets its own: the database of REDIS_URL, then the next ones.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):
    _server, _, _database = REDIS_URL.rpartition("/")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{_server}/{(int(_database or 0) + int(_worker[2:])) % 16}",
        },
        "fragments": FRAGMENTS_CACHE,  # noqa: F405
    }
PORTAIL_DEMO_ALLOWED = True

# SQLite: the test database is a file (in memory when the system offers a memory-backed folder), not
# SQLite's shared in-memory database. The browser journeys' live server answers from several threads, and
# pytest-django hands an in-memory database's one connection to all of them: two requests at once (an
# editor's publish beside the editor's autosave) then fail with "database table is locked". With a file,
# each thread has its own connection and waits its turn (IMMEDIATE transactions, a busy timeout).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _shm = Path("/dev/shm")  # noqa: S108  (a per-process file name, not a shared temporary file)
    _folder = _shm if _shm.is_dir() else Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"] = {"NAME": str(_folder / f"portail-test-{os.getpid()}.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;",
    }
