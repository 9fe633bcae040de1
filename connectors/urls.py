"""Public URLs of this app (included at the root by site/urls.py, before Wagtail's pages)."""

from django.urls import path

from . import consents_views

urlpatterns: list = [
    path("espace-famille/consentements/", consents_views.family_consents, name="connectors_family_consents"),
    path(
        "espace-famille/consentements/<int:pk>/retirer/",
        consents_views.family_consent_withdraw,
        name="connectors_family_consent_withdraw",
    ),
]
