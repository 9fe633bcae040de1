"""The QF, the proof of address and the services chosen are roles a field carries, never keys: a form whose
fields are named anything is read the same, and stored forms and dossiers got those roles from the page
settings that named them."""

import importlib

import pytest

from forms.backoffice import workflow
from forms.engine.fieldtypes import FIELD_TYPES, field_type
from forms.family import pricing
from forms.family.child_forms import draft_child_choose
from forms.family.household_selectors import household_for
from forms.family.household_services import household_answers
from forms.models import DossierStatus as S
from forms.models import Draft, FormPage
from tests.conftest import otp_client

from .conftest import family_client, field, make_agent, make_decree, make_dossier, make_form, pdf, step, step_url

pytestmark = pytest.mark.django_db

migration = importlib.import_module("forms.migrations.0016_roles_qf_proof_services")


def odd_form(council):
    """A dossier famille whose fields have keys no code knows: only their roles say what they are."""
    return make_form(
        council,
        step(
            "Foyer",
            field("short_text", "nom", "Nom", meaning="last_name"),
            field("integer", "quotient_familial", "Un nombre qui n'est pas le QF", required=False),
            field("integer", "mon_qf_a_moi", "Quotient familial", required=False, role="family_qf"),
            field("file", "piece_7", "Justificatif de domicile", role="proof_of_address"),
            field(
                "multiple_choice",
                "activites_de_l_annee",
                "Services",
                choices=["Restauration scolaire", "Accueil de loisirs, journée"],
                role="services_chosen",
            ),
        ),
        slug="dossier-famille",
        reference_prefix="DF",
        requires_qf=True,
        priced_services="cantine, alsh-journee",
    )


