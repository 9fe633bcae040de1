"""Settings of the benchmark server: the production settings, plus the two references.

Served by gunicorn exactly like production (``manage:application``), with ``DJANGO_SETTINGS_MODULE`` set to
this module: it adds the bare Wagtail form page (``bench.refapp``) and a hello-world view (``bench.urls``).
"""

import manage  # noqa: F401  (makes the folder site/ importable as the package ``site``)
from site.settings.production import *  # noqa: F403
from site.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.contrib.forms", "bench.refapp"]
ROOT_URLCONF = "bench.urls"
# No SMTP server on the bench machine: confirmation emails are built, then kept in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
