"""The site's URLs plus the references served by the same server, through the same middleware:
hello-world, and the floors of an authenticated page and of an authenticated write."""

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path


def hello(request):
    return HttpResponse(b"Hello, world", content_type="text/plain")


PAGE_SIZE = 11_700  # about the size of the step page measured


def floor_page(request):
    """What any family page costs before its own work: the session, the family's account, one query
    for its draft, and a page of that size. No page can be served faster with the same guarantees."""
    from forms.models import Draft

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    Draft.objects.filter(user=request.user).first()
    return HttpResponse(b"x" * PAGE_SIZE)


def floor_write(request):
    """The floor of a family's write: the session, the account, one row saved in a transaction, then a
    redirect (what a submit costs before its validation, evidence, history and email)."""
    from django.db import transaction
    from wagtail.contrib.forms.models import FormSubmission

    from .refapp.models import BareFormPage

    if request.method != "POST" or not request.user.is_authenticated:
        return HttpResponse(status=403)
    with transaction.atomic():
        FormSubmission.objects.create(page_id=BareFormPage.objects.values_list("pk", flat=True)[:1][0], form_data={})
    return HttpResponseRedirect("/__bench__/hello/")


urlpatterns = [
    path("__bench__/hello/", hello),
    path("__bench__/floor/page/", floor_page),
    path("__bench__/floor/write/", floor_write),
    path("", include("site.urls")),
]
