"""URLs: the admin (behind OTP), family accounts, each app's views, then Wagtail's page tree."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import redirects_admin, routing
from home.admin_scoping import CouncilScopedLogEntriesView

from . import otp

# The 500 page in the council's theme (site/errors.py); the 404 is Django's, rendering the themed 404.html.
handler500 = "site.errors.server_error"

urlpatterns = [
    path("admin/otp/", include(otp.urlpatterns)),
    # Wagtail's Site history report, shadowed by one that hides the other councils' objects.
    path("admin/reports/site-history/", require_admin_access(CouncilScopedLogEntriesView.as_view())),
    path(
        "admin/reports/site-history/results/",
        require_admin_access(CouncilScopedLogEntriesView.as_view(results_only=True)),
    ),
    # Wagtail's redirects, shadowed by views that keep each council's editors to their own sites.
    path("admin/redirects/", include((redirects_admin.urlpatterns, "council_redirects"))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("compte/", include("allauth.urls")),
    path("", include("home.urls")),
    path("", include("connectors.urls")),
    path("", include("forms.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree last, its serve view replaced by the one that remembers routes (home/routing.py).
urlpatterns.append(
    path(
        "",
        include(
            [
                re_path(pattern.pattern.regex.pattern, routing.serve, name="wagtail_serve")
                if pattern.name == "wagtail_serve"
                else pattern
                for pattern in wagtail_urls.urlpatterns
            ]
        ),
    )
)
