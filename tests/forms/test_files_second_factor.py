"""Issue 13, item 4: families' files never reach a staff session that passed only the password."""

from django.test import Client

from forms.models import DossierFile
from tests.conftest import make_editor_group, make_staff, otp_client

from .conftest import make_agent
from .test_isolation import send

PASSWORD = "staff-password-123"


def password_only(user) -> Client:
    """A client that logged in at the admin with the password, and stopped at the second factor."""
    client = Client(HTTP_HOST="localhost")
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_every_staff_kind_needs_the_second_factor_for_files(council_a, family):
    dossier, family_session = send(council_a, family, health=True)
    stored = DossierFile.objects.get(dossier=dossier)
    url = f"/fichiers/{stored.uuid}/"
    staff = [
        make_agent(council_a, "agent.a"),
        make_agent(council_a, "sante.a", role="health"),
        make_agent(council_a, "facturation.a", role="billing"),
        make_staff("editeur.a", groups=[make_editor_group(council_a)]),
        make_staff("admin", superuser=True),
        make_staff("ancien.staff"),
    ]
    staff[-1].is_staff = True
    staff[-1].save()
    tried, refused = 0, 0
    for user in staff:
        response = password_only(user).get(url)
        tried += 1
        if response.status_code == 302 and response["Location"].startswith("/admin/otp/"):
            refused += 1
            assert "next=%2Ffichiers%2F" in response["Location"]
        assert not response.has_header("Content-Disposition")
    assert (tried, refused) == (6, 6)
    # After the second factor, the health agent and the superuser get the file; the family needs no OTP.
    assert otp_client(staff[1]).get(url).status_code == 200
    assert otp_client(staff[4]).get(url).status_code == 200
    assert family_session.get(url).status_code == 200


def test_staff_without_a_device_is_sent_to_enrolment(council_a, family):
    dossier, _session = send(council_a, family)
    stored = DossierFile.objects.get(dossier=dossier)
    response = password_only(make_agent(council_a, "agent.a")).get(f"/fichiers/{stored.uuid}/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/otp/setup/")


def test_a_verified_agent_comes_back_to_the_file_after_the_code(council_a, family):
    from django_otp.plugins.otp_static.models import StaticDevice

    dossier, _session = send(council_a, family)
    stored = DossierFile.objects.get(dossier=dossier)
    agent = make_agent(council_a, "agent.a")
    device = StaticDevice.objects.create(user=agent, name="backup", confirmed=True)
    device.token_set.create(token="code0001")
    client = password_only(agent)
    verify = client.get(f"/fichiers/{stored.uuid}/")["Location"]
    assert verify.startswith("/admin/otp/verify/")
    back = client.post(verify, {"code": "code0001"})
    assert back["Location"] == f"/fichiers/{stored.uuid}/"
    response = client.get(back["Location"])
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
