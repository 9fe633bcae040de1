"""The site's URLs plus the hello-world reference (same server, same middleware)."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse(b"Hello, world", content_type="text/plain")


urlpatterns = [path("__bench__/hello/", hello), path("", include("site.urls"))]
