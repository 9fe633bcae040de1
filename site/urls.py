"""URLs: the admin (behind OTP), family accounts, each app's views, then Wagtail's page tree."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import otp

urlpatterns = [
    path("admin/otp/", include(otp.urlpatterns)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("compte/", include("allauth.urls")),
    path("", include("home.urls")),
    path("", include("connectors.urls")),
    path("", include("forms.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
