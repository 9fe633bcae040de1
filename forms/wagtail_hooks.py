"""Admin wiring: the agents' back-office (dossiers, counter filing), the emails' templates per council, and
a guard that keeps forms that received dossiers."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.options import modeladmin_register

from home.admin_scoping import CouncilScopedModelAdmin
from home.procedures import OnlineProcedure

from .backoffice import admin_views, counter_views, desk, qf_check, qf_check_views, staff
from .family.selectors import staff_councils
from .models import Dossier, FormPage, NotificationTemplate


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("dossiers/", desk.DossierIndexView.as_view(), name="forms_dossiers"),
        path("dossiers/resultats/", desk.DossierIndexView.as_view(results_only=True), name="forms_dossiers_results"),
        path("dossiers/export.<str:fmt>", desk.dossiers_export, name="forms_dossiers_export"),
        path("dossiers/filtres/", admin_views.saved_filter_save, name="forms_saved_filter_save"),
        path("dossiers/filtres/<int:pk>/supprimer/", admin_views.saved_filter_delete, name="forms_saved_filter_delete"),
        path("dossiers/<int:pk>/", admin_views.dossier_detail, name="forms_dossier"),
        path("dossiers/<int:pk>/resume.pdf", admin_views.dossier_pdf, name="forms_dossier_pdf"),
        path("dossiers/<int:pk>/<str:action>/", admin_views.dossier_action, name="forms_dossier_action"),
        path("collectivites/", staff.councils_index, name="forms_councils"),
        path("collectivites/<int:council_id>/", staff.council_checklist_view, name="forms_council_checklist"),
        path("collectivites/<int:council_id>/personnel/", staff.council_staff_add_view, name="forms_council_staff_add"),
        path("verification-qf/", qf_check_views.campaigns_index, name="forms_qf_checks"),
        path("verification-qf/<int:pk>/", qf_check_views.campaign_detail, name="forms_qf_check"),
        path("verification-qf/<int:pk>/decider/", qf_check_views.campaign_decide, name="forms_qf_check_decide"),
        path("verification-qf/<int:pk>/reprendre/", qf_check_views.campaign_resume, name="forms_qf_check_resume"),
        path("verification-qf/<int:pk>/export.<str:fmt>", qf_check_views.campaign_export, name="forms_qf_check_export"),
        path("guichet/", counter_views.counter_start, name="forms_counter"),
        path("guichet/<uuid:uuid>/etape/<int:number>/", counter_views.counter_step, name="forms_counter_step"),
        path("guichet/<uuid:uuid>/envoyer/", counter_views.counter_submit, name="forms_counter_submit"),
    ]


hooks.register("register_bulk_action", desk.AssignBulkAction)
hooks.register("register_bulk_action", desk.ExportBulkAction)


class DossiersMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("forms.view_dossier") and staff_councils(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_dossiers_menu_item():
    return DossiersMenuItem(_("Dossiers"), reverse("forms_dossiers"), icon_name="folder-open-inverse", order=240)


class QFCheckMenuItem(MenuItem):
    def is_shown(self, request):
        return qf_check.qf_check_councils(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_qf_check_menu_item():
    return QFCheckMenuItem(_("QF check"), reverse("forms_qf_checks"), icon_name="tasks", order=245)


class CouncilsMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.councils_administered(user=request.user).exists()


@hooks.register("register_settings_menu_item")
def register_councils_menu_item():
    return CouncilsMenuItem(_("Councils: staff and checklist"), reverse("forms_councils"), icon_name="group", order=910)


class NotificationTemplateForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "council" in self.fields and self.for_user is not None:
            self.fields["council"].queryset = staff_councils(user=self.for_user)


class NotificationTemplateAdmin(CouncilScopedModelAdmin):
    """The emails' texts per council and event (defaults apply where a council has none)."""

    model = NotificationTemplate
    menu_label = _("Email templates")
    menu_icon = "mail"
    menu_order = 260
    add_to_settings_menu = True
    list_display = ("council", "event", "subject")
    list_filter = ("event",)
    edit_handler = ObjectList(
        [FieldPanel("council"), FieldPanel("event"), FieldPanel("subject"), FieldPanel("body")],
        base_form_class=NotificationTemplateForm,
    )

    def councils_for(self, user):
        return staff_councils(user=user)


modeladmin_register(NotificationTemplateAdmin)


@hooks.register("before_delete_page")
def keep_forms_that_have_dossiers(request, page):
    """A form that received dossiers is a record: unpublish it instead of deleting it."""
    forms_below = FormPage.objects.descendant_of(page, inclusive=True)
    if Dossier.objects.filter(form_page__in=forms_below).exists():
        messages.error(
            request,
            _("This page cannot be deleted: families have sent dossiers through it. Unpublish it instead."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("home_councils_for_user")
def councils_of_agents(user):
    """Agents, agents with health access and billing staff work for their council too (rules registers...)."""
    return staff_councils(user=user)


@hooks.register("home_online_procedures")
def online_procedures(council, now):
    """The council's published forms not yet closed, for the home page's "Démarches en ligne" (see
    ``home.procedures``)."""
    pages = (
        FormPage.objects.live()
        .public()
        .descendant_of(council)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("path")
    )
    site = council.get_site()
    return [
        OnlineProcedure(
            title=page.title,
            url=page.get_url(current_site=site),
            opens_at=page.opens_at,
            closes_at=page.closes_at,
            summary=page.search_description,
        )
        for page in pages
    ]
