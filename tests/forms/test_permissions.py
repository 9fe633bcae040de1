"""Who reaches what: agents, agents with health access, billing and editors, each only in their council."""

import pytest

from forms.models import DossierNote, SavedFilter
from tests.conftest import make_editor_group, make_staff, otp_client

from .conftest import famille_form, make_agent, make_dossier, stored_pdf


@pytest.fixture
def dossier_a(council_a, family):
    return dossier_with_file(council_a, family)


def dossier_with_file(council, family, **settings):
    page = famille_form(council, **settings)
    dossier = make_dossier(page, family, {"nom": "Martin", "enfants": [{"prenom": "Léa", "allergie": True}]})
    stored = stored_pdf(dossier)
    dossier.answers["justificatif_domicile"] = str(stored.uuid)
    dossier.save()
    return dossier


def outcome(response) -> str:
    """``ok``, ``404``, or ``denied`` (a 403, or the admin's redirect to its home with a message)."""
    if response.status_code == 404:
        return "404"
    if response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/"):
        return "denied"
    return "ok" if response.status_code in (200, 302) else str(response.status_code)


def reach(client, dossier):
    """What a staff client gets on every route of a dossier (status codes), and whether the export lists it."""
    stored = dossier.files.get()
    base = f"/admin/dossiers/{dossier.pk}/"
    export = client.get("/admin/dossiers/export.csv")
    exported = export.status_code == 200 and dossier.reference in b"".join(export.streaming_content).decode()
    return {
        "list": outcome(client.get("/admin/dossiers/")),
        "detail": outcome(client.get(base)),
        "pdf": outcome(client.get(f"{base}resume.pdf")),
        "file": outcome(client.get(f"/fichiers/{stored.uuid}/")),
        "note": outcome(client.post(f"{base}note/", {"text": "Vu"})),
        "review": outcome(client.post(f"{base}review/")),
        "export": outcome(export),
        "exported": exported,
    }


def test_permission_matrix(council_a, council_b, dossier_a):
    editor = make_staff("editeur.a", groups=[make_editor_group(council_a)])
    clients = {
        "agent_a": otp_client(make_agent(council_a, "agent.a")),
        "health_a": otp_client(make_agent(council_a, "sante.a", role="health")),
        "billing_a": otp_client(make_agent(council_a, "facturation.a", role="billing")),
        "agent_b": otp_client(make_agent(council_b, "agent.b"), host="bellerive.localhost"),
        "health_b": otp_client(make_agent(council_b, "sante.b", role="health"), host="bellerive.localhost"),
        "editor_a": otp_client(editor),
    }
    results = {name: reach(client, dossier_a) for name, client in clients.items()}
    ok = {"list": "ok", "detail": "ok", "pdf": "ok", "file": "ok", "note": "ok", "review": "ok", "export": "ok"}
    assert results["agent_a"] == {**ok, "exported": True}
    assert results["health_a"] == {**ok, "exported": True}
    assert results["billing_a"] == {**ok, "note": "denied", "review": "denied", "exported": True}
    for outsider in ("agent_b", "health_b"):
        assert results[outsider] == {
            **dict.fromkeys(["detail", "pdf", "file", "note", "review"], "404"),
            "list": "ok",
            "export": "ok",
            "exported": False,
        }
    assert results["editor_a"] == {
        **dict.fromkeys(["detail", "pdf", "file", "note", "review"], "404"),
        "list": "denied",
        "export": "denied",
        "exported": False,
    }
    dossier_a.refresh_from_db()
    assert dossier_a.status == "under_review"
    assert DossierNote.objects.filter(dossier=dossier_a).count() == 2


def test_health_answers_only_for_the_health_role_of_that_council(council_a, council_b, dossier_a):
    agent = otp_client(make_agent(council_a, "agent.a"))
    health = otp_client(make_agent(council_a, "sante.a", role="health"))
    # Health access in council B gives nothing in council A.
    user_b = make_agent(council_b, "sante.b", role="health")
    from forms.backoffice.roles import council_group_ensure

    user_b.groups.add(council_group_ensure(council=council_a, role="agent"))
    mixed = otp_client(user_b)
    label = "Allergie"
    assert label not in agent.get(f"/admin/dossiers/{dossier_a.pk}/").content.decode()
    assert label in health.get(f"/admin/dossiers/{dossier_a.pk}/").content.decode()
    assert label not in mixed.get(f"/admin/dossiers/{dossier_a.pk}/").content.decode()
    header = b"".join(mixed.get("/admin/dossiers/export.csv?health=1").streaming_content).decode()
    line = header.splitlines()
    assert "Allergie (Enfant 1)" in line[0] and "Oui" not in line[1]


def test_saved_filters_are_per_agent(council_a, dossier_a):
    staff = make_agent(council_a, "agent.a")
    other = make_agent(council_a, "agent.a2")
    client = otp_client(staff)
    client.post("/admin/dossiers/filtres/", {"name": "À traiter", "query": "status=submitted"})
    saved = SavedFilter.objects.get()
    assert saved.user == staff and saved.query == "status=submitted"
    assert "À traiter" in client.get("/admin/dossiers/").content.decode()
    other_client = otp_client(other)
    assert "À traiter" not in other_client.get("/admin/dossiers/").content.decode()
    assert other_client.post(f"/admin/dossiers/filtres/{saved.pk}/supprimer/").status_code == 404
    assert SavedFilter.objects.exists()


