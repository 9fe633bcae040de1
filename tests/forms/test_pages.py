"""Pages around the forms: Wagtail preview, the family account pages in French, the staff list filters."""

from django.test import Client, RequestFactory

from tests.conftest import make_staff, otp_client

from .conftest import family_client, field, make_agent, make_form, step, step_url, when


def test_preview_shows_every_step_empty(council_a):
    page = make_form(
        council_a,
        step("Un", field("short_text", "nom", "Nom")),
        step("Deux", field("yes_no", "ok", "D'accord ?"), condition=when("nom", "is_not_empty")),
    )
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    request.user = make_staff("relecteur")
    response = page.serve_preview(request, "")
    body = response.render().content.decode() if hasattr(response, "render") else response.content.decode()
    assert "Un" in body and "Deux" in body and 'name="nom"' in body and 'name="ok"' in body
    assert "Aperçu" in body


def test_account_pages_are_french_and_use_the_site_layout(council_a):
    client = Client(HTTP_HOST="localhost")
    body = client.get("/compte/login/").content.decode()
    assert "Connexion à votre espace famille" in body and "site-header" in body and "Mot de passe oublié" in body
    body = client.get("/compte/signup/").content.decode()
    assert "Créer un compte famille" in body and 'type="email"' in body and "site-header" in body
    response = client.post("/compte/login/", {"login": "personne@example.fr", "password": "faux"})
    assert "error-summary" in response.content.decode()


def test_start_page_asks_anonymous_visitors_to_log_in(council_a):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    body = Client(HTTP_HOST="localhost").get(page.url).content.decode()
    assert "Connectez-vous" in body and "/compte/login/" in body


def test_staff_list_filters_by_status_and_form(council_a, family):
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin"})
    client.post(f"{page.url}verifier/")
    staff = otp_client(make_agent(council_a, "agent.a"))
    listing = staff.get(f"/admin/dossiers/?status=submitted&form={page.pk}").content.decode()
    assert "DS-" in listing and "/admin/dossiers/1" in listing
    assert "DS-" not in staff.get("/admin/dossiers/?status=validated").content.decode()


def test_a_form_with_dossiers_cannot_be_deleted(council_a, family):
    from forms.models import FormPage

    admin = otp_client(make_staff("chef", superuser=True))
    unused = make_form(council_a, step("Un", field("short_text", "nom", "Nom")), slug="inutile")
    assert admin.post(f"/admin/pages/{unused.pk}/delete/").status_code == 302
    assert not FormPage.objects.filter(pk=unused.pk).exists()
    page = make_form(council_a, step("Un", field("short_text", "nom", "Nom")))
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin"})
    client.post(f"{page.url}verifier/")
    response = admin.post(f"/admin/pages/{page.pk}/delete/")
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/pages/{page.pk}/edit/")
    assert FormPage.objects.filter(pk=page.pk).exists()
