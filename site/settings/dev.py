"""Development: the embedded default (SQLite, local-memory cache, emails on the console)."""

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost")
INTERNAL_IPS = ["127.0.0.1"]
PORTAIL_DEMO_ALLOWED = True
