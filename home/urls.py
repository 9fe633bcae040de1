"""Public URLs of this app (included at the root by site/urls.py, before Wagtail's pages)."""

from django.urls import path

from . import views

app_name = "home"
urlpatterns: list = [
    path("recherche/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("reglements/recus/<uuid:reference>/", views.rules_receipt, name="rules_receipt"),
    path("api/tarifs/<id:decree_id>/", views.tariff_grid_api, name="tariff_grid_api"),
    path("api/tarifs/<id:decree_id>/quote", views.tariff_quote_api, name="tariff_quote_api"),
]
