"""The Django project of the portail famille: settings, urls, wsgi/asgi, base templates, theme, OTP policy.

Imported as ``site`` through ``manage.use_site_package()`` (the standard library owns that name).
"""
