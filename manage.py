#!/usr/bin/env python
"""Command-line entry point of the portail famille, and the home of its import bootstrap.

Python's standard library owns the module name ``site`` (imported at interpreter start-up),
so ``import site.settings`` would fail. ``use_site_package()`` gives the already-imported
standard ``site`` module a ``__path__`` pointing at this project's ``site/`` folder: the
standard functions keep working and ``site.settings``, ``site.urls``... resolve to our files.

Every entry point goes through this module:
- ``python manage.py ...`` calls it in ``main()``;
- pytest loads this module as a plugin (``-p manage`` in pyproject.toml);
- the WSGI server serves ``manage:application`` (``gunicorn manage:application``);
- an ASGI server serves ``manage:asgi_application`` (``uvicorn manage:asgi_application``), or imports
  ``site.asgi`` after ``import manage``.
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent


def use_site_package() -> None:
    """Make ``site.<submodule>`` import from ``PROJECT_DIR / "site"`` (idempotent)."""
    import site

    folder = str(PROJECT_DIR / "site")
    if folder not in getattr(site, "__path__", []):
        site.__path__ = [folder]
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))


use_site_package()


def __getattr__(name: str):
    # Lazy, so that importing this module (pytest plugin) does not set Django up.
    if name == "application":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.production")
        from site.wsgi import application

        return application
    if name == "asgi_application":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.production")
        from site.asgi import application

        return application
    raise AttributeError(name)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
