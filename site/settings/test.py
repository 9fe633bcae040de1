"""Tests: fast password hashing, emails kept in memory, tasks run immediately."""

import os

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
        }
    }
PORTAIL_DEMO_ALLOWED = True
