"""How a family's form steps behave: prefill errors like every error, a retry that keeps the identity,
names in the usual case, enrolments priced from the family's dossier famille, and the forms linked."""

import pytest

from connectors.prefill import name_usual_case
from connectors.services import PrefillResult
from forms.models import Draft
from tests.connectors.conftest import make_habilitation

from .conftest import famille_form, family_client, field, group, make_decree, make_dossier, make_form, step, step_url
from .test_prefill import IDENTITY, PROVENANCE, prefill_form


def _text_version(client, page) -> str:
    body = client.get(step_url(page, 1)).content.decode()
    return body.split('name="prefill-text_version" value="')[1].split('"')[0]


def test_an_unticked_consent_box_is_an_error_like_any_other(council_a, family, monkeypatch):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    monkeypatch.setattr("connectors.services.qf_fetch", lambda **kwargs: pytest.fail("fetched without consent"))
    client = family_client(family)
    client.post(page.url)
    response = client.post(step_url(page, 1), {**IDENTITY, "_prefill": "api"})
    body = response.content.decode()
    # The page says "Erreur" in its title, and the summary at the top links to the box.
    assert response.status_code == 200
    assert "<title>Erreur :" in body
    summary = body.split("data-error-summary")[1].split("</div>")[0]
    assert 'href="#id_prefill-consent"' in summary and "Cochez la case" in summary
    assert body.index("data-error-summary") < body.index('id="id_prefill-consent"')
    assert body.count("data-error-summary") == 1  # one summary, not a second one inside the step


def test_a_wrong_identity_field_is_in_the_summary_too(council_a, family):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    client = family_client(family)
    client.post(page.url)
    data = {**IDENTITY, "prefill-birth_commune_code": "", "prefill-consent": "on", "_prefill": "api"}
    body = client.post(step_url(page, 1), data).content.decode()
    summary = body.split("data-error-summary")[1].split("</div>")[0]
    assert 'href="#id_prefill-birth_commune_name"' in summary and 'href="#id_prefill-birth_department_code"' in summary


def test_trying_again_after_an_identity_mismatch_keeps_what_was_typed(council_a, family, monkeypatch):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    monkeypatch.setattr(
        "connectors.services.qf_fetch",
        lambda **kwargs: PrefillResult(ok=False, kind="identity_mismatch", family_message="Identité non reconnue."),
    )
    client = family_client(family)
    client.post(page.url)
    data = {**IDENTITY, "prefill-consent": "on", "prefill-text_version": _text_version(client, page), "_prefill": "api"}
    client.post(step_url(page, 1), data)
    # Kept encrypted, never in clear in the draft.
    stored = Draft.objects.get().prefill["api"]
    assert stored["status"] == "failed" and "Lambert" not in str(stored)
    client.post(step_url(page, 1), {"_prefill_retry": "api"})
    body = client.get(step_url(page, 1)).content.decode()
    assert 'value="Lambert"' in body.split('name="prefill-birth_name"')[1].split(">")[0]
    assert 'value="1986-04-12"' in body.split('name="prefill-birth_date"')[1].split(">")[0]
    assert 'value="21231"' in body.split('name="prefill-birth_commune_code"')[1].split(">")[0]
    assert "checked" in body.split('name="prefill-consent"')[1].split(">")[0]
    assert "checked" in body.split('value="F"')[1].split(">")[0]


def test_the_fields_of_a_birth_in_france_or_abroad_show_only_for_that_answer(council_a, family):
    make_habilitation(council_a)
    page = prefill_form(council_a)
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    country = body.split('data-key="prefill-birth_country"')[1].split(">")[0]
    commune = body.split('data-key="prefill-birth_commune_name"')[1].split(">")[0]
    code = body.split('data-key="prefill-birth_country_code"')[1].split(">")[0]
    assert "&quot;field&quot;: &quot;prefill-born_in&quot;" in country and "abroad" in country
    assert "&quot;field&quot;: &quot;prefill-born_in&quot;" in commune and "france" in commune
    assert "prefill-birth_country&quot;" in code and "other" in code
    # The browser script that hides them is on the page; the radios are a group with a legend.
    assert "forms/conditions" in body and 'data-key="prefill-born_in"' in body


@pytest.mark.parametrize(
    ("raw", "usual"),
    [
        ("NOE PAUL", "Noe Paul"),
        ("JEAN-PIERRE", "Jean-Pierre"),
        ("DE LA FONTAINE", "de La Fontaine"),
        ("D'ALEMBERT", "d'Alembert"),
        ("MARIE DE GAULLE", "Marie de Gaulle"),
        ("O'NEILL", "O'Neill"),
        ("Léa", "Léa"),
        ("  MERCIER  ", "Mercier"),
    ],
)
def test_names_from_the_caf_in_the_usual_case(raw, usual):
    assert name_usual_case(raw) == usual


CHILDREN = [{"nom_naissance": "MERCIER", "prenoms": "NOE PAUL", "date_naissance": "2018-02-09", "sexe": "M"}]


def children_prefill_form(council, key, *fields):
    """A form whose first step fills the group ``key`` with the children known to the CAF."""
    make_habilitation(council)
    mappings = [{"source": "enfants", "target": key, "mode": "editable"}]
    prefill = field("prefill", "api", "Récupérer", required=False, mappings=mappings)
    return make_form(council, step("Enfants", prefill, group(key, *fields, max_items=6)))


