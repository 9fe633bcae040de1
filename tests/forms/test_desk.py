"""The agents' desk (Wagtail's listing): names, search, filters, sort, export of the filtered list, bulk actions."""

import csv
import io

from django.urls import reverse

from tests.conftest import otp_client

from .conftest import field, group, make_agent, make_dossier, make_form, step


def desk_form(council, **settings):
    """A dossier famille whose names and address carry their meaning and role (never read from keys)."""
    return make_form(
        council,
        step(
            "Foyer",
            field("short_text", "nom_resp", "Nom", meaning="last_name"),
            field("short_text", "prenom_resp", "Prénom", meaning="first_name"),
            field("address", "domicile", "Adresse", role="household_address", required=False),
            field("integer", "quotient_familial", "Quotient familial", required=False, role="family_qf"),
            group(
                "petits",
                field("short_text", "prenom", "Prénom", meaning="first_name"),
                field("short_text", "nom", "Nom", meaning="last_name"),
                field("short_text", "allergie", "Allergie", health=True, required=False),
                role="children",
            ),
        ),
        slug=settings.pop("slug", "dossier-famille"),
        reference_prefix=settings.pop("reference_prefix", "DF"),
        **settings,
    )


def answers(last, first, children, insee="21990"):
    return {
        "nom_resp": last,
        "prenom_resp": first,
        "domicile": {"line": "1 rue Haute", "postcode": "21000", "city": "Ville", "insee": insee},
        "petits": [{"prenom": child, "nom": last, "allergie": "arachide"} for child in children],
    }


def listed(client, query="") -> str:
    return client.get(f"/admin/dossiers/?{query}").content.decode()


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_desk_shows_family_and_children_names_and_finds_a_dossier_by_a_childs_name(council_a, family):
    page = desk_form(council_a)
    lambert = make_dossier(page, family, answers("LAMBERT", "Camille", ["Jules", "Léa"]))
    fontaine = make_dossier(page, None, answers("FONTAINE", "Julien", ["Tom"]), contact_email="f@example.fr")
    agent = otp_client(make_agent(council_a, "agent.a"))
    listing = listed(agent)
    assert "LAMBERT Camille" in listing and "LAMBERT Jules, LAMBERT Léa" in listing
    assert "FONTAINE Julien" in listing and "FONTAINE Tom" in listing
    assert "arachide" not in listing  # a health answer is never shown nor searched
    found = listed(agent, "q=L%C3%A9a")
    assert lambert.reference in found and fontaine.reference not in found
    assert fontaine.reference not in listed(agent, "q=arachide")
    # Wagtail's own results view (what the search box and the drawer refresh) answers the same.
    results = agent.get(reverse("forms_dossiers_results"), {"q": "tom"}).content.decode()
    assert fontaine.reference in results and lambert.reference not in results


def test_filters_qf_and_residence_and_sort(council_a, family, other_family):
    page = desk_form(council_a)
    declared = make_dossier(page, family, answers("MARTIN", "Ana", ["Zoé"]), qf=450)
    verified = make_dossier(
        page, other_family, answers("DURAND", "Paul", ["Noé"], insee="75056"), qf=620, qf_source="cnaf"
    )
    unknown = make_dossier(page, None, answers("PETIT", "Hugo", ["Lou"]))
    agent = otp_client(make_agent(council_a, "agent.a"))

    def refs(query):
        body = listed(agent, query)
        return {d.reference for d in (declared, verified, unknown) if d.reference in body}

    assert refs("qf=declared") == {declared.reference}
    assert refs("qf=verified") == {verified.reference}
    assert refs("qf=unknown") == {unknown.reference}
    assert refs("qf=known") == {declared.reference, verified.reference}
    assert refs("resident=yes") == {declared.reference, unknown.reference}
    assert refs("resident=no") == {verified.reference}
    body = listed(agent, "ordering=reference")
    assert body.index(declared.reference) < body.index(verified.reference) < body.index(unknown.reference)
    body = listed(agent, "ordering=-reference")
    assert body.index(unknown.reference) < body.index(verified.reference) < body.index(declared.reference)


def test_the_export_is_the_filtered_list(council_a, family, other_family):
    page = desk_form(council_a)
    make_dossier(page, family, answers("MARTIN", "Ana", ["Zoé"]), qf=450)
    verified = make_dossier(page, other_family, answers("DURAND", "Paul", ["Noé"]), qf=620, qf_source="cnaf")
    agent = otp_client(make_agent(council_a, "agent.a"))
    listing = listed(agent, "qf=verified")
    assert "export=csv" in listing and "export=xlsx" in listing  # Wagtail's download buttons, filters kept
    rows = csv_rows(agent.get("/admin/dossiers/", {"qf": "verified", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == [verified.reference]
    assert [row[0] for row in csv_rows(agent.get("/admin/dossiers/export.csv?qf=verified"))[1:]] == [verified.reference]
    editor = otp_client(make_agent(council_a, "facturation.a", role="billing"))
    assert editor.get("/admin/dossiers/", {"export": "csv"}).status_code == 200  # billing exports too


def test_health_dossiers_are_listed_only_for_the_health_role(council_a, family):
    page = desk_form(council_a, slug="pai", reference_prefix="PAI", is_health_data=True)
    pai = make_dossier(page, family, answers("LAMBERT", "Camille", ["Léa"]))
    agent = otp_client(make_agent(council_a, "agent.a"))
    health = otp_client(make_agent(council_a, "sante.a", role="health"))
    link = f"/admin/dossiers/{pai.pk}/"
    assert link not in listed(agent) and link not in listed(agent, f"q={pai.reference}")
    assert pai.reference not in b"".join(agent.get("/admin/dossiers/?export=csv").streaming_content).decode()
    assert link in listed(health)


def test_bulk_assign_and_export_act_only_on_the_agents_council(council_a, council_b, family, other_family):
    page_a = desk_form(council_a)
    page_b = desk_form(council_b)
    first = make_dossier(page_a, family, answers("MARTIN", "Ana", ["Zoé"]))
    second = make_dossier(page_a, other_family, answers("DURAND", "Paul", ["Noé"]))
    elsewhere = make_dossier(page_b, other_family, answers("ROBIN", "Elise", ["Max"]))
    staff = make_agent(council_a, "agent.a")
    colleague = make_agent(council_a, "agent.a2")
    agent = otp_client(staff)
    assert "bulk-actions-choices" in listed(agent)
    url = reverse("wagtail_bulk_action", args=["forms", "dossier", "assign"])
    ids = f"id={first.pk}&id={second.pk}&id={elsewhere.pk}"
    confirm = agent.get(f"{url}?{ids}").content.decode()
    assert "MARTIN Ana" in confirm and "ROBIN" not in confirm
    response = agent.post(f"{url}?{ids}&next=/admin/dossiers/", {"agent": str(colleague.pk)})
    assert response.status_code == 302
    for dossier in (first, second, elsewhere):
        dossier.refresh_from_db()
    assert first.assigned_to == colleague and second.assigned_to == colleague and elsewhere.assigned_to is None
    assert first.events.filter(kind="assigned").exists()  # recorded in the internal history
    export = reverse("wagtail_bulk_action", args=["forms", "dossier", "export"])
    rows = csv_rows(agent.post(f"{export}?id={second.pk}&id={elsewhere.pk}", {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == [second.reference]
