"""The agents' desk (Wagtail's listing): names, search, filters, sort, export of the filtered list, bulk actions."""

import csv
import io

import pytest
from django.urls import reverse

from connectors.services import qf_fetch
from tests.conftest import otp_client
from tests.connectors.conftest import (  # noqa: F401 (fixtures)
    give_consent,
    identity_of,
    make_habilitation,
    simulator,
    simulator_server,
)

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


# Provenance, the child's name, select all (issue 18, items 1 and 2) ------------------------------------


def prefilled_form(council):
    """A dossier famille whose QF (locked) and address (editable) API Particulier fills."""
    mappings = [
        {"source": "qf.valeur", "target": "qf", "mode": "locked"},
        {"source": "adresse", "target": "adresse", "mode": "editable"},
    ]
    return make_form(
        council,
        step(
            "Foyer",
            field("prefill", "api", "Récupérer votre quotient familial", required=False, mappings=mappings),
            field("short_text", "nom_resp", "Nom", meaning="last_name"),
            field("integer", "qf", "Quotient familial", required=False, role="family_qf"),
            field("address", "adresse", "Adresse", required=False),
        ),
        slug="dossier-famille",
        reference_prefix="DF",
    )


def fetched_dossier(council, family):
    """A dossier whose QF comes from the simulator (real HTTP: FONTAINE, MSA, 410) and whose address, filled
    from the CAF's as sent (an older dossier: the value filled in is not stored), the family corrected."""
    make_habilitation(council)
    result = qf_fetch(
        council=council,
        user=family,
        identity=identity_of("msa-parent-3-enfants"),
        scopes=["cnaf_quotient_familial"],
        consent=give_consent(family, council),
    )
    origin = result.provenance["qf.valeur"]
    assert result.ok and origin["request_id"]
    provenance = {
        "qf": {**origin, "raw": 410, "value": 410},
        "adresse": {**origin, "raw": {"numero_libelle_voie": "3 RUE DES LILAS", "code_postal_ville": "21000 DIJON"}},
    }
    moved = {"street": "5 rue des Lilas", "complement": "", "postcode": "21000", "city": "DIJON"}
    answers = {"nom_resp": "FONTAINE", "qf": 410, "adresse": moved}
    dossier = make_dossier(prefilled_form(council), family, answers, provenance=provenance, qf=410, qf_source="msa")
    return dossier, origin


@pytest.mark.usefixtures("simulator")
def test_the_dossier_page_shows_each_prefilled_values_provenance_and_what_the_family_changed(council_a, family):
    dossier, origin = fetched_dossier(council_a, family)
    year, month = origin["period"].split("-")
    agent = otp_client(make_agent(council_a, "agent.a"))
    html = agent.get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    panel = html.split('id="provenance-title"', 1)[1].split("</section>", 1)[0]
    qf, address = panel.split("Adresse", 1)
    assert "Quotient familial" in qf and "API Particulier" in qf and "MSA" in qf and f"{month}/{year}" in qf
    assert origin["request_id"] in qf and "Modifié par la famille</dt>\n        <dd>non" in qf
    assert "<strong>oui</strong>" in address and "3 RUE DES LILAS, 21000, DIJON → 5 rue des Lilas, 21000, DIJON" in (
        address.replace("&nbsp;", " ")
    )
    # The household behind it: its consents to API Particulier, with their text version and date.
    household = html.split('id="household-panel-title"', 1)[1]
    consent = household.split("Consentements à API Particulier", 1)[1]
    assert "version du texte" in consent and family.email in consent


