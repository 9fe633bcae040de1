"""Admin wiring of the ``home`` app: the rules acceptance registers, reachable by each council's staff."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .models import RulesAcceptance, RulesPage, RulesVersion
from .selectors import councils_for_user


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("reglements/", admin_views.registers_index, name="home_rules_registers"),
        path("reglements/<int:page_id>/", admin_views.register, name="home_rules_register"),
        path("reglements/<int:page_id>/registre.csv", admin_views.register_csv, name="home_rules_register_csv"),
        path("reglements/recus/<uuid:reference>/", admin_views.receipt, name="home_rules_receipt_admin"),
        path("collectivites/nouvelle/", admin_views.council_site_new, name="home_council_site_new"),
    ]


class CouncilStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return councils_for_user(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_rules_menu_item():
    return CouncilStaffMenuItem(
        _("Rules acceptances"), reverse("home_rules_registers"), icon_name="doc-full", order=250
    )


@hooks.register("before_delete_page")
def keep_rules_with_published_versions(request, page):
    """Rules with published versions are evidence that families accepted: unpublish them, never delete."""
    if isinstance(page.specific, RulesPage) and RulesVersion.objects.filter(rules_page_id=page.pk).exists():
        messages.error(
            request,
            _(
                "These rules have published versions that families may have accepted: they are kept as evidence. "
                "Unpublish the page instead of deleting it."
            ),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_delete_user")
def keep_accounts_that_hold_evidence(request, user):
    """An account that accepted rules is named in evidence that must be kept: it cannot be deleted (the
    database refuses it); say why, and how to close it instead, rather than fail."""
    if RulesAcceptance.objects.filter(user=user).exists():
        messages.error(
            request,
            _(
                "This account cannot be deleted: it accepted internal rules, and those acceptances are kept as "
                "evidence. To close the account, untick “Active” instead: it will no longer be able to log in."
            ),
        )
        return redirect("wagtailusers_users:edit", user.pk)
    return None


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_council_site_menu_item():
    return SuperuserMenuItem(_("New council site"), reverse("home_council_site_new"), icon_name="site", order=900)
