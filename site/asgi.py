"""ASGI entry point, for servers that speak ASGI. Import ``manage`` first (see manage.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.production")

application = get_asgi_application()
