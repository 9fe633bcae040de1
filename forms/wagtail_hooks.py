"""Admin wiring: the dossiers list for staff (wagtail-modeladmin), limited to their councils."""

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register
from wagtail_modeladmin.views import InspectView

from .display import summary
from .models import Dossier, FormPage
from .rendering import visible_steps
from .selectors import can_see_health_data, dossiers_for_staff


class DossierPermissionHelper(PermissionHelper):
    """Dossiers are read here, never created, edited or deleted; only those of the user's councils."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_inspect_obj(user, obj) and dossiers_for_staff(user=user).filter(pk=obj.pk).exists()


class FormFilter(SimpleListFilter):
    """Filter by form, offering only the forms of the user's councils."""

    title = _("form")
    parameter_name = "form"

    def lookups(self, request, model_admin):
        form_ids = dossiers_for_staff(user=request.user).values_list("form_page_id", flat=True).distinct()
        return [(page.pk, page.title) for page in FormPage.objects.filter(pk__in=form_ids).order_by("title")]

    def queryset(self, request, queryset):
        return queryset.filter(form_page_id=self.value()) if self.value() else queryset


class DossierInspectView(InspectView):
    """A dossier as the family sent it, with its files (downloaded through the checking view) and history."""

    def dispatch(self, request, *args, **kwargs):
        # Guessing the id of another council's dossier gives the same answer as a missing one.
        if not dossiers_for_staff(user=request.user).filter(pk=self.instance.pk).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        dossier = self.instance
        definition = dossier.get_definition()
        health_allowed = can_see_health_data(user=self.request.user)
        show_answers = health_allowed or not dossier.is_health_data
        files = list(dossier.files.all())
        if not health_allowed:
            files = [stored for stored in files if not stored.health]
        steps = []
        if show_answers:
            steps = summary(
                definition,
                dossier.answers,
                steps=visible_steps(definition, dossier.answers, today=dossier.submitted_at.date()),
                file_names={str(stored.uuid): stored.original_name for stored in files},
                file_url=lambda token: reverse("forms:file_download", kwargs={"uuid": token}),
                include_health=health_allowed,
            )
        return super().get_context_data(
            dossier=dossier,
            steps=steps,
            files=files,
            events=dossier.events.select_related("actor"),
            health_hidden=not health_allowed,
            show_answers=show_answers,
            **kwargs,
        )


class DossierAdmin(ModelAdmin):
    model = Dossier
    menu_label = _("Dossiers")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ("reference", "form_page", "family_display", "status", "submitted_at")
    list_filter = (FormFilter, "status", "submitted_at")
    search_fields = ("reference", "family__email", "family__first_name", "family__last_name", "contact_email")
    inspect_view_enabled = True
    inspect_view_class = DossierInspectView
    inspect_template_name = "forms/admin/dossier_inspect.html"
    permission_helper_class = DossierPermissionHelper

    def get_queryset(self, request):
        return dossiers_for_staff(user=request.user)

    def family_display(self, obj):
        if obj.family is None:
            return obj.contact_email
        return obj.family.get_full_name() or obj.family.email

    family_display.short_description = _("family")


modeladmin_register(DossierAdmin)


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
