"""ASGI entry point. Serve it as ``uvicorn manage:asgi_application`` (see manage.py for why)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.production")

application = get_asgi_application()
