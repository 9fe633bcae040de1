"""One guard for every admin view of a council's objects: staff of one council never reach another
council's objects (listings, edit, delete, inspect, history, registers), even by typing their URLs, and the
Site history report shows them only their councils' objects.

An object belongs to a council when its model has a ``council`` foreign key to ``CouncilHomePage``.
``works_for_council`` is the one test; ``CouncilScopedModelAdmin`` applies it to a wagtail-modeladmin
(listing and instance views), ``councils_for`` saying which councils a staff member works for there.
"""

from collections.abc import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import ModelLogEntry
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import DeleteView, EditView, HistoryView, InspectView

from .models import CouncilHomePage
from .selectors import councils_for_user


def works_for_council(
    user, council_id: int | None, *, councils_for: Callable[[object], QuerySet] = councils_for_user
) -> bool:
    """Whether ``user`` is staff of the council ``council_id`` (among ``councils_for(user)``: by default the
    councils whose pages the user edits, and those other apps add through ``home_councils_for_user``)."""
    return council_id is not None and councils_for(user).filter(pk=council_id).exists()


class CouncilScopedInstanceMixin:
    """For the instance views of wagtail-modeladmin: 404 unless the instance is one of the user's councils'
    (those of its ``model_admin.councils_for``)."""

    def dispatch(self, request, *args, **kwargs):
        if not works_for_council(request.user, self.instance.council_id, councils_for=self.model_admin.councils_for):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedEditView(CouncilScopedInstanceMixin, EditView):
    pass


class ScopedDeleteView(CouncilScopedInstanceMixin, DeleteView):
    pass


class ScopedInspectView(CouncilScopedInstanceMixin, InspectView):
    pass


class ScopedHistoryView(CouncilScopedInstanceMixin, HistoryView):
    pass


class CouncilScopedModelAdmin(ModelAdmin):
    """A wagtail-modeladmin of a model with a ``council``: its listing and its instance views show only the
    objects of the councils the user works for (``councils_for``, to override: e.g. agents' councils)."""

    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView

    def councils_for(self, user) -> QuerySet[CouncilHomePage]:
        return councils_for_user(user)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(council__in=self.councils_for(request.user))


def council_scoped_models() -> list:
    """Every model whose rows belong to one council (a ``council`` foreign key to CouncilHomePage)."""
    scoped = []
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "council"), None)
        if field is not None and field.is_relation and field.related_model is CouncilHomePage:
            scoped.append(model)
    return scoped


def other_councils_log_entries(user) -> Q:
    """Log entries about objects of councils ``user`` does not work for (to exclude from ModelLogEntry)."""
    mine = councils_for_user(user)
    condition = Q(pk__in=[])
    for model in council_scoped_models():
        own_ids = model.objects.filter(council__in=mine).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        types = {ContentType.objects.get_for_model(model, for_concrete_model=flag) for flag in (True, False)}
        condition |= Q(content_type__in=types) & ~Q(object_id__in=own_ids)
    return condition


class CouncilScopedLogEntriesView(LogEntriesView):
    """Wagtail's Site history report, without the other councils' objects (pages are already filtered by
    Wagtail through page permissions; model objects only by model permissions)."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if queryset.model is ModelLogEntry and not self.request.user.is_superuser:
            queryset = queryset.exclude(other_councils_log_entries(self.request.user))
        return queryset