def test_list_filters_qf_unknown_assigned_and_rules(council_a, family, other_family, dossier_a):
    from tests.forms.test_submit import make_rules

    make_rules(council_a)
    page = famille_form(council_a, slug="autre", requires_rules_accepted=True)
    known = make_dossier(page, other_family, {"nom": "Durand"}, qf=800, qf_source="cnaf")
    staff = make_agent(council_a, "agent.a")
    client = otp_client(staff)
    listing = client.get("/admin/dossiers/?qf=unknown").content.decode()
    assert dossier_a.reference in listing and known.reference not in listing
    known.assigned_to = staff
    known.save()
    listing = client.get("/admin/dossiers/?assigned=me").content.decode()
    assert known.reference in listing and dossier_a.reference not in listing
    listing = client.get("/admin/dossiers/?rules=not_accepted").content.decode()
    assert known.reference in listing and dossier_a.reference not in listing


def test_agents_work_for_their_council_in_home_too(council_a, council_b):
    """Agents have no page rights, yet home's staff views (rules registers) know their council."""
    from home.selectors import councils_for_user

    from .conftest import make_agent

    agent = make_agent(council_a, "agent.registres")
    assert list(councils_for_user(agent)) == [council_a]


def test_permission_matrix_of_a_third_council_created_in_the_admin(council_a, family, other_family, mailoutbox):
    """A superuser creates a council and its staff from the admin (no shell): each role reaches what the
    matrix says, in that council only; the others' dossiers stay out of reach."""
    from django.contrib.auth import get_user_model

    from home.models import CouncilHomePage

    dossier_a = dossier_with_file(council_a, family)
    admin = otp_client(make_staff("chef", superuser=True))
    created = admin.post(
        "/admin/collectivites/nouvelle/",
        {
            "name": "Commune de Lavaux",
            "hostname": "lavaux.localhost",
            "siret": "21219991300014",
            "insee_code": "21992",
            "address": "Mairie",
            "email": "mairie@lavaux.example.fr",
            "dpo_email": "dpo@lavaux.example.fr",
            "colour": "#205e3b",
        },
    )
    assert created.status_code == 302
    lavaux = CouncilHomePage.objects.get(slug="commune-de-lavaux")
    checklist = admin.get(f"/admin/collectivites/{lavaux.pk}/").content.decode()
    assert checklist.count("Manquant") >= 5  # authorisation, rules, decree, editors, agents, forms
    staff = {"agent": "agent", "health": "sante", "billing": "facturation", "editor": "editeur"}
    for role, name in staff.items():
        response = admin.post(
            f"/admin/collectivites/{lavaux.pk}/personnel/",
            {"email": f"{name}@lavaux.example.fr", "first_name": "Alex", "last_name": name.title(), "role": role},
        )
        assert response.status_code == 302, response.content.decode()
    invitation = mailoutbox[0]
    assert (
        invitation.to == ["agent@lavaux.example.fr"]
        and "http://lavaux.localhost/admin/password_reset/confirm/" in invitation.body
    )
    assert "second facteur" in invitation.body
    refused = admin.post(
        f"/admin/collectivites/{lavaux.pk}/personnel/",
        {"email": family.email, "first_name": "A", "last_name": "B", "role": "agent"},
    )
    assert refused.status_code == 200 and "error-summary" in refused.content.decode()
    assert not family.groups.exists()  # a family's account never becomes staff
    dossier_c = dossier_with_file(lavaux, other_family, reference_prefix="LV")
    users = {role: get_user_model().objects.get(email=f"{name}@lavaux.example.fr") for role, name in staff.items()}
    clients = {role: otp_client(user, host="lavaux.localhost") for role, user in users.items()}
    ok = {"list": "ok", "detail": "ok", "pdf": "ok", "file": "ok", "note": "ok", "review": "ok", "export": "ok"}
    outsider = {
        **dict.fromkeys(["detail", "pdf", "file", "note", "review"], "404"),
        "list": "ok",
        "export": "ok",
        "exported": False,
    }
    assert reach(clients["agent"], dossier_c) == {**ok, "exported": True}
    assert reach(clients["health"], dossier_c) == {**ok, "exported": True}
    assert reach(clients["billing"], dossier_c) == {**ok, "note": "denied", "review": "denied", "exported": True}
    assert reach(clients["editor"], dossier_c) == {
        **dict.fromkeys(["detail", "pdf", "file", "note", "review"], "404"),
        "list": "denied",
        "export": "denied",
        "exported": False,
    }
    for role in ("agent", "health", "billing"):
        assert reach(clients[role], dossier_a) == outsider
    # Council A's agent does not reach Lavaux's dossier either; Lavaux's staff do not administer it.
    assert reach(otp_client(make_agent(council_a, "agent.a")), dossier_c) == outsider
    assert clients["agent"].get(f"/admin/collectivites/{lavaux.pk}/personnel/").status_code == 404
