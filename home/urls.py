"""Public URLs of this app (included at the root by site/urls.py, before Wagtail's pages)."""

from django.urls import path

from . import views

app_name = "home"
urlpatterns: list = [
    path("reglements/recus/<uuid:reference>/", views.rules_receipt, name="rules_receipt"),
]