def test_a_form_is_priced_from_the_fields_with_the_qf_and_services_roles_whatever_their_keys(council_a, family):
    make_decree(council_a)
    page = odd_form(council_a)
    client = family_client(family)
    client.post(page.url)
    response = client.post(
        step_url(page, 1),
        {
            "nom": "Martin",
            "quotient_familial": "9000",
            "mon_qf_a_moi": "350",
            "piece_7": pdf("facture.pdf"),
            "activites_de_l_annee": ["Accueil de loisirs, journée"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    review = client.get(f"{page.url}verifier/").content.decode()
    assert "QF 350" in review or "350" in review.split('aria-labelledby="prices-title"')[1]
    client.post(f"{page.url}verifier/")
    dossier = page.dossiers.get()
    assert (dossier.qf, dossier.qf_source, dossier.qf_asked) == (350, "", True)
    # Only the service chosen is priced, with the QF of the field that has the role.
    confirmed = make_dossier(page, family, dossier.answers, qf=350, qf_source="cnaf")
    quotes = pricing.dossier_prices_compute(dossier=confirmed)["quotes"]
    assert [(quote["service"]["key"], quote["amount"]) for quote in quotes] == [("alsh-journee", "2.00")]
    # The proof of address is the file with that role: validation finds it.
    checks = {check.key: check.ok for check in workflow.validation_checks(dossier=dossier)}
    assert checks["proof_of_address"] is True


def test_without_the_role_the_same_keys_mean_nothing(council_a, family):
    make_decree(council_a)
    page = make_form(
        council_a,
        step(
            "Foyer",
            field("integer", "quotient_familial", "Quotient familial", required=False),
            field("file", "justificatif_domicile", "Justificatif de domicile", required=False),
            field("multiple_choice", "services", "Services", choices=["Restauration scolaire"], required=False),
        ),
        slug="sans-roles",
        priced_services="cantine, alsh-journee",
    )
    dossier = make_dossier(page, family, {"quotient_familial": 620, "services": ["Restauration scolaire"]})
    definition = dossier.get_definition()
    assert pricing.dossier_qf_from_answers(definition=definition, answers=dossier.answers, provenance={})[0] is None
    assert dossier.qf_asked is False
    assert pricing.services_chosen(dossier) is None  # no field says which were chosen: every service is priced
    assert {check.key for check in workflow.validation_checks(dossier=dossier)}.isdisjoint({"proof_of_address"})


def test_qf_missing_lists_only_dossiers_of_forms_that_ask_for_it(council_a, family, other_family):
    asks = make_dossier(odd_form(council_a), family, {"nom": "Martin"})
    enrolment = make_dossier(
        make_form(council_a, step("Enfant", field("short_text", "prenom", "Prénom")), slug="inscription"),
        other_family,
        {"prenom": "Lou"},
    )
    agent = otp_client(make_agent(council_a, "agent.a"))
    body = agent.get("/admin/dossiers/?qf=unknown").content.decode()
    assert asks.reference in body and enrolment.reference not in body
    assert (asks.qf_asked, enrolment.qf_asked) == (True, False)


def old_steps():
    """A form as stored before roles: the page settings named these keys."""
    return [
        {
            "type": "step",
            "value": {
                "title": "Foyer",
                "fields": [
                    {"type": "integer", "value": {"key": "quotient_familial", "label": "QF"}},
                    {"type": "file", "value": {"key": "justificatif", "label": "Domicile"}},
                    {
                        "type": "file",
                        "value": {"key": "assurance", "label": "Assurance", "role": "insurance_certificate"},
                    },
                    {"type": "multiple_choice", "value": {"key": "services", "label": "Services", "choices": []}},
                    {"type": "short_text", "value": {"key": "nom", "label": "Nom"}},
                ],
            },
        }
    ]


SETTINGS = {"quotient_familial": "family_qf", "justificatif": "proof_of_address", "services": "services_chosen"}


def test_the_migration_tags_the_fields_the_page_settings_named_in_steps_and_dossier_snapshots():
    raw = old_steps()
    assert migration._tag_steps(raw, SETTINGS, raw=True)
    roles = {block["value"]["key"]: block["value"].get("role") for block in raw[0]["value"]["fields"]}
    assert roles == {
        "quotient_familial": "family_qf",
        "justificatif": "proof_of_address",
        "assurance": "insurance_certificate",
        "services": "services_chosen",
        "nom": None,
    }
    assert not migration._tag_steps(raw, SETTINGS, raw=True)  # run twice: nothing more to do
    snapshot = [{"fields": [{**block["value"], "type": block["type"]} for block in old_steps()[0]["value"]["fields"]]}]
    assert not migration._asks_qf(snapshot)
    assert migration._tag_steps(snapshot, {"quotient_familial": "family_qf"}, raw=False)
    assert migration._asks_qf(snapshot) and snapshot[0]["fields"][0]["role"] == "family_qf"


def test_a_stored_dossier_keeps_its_prices_once_its_snapshot_is_tagged(council_a, family):
    """A dossier sent before roles (no role in its snapshot) is priced from its QF field once tagged."""
    make_decree(council_a)
    page = odd_form(council_a)
    dossier = make_dossier(page, family, {"mon_qf_a_moi": 350, "activites_de_l_annee": ["Restauration scolaire"]})
    for spec in dossier.definition[0]["fields"]:
        spec.pop("role", None)
    assert pricing.services_chosen(dossier) is None
    assert migration._tag_steps(
        dossier.definition, {"mon_qf_a_moi": "family_qf", "activites_de_l_annee": "services_chosen"}, raw=False
    )
    assert pricing.services_chosen(dossier) == ["Restauration scolaire"]
    assert (
        pricing.dossier_qf_from_answers(definition=dossier.get_definition(), answers=dossier.answers, provenance={})[0]
        == 350
    )
    assert dossier.status == S.SUBMITTED


# The household's attributes, picked in the form builder (issue 17) ---------------------------------------

EXPECTED_ROLES = {
    "short_text": {"child", "child_school", "child_class"},
    "email": {"guardian_email"},
    "phone": {"guardian_phone"},
    "date": {"birth_date"},
    "integer": {"family_qf"},
    "decimal": {"family_qf"},
    "yes_no": {"child_aeeh"},
    "single_choice": {"child_sex", "child_diet"},
    "multiple_choice": {"services_chosen"},
    "file": {"proof_of_address", "insurance_certificate", "vaccinations"},
    "address": {"household_address"},
    "group": {"children"},
}


def offered(block) -> dict[str, set[str]]:
    """``{kind: roles its option "role" offers}`` among the blocks of a builder's stream block."""
    return {
        name: {value for value, _label in child.child_blocks["role"].field.choices if value}
        for name, child in block.child_blocks.items()
        if "role" in child.child_blocks
    }


def test_the_builder_offers_each_kind_the_roles_that_fit_it():
    fields = FormPage._meta.get_field("steps").stream_block.child_blocks["step"].child_blocks["fields"]
    assert offered(fields) == EXPECTED_ROLES
    items = fields.child_blocks["group"].child_blocks["fields"]
    assert offered(items) == {name: roles for name, roles in EXPECTED_ROLES.items() if name != "group"}
    meanings = fields.child_blocks["short_text"].child_blocks["meaning"].field.choices
    assert {value for value, _label in meanings if value} == {"first_name", "last_name"}


def builder_steps(*steps):
    """Steps as the form builder stores them: through the StreamField's block, which keeps only its options."""
    stream = FormPage._meta.get_field("steps").stream_block
    return stream.get_prep_value(stream.to_python(list(steps)))


def block(kind, key, label, **options):
    return {"type": kind, "value": {"key": key, "label": label, "required": False, **options}}


def test_a_form_built_with_household_roles_prefills_from_the_household(council_a, family):
    steps = builder_steps(
        {
            "type": "step",
            "value": {
                "title": "Foyer",
                "fields": [
                    block("short_text", "nom_parent", "Nom", meaning="last_name"),
                    block("short_text", "prenom_parent", "Prénom", meaning="first_name"),
                    block("phone", "portable", "Portable", role="guardian_phone"),
                    block("email", "mel", "Courriel", role="guardian_email"),
                    block(
                        "group",
                        "marmaille",
                        "Enfants",
                        item_label="Enfant",
                        min_items=0,
                        max_items=4,
                        role="children",
                        fields=[
                            block("short_text", "p", "Prénom", meaning="first_name"),
                            block("date", "d", "Né le", role="birth_date"),
                            block("single_choice", "s", "Sexe", choices=["Féminin", "Masculin"], role="child_sex"),
                            block("short_text", "e", "École", role="child_school"),
                            block("short_text", "c", "Classe", role="child_class"),
                            block("yes_no", "a", "AEEH", role="child_aeeh"),
                            block("single_choice", "r", "Repas", choices=["Standard", "Sans porc"], role="child_diet"),
                        ],
                    ),
                ],
            },
        }
    )
    page = make_form(council_a, *steps, slug="dossier-famille", reference_prefix="DF")
    child = {
        "p": "Emma",
        "d": "2019-03-02",
        "s": "Féminin",
        "e": "Jules Ferry",
        "c": "CE1",
        "a": False,
        "r": "Sans porc",
    }
    sent = {
        "nom_parent": "Fontaine",
        "prenom_parent": "Julien",
        "portable": "06 12 34 56 78",
        "mel": "julien@example.fr",
        "marmaille": [child],
    }
    make_dossier(page, family, sent)  # the household is made from it, as at submit
    household = household_for(user=family, council=council_a)
    emma = household.children.get()
    assert (emma.sex, emma.school, emma.school_class, emma.aeeh, emma.diet) == (
        "F",
        "Jules Ferry",
        "CE1",
        False,
        "Sans porc",
    )
    assert household.guardians.get().phone == "06 12 34 56 78"
    prefilled = household_answers(household=household, definition=page.build_definition())
    assert prefilled == sent
    # The yes/no prefilled "no" shows as "no" (its stored answer is a boolean, read by its kind).
    aeeh = next(spec for spec in page.build_definition().steps[0]["fields"][4]["fields"] if spec["key"] == "a")
    assert field_type(aeeh).to_initial(aeeh, prefilled["marmaille"][0]["a"]) == {"a": "non"}


def test_a_yes_no_answer_is_read_by_its_kind_stored_answers_and_older_words_alike():
    kind = FIELD_TYPES["yes_no"]
    assert [kind.is_yes(answer) for answer in (True, False, None, "", "oui", "non", "yes", "no")] == [
        True,
        False,
        False,
        False,
        True,
        False,
        True,
        False,
    ]
    spec = {"key": "a"}
    assert kind.to_initial(spec, "non") == {"a": "non"} and kind.display(spec, "non") == "Non"


def test_a_form_about_one_child_reads_and_writes_the_childs_attributes_by_their_roles(council_a, family):
    famille = make_form(
        council_a,
        *builder_steps(
            {
                "type": "step",
                "value": {
                    "title": "Foyer",
                    "fields": [
                        block("short_text", "nom", "Nom", meaning="last_name"),
                        block(
                            "group",
                            "enfants",
                            "Enfants",
                            item_label="Enfant",
                            min_items=0,
                            max_items=4,
                            role="children",
                            fields=[
                                block("short_text", "prenom", "Prénom", meaning="first_name"),
                                block("single_choice", "sexe", "Sexe", choices=["Fille", "M."], role="child_sex"),
                                block("short_text", "ecole", "École", role="child_school"),
                            ],
                        ),
                    ],
                },
            }
        ),
        slug="dossier-famille",
    )
    make_dossier(
        famille, family, {"nom": "Martin", "enfants": [{"prenom": "Léa", "sexe": "Fille", "ecole": "Pasteur"}]}
    )
    enrolment = make_form(
        council_a,
        *builder_steps(
            {
                "type": "step",
                "value": {
                    "title": "L'enfant",
                    "fields": [
                        block("short_text", "qui", "Prénom de l'enfant", meaning="first_name", role="child"),
                        block("single_choice", "genre", "Sexe", choices=["Féminin", "Masculin"], role="child_sex"),
                        block("short_text", "etablissement", "École", role="child_school"),
                        block("single_choice", "repas", "Repas", choices=["Standard", "Sans porc"], role="child_diet"),
                    ],
                },
            }
        ),
        slug="inscription",
        reference_prefix="IE",
    )
    household = household_for(user=family, council=council_a)
    lea = household.children.get()
    draft = Draft.objects.create(form_page=enrolment, user=family)
    draft_child_choose(draft=draft, definition=enrolment.build_definition(), child=lea)
    assert draft.answers == {"qui": "Léa", "genre": "Féminin", "etablissement": "Pasteur"}
    make_dossier(enrolment, family, {**draft.answers, "repas": "Sans porc"}, provenance=draft.provenance)
    lea.refresh_from_db()
    assert (lea.sex, lea.school, lea.diet) == ("F", "Pasteur", "Sans porc")  # a diet new on file goes in at submit
