"""Each council's editors manage the redirects of their own site only (home/redirects_admin.py)."""

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from home.pages import ContentPage
from tests.conftest import make_staff, otp_client

from .conftest import publish


def page_of(council, slug):
    page = ContentPage(title=slug.capitalize(), slug=slug)
    council.add_child(instance=page)
    return publish(page)


def test_an_editor_adds_a_redirect_on_their_site_and_never_sees_or_touches_another_councils(
    council_a, council_b, editor_a
):
    site_a, site_b = Site.objects.get(root_page=council_a), Site.objects.get(root_page=council_b)
    cantine_a, cantine_b = page_of(council_a, "cantine"), page_of(council_b, "cantine")
    theirs = Redirect.add_redirect("/ancienne-cantine", redirect_to=cantine_b, site=site_b)
    everywhere = Redirect.add_redirect("/partout", redirect_to="https://example.fr/")
    client = otp_client(editor_a)

    # Only their own site is offered: no "All sites", not the other council's.
    form = client.get("/admin/redirects/add/").content.decode()
    assert site_a.site_name in form and site_b.site_name not in form and "Tous les sites" not in form
    refused = [
        client.post("/admin/redirects/add/", {"old_path": "/a", "site": site_b.pk, "redirect_page": cantine_b.pk}),
        client.post("/admin/redirects/add/", {"old_path": "/b", "site": "", "redirect_page": cantine_a.pk}),
        client.post("/admin/redirects/add/", {"old_path": "/c", "site": site_a.pk, "redirect_page": cantine_b.pk}),
    ]
    assert [r.status_code for r in refused] == [200, 200, 200]
    assert "Choisissez une page du site" in refused[2].content.decode()
    added = client.post(
        "/admin/redirects/add/",
        {"old_path": "/restauration", "site": site_a.pk, "redirect_page": cantine_a.pk, "is_permanent": "on"},
    )
    assert added.status_code == 302
    assert list(Redirect.objects.filter(site=site_a).values_list("old_path", flat=True)) == ["/restauration"]

    listing = client.get("/admin/redirects/").content.decode()
    assert "/restauration" in listing and "/ancienne-cantine" not in listing and "/partout" not in listing
    for other in (theirs, everywhere):
        assert client.get(f"/admin/redirects/{other.pk}/").status_code == 404
        assert client.post(f"/admin/redirects/{other.pk}/delete/").status_code == 404
    assert client.get("/admin/redirects/import/").status_code == 404
    assert Redirect.objects.count() == 3


def test_superusers_keep_every_site_and_the_import(council_a, council_b):
    client = otp_client(make_staff("admin", superuser=True))
    Redirect.add_redirect("/partout", redirect_to="https://example.fr/")
    assert "/partout" in client.get("/admin/redirects/").content.decode()
    assert "Tous les sites" in client.get("/admin/redirects/add/").content.decode()
    assert client.get("/admin/redirects/import/").status_code == 200