def prefill_children(page, family, monkeypatch):
    """The family consents and the CAF answers with one child (``CHILDREN``): the client, on the step."""
    monkeypatch.setattr(
        "connectors.services.qf_fetch",
        lambda **kwargs: PrefillResult(ok=True, values={"enfants": CHILDREN}, provenance={"enfants": PROVENANCE}),
    )
    client = family_client(family)
    client.post(page.url)
    data = {**IDENTITY, "prefill-consent": "on", "prefill-text_version": _text_version(client, page), "_prefill": "api"}
    client.post(step_url(page, 1), data)
    return client


def test_prefilled_children_are_stored_in_the_usual_case_with_the_raw_value_in_the_provenance(
    council_a, family, monkeypatch
):
    page = children_prefill_form(
        council_a,
        "enfants",
        field("short_text", "prenom", "Prénom", meaning="first_name"),
        field("short_text", "nom", "Nom", meaning="last_name"),
    )
    client = prefill_children(page, family, monkeypatch)
    draft = Draft.objects.get()
    assert draft.answers["enfants"] == [{"prenom": "Noe Paul", "nom": "Mercier"}]
    assert draft.provenance["enfants"]["raw"] == CHILDREN
    assert draft.provenance["enfants"]["provider"] == "CNAF"
    assert 'value="Noe Paul"' in client.get(step_url(page, 1)).content.decode()


def inscription_form(council):
    return make_form(
        council,
        step(
            "L'enfant",
            field("short_text", "prenom", "Prénom de l'enfant"),
            field(
                "multiple_choice",
                "services",
                "Services souhaités",
                choices=["Restauration scolaire", "Accueil de loisirs, journée", "Accueil périscolaire du matin"],
                role="services_chosen",
            ),
        ),
        slug="inscription-enfant",
        title="Inscription enfant",
        reference_prefix="IE",
        priced_services="cantine, alsh-journee",
    )


def test_an_enrolment_shows_the_price_of_each_chosen_service_with_the_qf_of_the_dossier_famille(council_a, family):
    make_decree(council_a)
    famille = famille_form(council_a)
    on_file = make_dossier(famille, family, {"quotient_familial": 620}, qf=620, qf_source="cnaf")
    page = inscription_form(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(
        step_url(page, 1), {"prenom": "Lou", "services": ["Restauration scolaire", "Accueil périscolaire du matin"]}
    )
    body = client.get(f"{page.url}verifier/").content.decode()
    prices = body.split('aria-labelledby="prices-title"')[1].split("</section>")[0]
    # 0.36 % x 620 = 2.23 €, under the floor of 2.60 €: the floor applies, explained.
    assert "Restauration scolaire : 2,60 €" in prices and "620" in prices and on_file.reference in prices
    assert "Accueil de loisirs" not in prices.split("<ul>")[0]  # not chosen: not priced
    assert "Accueil périscolaire du matin" in prices  # chosen, not in the decree: said so
    client.post(f"{page.url}verifier/")
    enrolment = page.dossiers.get()
    confirmation = client.get(page.url + "envoye/" + enrolment.reference + "/").content.decode()
    assert "Restauration scolaire : 2,60 €" in confirmation and on_file.reference in confirmation
    # The enrolment keeps that QF: the agent validates (and prices) it with the same one.
    assert (enrolment.qf, enrolment.qf_source) == (620, "cnaf")


def test_an_enrolment_without_a_dossier_famille_shows_the_maximum_tariff_and_says_why(council_a, family, other_family):
    make_decree(council_a)
    famille = famille_form(council_a)
    make_dossier(famille, other_family, {"quotient_familial": 300}, qf=300, qf_source="cnaf")  # not this family's
    page = inscription_form(council_a)
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"prenom": "Lou", "services": ["Restauration scolaire"]})
    body = client.get(f"{page.url}verifier/").content.decode()
    prices = body.split('aria-labelledby="prices-title"')[1].split("</section>")[0]
    assert "Restauration scolaire : 4,50 €" in prices and "dossier famille" in prices and "300" not in prices


def test_file_sizes_read_in_french(council_a, family):
    page = make_form(council_a, step("Pièces", field("file", "piece", "Pièce justificative")))
    client = family_client(family)
    client.post(page.url)
    body = client.get(step_url(page, 1)).content.decode()
    hint = body.split("Formats acceptés")[1].split("</p>")[0]
    assert "10,0\xa0Mo" in hint or "10,0 Mo" in hint, hint
    assert "Mio" not in body


def test_the_demo_forms_link_to_one_another(db):
    from io import StringIO

    from django.core.management import call_command

    from forms.models import FormPage

    call_command("load_initial_data", stdout=StringIO())
    inscription = FormPage.objects.get(slug="inscription-enfant", url_path__startswith="/valmont")
    pai = FormPage.objects.get(slug="pai", url_path__startswith="/valmont")
    famille = FormPage.objects.get(slug="dossier-famille", url_path__startswith="/valmont")
    client = family_client(_demo_family())
    client.post(inscription.url)
    body = client.get(step_url(inscription, 2)).content.decode()
    assert f'href="{pai.url}"' in body  # the PAI hint links the PAI form (a page chosen, not a typed URL)
    start = client.get(inscription.url).content.decode()
    assert f'href="{famille.url}"' in start


def _demo_family():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="famille.lambert@example.fr")


def test_prefilled_children_fill_fields_by_their_roles_whatever_their_keys(council_a, family, monkeypatch):
    """An editor who names the children's fields otherwise still gets them filled: the fields say what they are."""
    page = children_prefill_form(
        council_a,
        "kids",
        field("short_text", "given", "Prénom", meaning="first_name"),
        field("date", "born", "Né le", role="birth_date"),
        field("short_text", "nickname", "Surnom", required=False),
    )
    prefill_children(page, family, monkeypatch)
    assert Draft.objects.get().answers["kids"] == [{"given": "Noe Paul", "born": "2018-02-09"}]
