"""Public URLs of this app (included at the root by site/urls.py, before Wagtail's pages)."""

urlpatterns: list = []
