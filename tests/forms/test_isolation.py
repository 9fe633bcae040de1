"""A family sees only its own dossiers and files; staff only their council's, even by guessing ids."""

from pathlib import Path

from forms.models import Dossier, DossierFile
from tests.conftest import otp_client

from .conftest import family_client, field, make_agent, make_form, pdf, step, step_url


def send(council, user, host="localhost", health=False):
    page = make_form(
        council,
        step("Un", field("short_text", "nom", "Nom"), field("file", "piece", "Pièce", health=health)),
        slug=f"f-{user.pk}-{council.slug}",
    )
    client = family_client(user, host=host)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin", "piece": pdf()})
    client.post(f"{page.url}verifier/")
    return Dossier.objects.latest("pk"), client


def agent(council, username, role="agent"):
    return make_agent(council, username, role=role)


def test_family_downloads_its_file_but_not_another_familys(council_a, family, other_family):
    dossier, client = send(council_a, family)
    stored = DossierFile.objects.get(dossier=dossier)
    response = client.get(f"/fichiers/{stored.uuid}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    other = family_client(other_family)
    assert other.get(f"/fichiers/{stored.uuid}/").status_code == 404
    assert other.get(f"/espace-famille/dossiers/{dossier.uuid}/").status_code == 404
    assert dossier.reference not in other.get("/espace-famille/").content.decode()


def test_files_are_not_under_a_public_url(council_a, family, settings):
    dossier, _client = send(council_a, family)
    stored = DossierFile.objects.get(dossier=dossier)
    from django.core.files.storage import storages

    location = Path(storages["private"].location).resolve()
    assert Path(settings.MEDIA_ROOT).resolve() not in [location, *location.parents]
    assert (location / stored.path).exists()


def test_staff_of_another_council_sees_nothing(council_a, council_b, family):
    dossier, _client = send(council_a, family)
    stored = DossierFile.objects.get(dossier=dossier)
    staff_a, staff_b = agent(council_a, "agent.a"), agent(council_b, "agent.b")
    client_a = otp_client(staff_a)
    listing = client_a.get("/admin/dossiers/")
    assert listing.status_code == 200 and dossier.reference in listing.content.decode()
    detail = client_a.get(f"/admin/dossiers/{dossier.pk}/")
    assert detail.status_code == 200 and "Martin" in detail.content.decode()
    assert client_a.get(f"/fichiers/{stored.uuid}/").status_code == 200

    client_b = otp_client(staff_b, host="bellerive.localhost")
    listing = client_b.get("/admin/dossiers/")
    assert listing.status_code == 200 and dossier.reference not in listing.content.decode()
    assert client_b.get(f"/admin/dossiers/{dossier.pk}/").status_code == 404
    assert (
        f"/admin/dossiers/{dossier.pk}/" not in client_b.get(f"/admin/dossiers/?q={dossier.reference}").content.decode()
    )
    assert client_b.get(f"/fichiers/{stored.uuid}/").status_code == 404


def test_health_files_need_the_health_permission(council_a, family):
    dossier, _client = send(council_a, family, health=True)
    stored = DossierFile.objects.get(dossier=dossier)
    assert stored.health
    staff = agent(council_a, "agent.a")
    client = otp_client(staff)
    assert client.get(f"/fichiers/{stored.uuid}/").status_code == 404
    client = otp_client(agent(council_a, "agent.sante", role="health"))
    assert client.get(f"/fichiers/{stored.uuid}/").status_code == 200


def test_families_never_reach_the_wagtail_admin(council_a, family):
    client = family_client(family)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/dossiers/").status_code == 302