@pytest.mark.usefixtures("simulator")
def test_the_pdf_carries_the_provenance(council_a, family):
    from pypdf import PdfReader

    dossier, origin = fetched_dossier(council_a, family)
    response = otp_client(make_agent(council_a, "agent.a")).get(f"/admin/dossiers/{dossier.pk}/resume.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.replace("\u00a0", " ").split())
    assert "Valeurs préremplies et leur provenance" in text
    assert f"Identifiant de la requête : {origin['request_id']}" in text and "Fournisseur : MSA" in text
    assert "Modifié par la famille : 3 RUE DES LILAS, 21000, DIJON → 5 rue des Lilas, 21000, DIJON" in text


@pytest.mark.usefixtures("simulator")
def test_the_export_has_provenance_columns_only_when_asked(council_a, family):
    dossier, origin = fetched_dossier(council_a, family)
    agent = otp_client(make_agent(council_a, "agent.a"))
    plain = csv_rows(agent.get("/admin/dossiers/", {"export": "csv"}))
    assert not any("provenance" in header or "requête" in header for header in plain[0])
    rows = csv_rows(agent.get("/admin/dossiers/", {"export": "csv", "provenance": "1"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Quotient familial : source"] == "API Particulier"
    assert row["Quotient familial : fournisseur"] == "MSA"
    assert row["Quotient familial : identifiant de la requête"] == origin["request_id"]
    assert row["Quotient familial : modifié par la famille"] == "non"
    assert row["Adresse : modifié par la famille"].startswith("oui (5 rue des Lilas")
    # The bulk export offers it too.
    export = reverse("wagtail_bulk_action", args=["forms", "dossier", "export"])
    bulk = csv_rows(agent.post(f"{export}?id={dossier.pk}", {"format": "csv", "provenance": "on"}))
    assert "Quotient familial : identifiant de la requête" in bulk[0]


def child_form(council, **settings):
    """A form about one child of the household (its first name has the role "child")."""
    return make_form(
        council,
        step(
            "L'enfant",
            field("short_text", "prenom", "Prénom de l'enfant", meaning="first_name", role="child"),
            field("short_text", "nom", "Nom de l'enfant", meaning="last_name"),
            field("short_text", "traitement", "Traitement", health=True, required=False),
        ),
        **settings,
    )


def on_file(value):
    return {"provider": "household", "child": "0b7d5b1e-1f0c-4d4e-9b8a-2f0e8b7c1a11", "known": value}


def test_the_childs_name_is_in_the_list_the_title_and_the_export_named_after_the_form(council_a, family):
    page = child_form(council_a, slug="autorisations", title="Autorisations", reference_prefix="AU")
    dossier = make_dossier(
        page,
        family,
        {"prenom": "Léa", "nom": "LAMBERT"},
        provenance={"prenom": on_file("Lea"), "nom": on_file("LAMBERT")},
    )
    agent = otp_client(make_agent(council_a, "agent.a"))
    assert "LAMBERT Léa" in listed(agent)
    html = agent.get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    assert f"{dossier.reference} – Autorisations – LAMBERT Léa" in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    panel = html.split('id="provenance-title"', 1)[1].split("</section>", 1)[0]
    assert "Foyer (dossier enregistré)" in panel and "Lea → Léa" in panel  # the family corrected the accent
    response = agent.get("/admin/dossiers/", {"export": "csv", "form": page.pk})
    assert 'filename="dossiers-autorisations-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert dict(zip(rows[0], rows[1], strict=True))["Enfant"] == "LAMBERT Léa"


def test_health_data_stay_out_of_the_provenance_without_the_health_role(council_a, family):
    page = child_form(council_a, slug="pai", title="PAI", reference_prefix="PAI", is_health_data=True)
    pai = make_dossier(
        page,
        family,
        {"prenom": "Léa", "nom": "LAMBERT", "traitement": "Ventoline"},
        provenance={"prenom": on_file("Léa")},
    )
    agent = otp_client(make_agent(council_a, "agent.a"))
    html = agent.get(f"/admin/dossiers/{pai.pk}/").content.decode()
    assert "Ventoline" not in html and "LAMBERT Léa" not in html
    health = otp_client(make_agent(council_a, "sante.a", role="health"))
    html = health.get(f"/admin/dossiers/{pai.pk}/").content.decode()
    panel = html.split('id="provenance-title"', 1)[1].split("</section>", 1)[0]
    assert "Prénom de l&#x27;enfant" in panel and "Foyer (dossier enregistré)" in panel
    plain = csv_rows(health.get("/admin/dossiers/", {"export": "csv", "provenance": "1"}))
    assert not any(header.startswith("Prénom de l'enfant") for header in plain[0])  # health only when asked
    rows = csv_rows(health.get("/admin/dossiers/", {"export": "csv", "provenance": "1", "health": "1"}))
    assert dict(zip(rows[0], rows[1], strict=True))["Prénom de l'enfant : valeur préremplie"] == "Léa"


def test_select_all_acts_on_the_filtered_list_only(council_a, family, other_family):
    page = desk_form(council_a)
    martin = make_dossier(page, family, answers("MARTIN", "Ana", ["Zoé"]), qf=450)
    durand = make_dossier(page, other_family, answers("DURAND", "Paul", ["Noé"]), qf=620, qf_source="cnaf")
    petit = make_dossier(page, None, answers("PETIT", "Hugo", ["Lou"]), contact_email="p@example.fr")
    staff = make_agent(council_a, "agent.a")
    colleague = make_agent(council_a, "agent.a2")
    agent = otp_client(staff)
    export = reverse("wagtail_bulk_action", args=["forms", "dossier", "export"])
    # What Wagtail's "select all in listing" sends: the listing's own query, with id=all.
    rows = csv_rows(agent.post(f"{export}?qf=verified&id=all", {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == [durand.reference]
    rows = csv_rows(agent.post(f"{export}?q=hugo&id=all", {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == [petit.reference]
    assign = reverse("wagtail_bulk_action", args=["forms", "dossier", "assign"])
    confirm = agent.get(f"{assign}?qf=known&id=all").content.decode()
    assert martin.reference in confirm and durand.reference in confirm and petit.reference not in confirm
    agent.post(f"{assign}?qf=known&id=all&next=/admin/dossiers/", {"agent": str(colleague.pk)})
    for dossier in (martin, durand, petit):
        dossier.refresh_from_db()
    assert martin.assigned_to == colleague and durand.assigned_to == colleague and petit.assigned_to is None
    # Unfiltered, "all" is the whole desk.
    rows = csv_rows(agent.post(f"{export}?id=all", {"format": "csv"}))
    assert {row[0] for row in rows[1:]} == {martin.reference, durand.reference, petit.reference}
