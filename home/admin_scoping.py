"""One guard for every admin view of a council's objects: staff of one council never reach another
council's objects (edit, delete, inspect, history), even by typing their URLs, and the Site history report
shows them only their councils' objects.

An object belongs to a council when its model has a ``council`` foreign key to ``CouncilHomePage``.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import ModelLogEntry

from .models import CouncilHomePage
from .selectors import councils_for_user


class CouncilScopedInstanceMixin:
    """For the instance views of wagtail-modeladmin: 404 unless the instance is one of the user's councils'.

    ``councils_for`` may be overridden (e.g. agents' councils only)."""

    def councils_for(self, user) -> QuerySet[CouncilHomePage]:
        return councils_for_user(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.councils_for(request.user).filter(pk=self.instance.council_id).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


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
