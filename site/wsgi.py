"""WSGI entry point. Serve it as ``gunicorn manage:application`` (see manage.py for why)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.production")

application = get_wsgi_application()
