"""Admin wiring of the ``home`` app: the rules acceptance registers, reachable by each council's staff."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .selectors import councils_for_user


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("reglements/", admin_views.registers_index, name="home_rules_registers"),
        path("reglements/<int:page_id>/", admin_views.register, name="home_rules_register"),
        path("reglements/<int:page_id>/registre.csv", admin_views.register_csv, name="home_rules_register_csv"),
        path("reglements/recus/<uuid:reference>/", admin_views.receipt, name="home_rules_receipt_admin"),
    ]


class CouncilStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return councils_for_user(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_rules_menu_item():
    return CouncilStaffMenuItem(
        _("Rules acceptances"), reverse("home_rules_registers"), icon_name="doc-full", order=250
    )
