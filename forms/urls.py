"""Public URLs of this app (included at the root by site/urls.py, before Wagtail's pages).

The form pages' own routes (steps, check your answers...) hang under each page (``FormPage``'s routes).
"""

from django.urls import path

from .family import household_views, views

app_name = "forms"
urlpatterns = [
    path("espace-famille/", views.family_space, name="family_space"),
    path("espace-famille/dossiers/<uuid:uuid>/", views.family_dossier, name="family_dossier"),
    path("espace-famille/renouveler/<id:page_id>/", views.family_renew, name="family_renew"),
    path("espace-famille/brouillons/<uuid:uuid>/supprimer/", views.family_draft_delete, name="family_draft_delete"),
    path("espace-famille/foyer/inviter/", household_views.household_invite_view, name="household_invite"),
    path("espace-famille/foyer/rejoindre/<uuid:token>/", household_views.household_join, name="household_join"),
    path("fichiers/<uuid:uuid>/", views.file_download, name="file_download"),
]
