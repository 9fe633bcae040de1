"""Wagtail's redirects, managed by each council's editors for their own site only.

Wagtail's redirect views list and edit every site's redirects, and offer "All sites". These subclasses (served
at the same admin addresses, see site/urls.py) show an editor only the redirects of their councils' sites and
make them choose one of those sites, with a target page in the same council. Superusers keep Wagtail's views.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.redirects import views
from wagtail.contrib.redirects.forms import RedirectForm
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from .selectors import councils_for_user


def sites_for_user(user):
    """The Wagtail sites of the councils ``user`` works for."""
    return Site.objects.filter(root_page__in=councils_for_user(user))


def redirects_for_user(user):
    """Every redirect for superusers; otherwise those of the user's councils' sites."""
    redirects = Redirect.objects.all()
    return redirects if user.is_superuser else redirects.filter(site__in=sites_for_user(user))


class CouncilRedirectForm(RedirectForm):
    """Wagtail's redirect form; for a council's editor, one of their sites (not "All sites") and a target
    page of the same council."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and not self.for_user.is_superuser:
            self.fields["site"].queryset = sites_for_user(self.for_user)
            self.fields["site"].required = True
            self.fields["site"].empty_label = None

    def clean(self):
        super().clean()
        cleaned_data = self.cleaned_data
        site, page = cleaned_data.get("site"), cleaned_data.get("redirect_page")
        if site is not None and page is not None and not page.path.startswith(site.root_page.path):
            raise ValidationError({"redirect_page": _("Choose a page of the site the old address belongs to.")})
        return cleaned_data


class IndexView(views.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=redirects_for_user(self.request.user))


class CreateView(views.CreateView):
    form_class = CouncilRedirectForm


class EditView(views.EditView):
    form_class = CouncilRedirectForm

    def get_queryset(self):
        return redirects_for_user(self.request.user)


class DeleteView(views.DeleteView):
    def get_queryset(self):
        return redirects_for_user(self.request.user)


def superusers_only(view):
    """The redirects import (whose file may name any site): for superusers; a 404 for council editors."""

    def guarded(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


# The addresses of Wagtail's own redirect views (wagtail/contrib/redirects/urls.py), served first.
urlpatterns = [
    path("", require_admin_access(IndexView.as_view()), name="index"),
    path("results/", require_admin_access(IndexView.as_view(results_only=True)), name="index_results"),
    path("add/", require_admin_access(CreateView.as_view()), name="add"),
    path("<int:redirect_id>/", require_admin_access(EditView.as_view()), name="edit"),
    path("<int:redirect_id>/delete/", require_admin_access(DeleteView.as_view()), name="delete"),
    path("import/", require_admin_access(superusers_only(views.start_import)), name="start_import"),
    path("import/process/", require_admin_access(superusers_only(views.process_import)), name="process_import"),
]
