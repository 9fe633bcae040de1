"""An editor builds a form in the Wagtail admin (steps, a condition, a repeatable group); a family sends it."""

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from forms.models import Dossier, FormIndexPage, FormPage
from tests.conftest import otp_client

from .conftest import family_client, step_url

NO_CONDITION = {"field": "", "operator": "equals", "value": "", "reference_date": ""}


def admin_field(label, key="", required=True, condition=None, **options):
    value = {"label": label, "key": key, "help_text": "", "condition": condition or NO_CONDITION, **options}
    if required:
        value["required"] = "on"
    return value


def choices(*labels):
    data = {str(i): {"value": label, "deleted": "", "order": str(i), "id": ""} for i, label in enumerate(labels)}
    data["count"] = str(len(labels))
    return data


def page_data(steps, **overrides):
    return nested_form_data(
        {
            "title": "Inscription au centre de loisirs",
            "slug": "inscription-centre",
            "intro": rich_text("<p>Inscrivez vos enfants.</p>"),
            "steps": streamfield(steps),
            "opens_at": "",
            "closes_at": "",
            "access": "family",
            "multiplicity": "one_per_period",
            "allowed_file_types": "pdf, jpg, png",
            "max_file_size_mb": "10",
            "reference_prefix": "CL",
            "confirmation_message": rich_text("<p>Merci.</p>"),
            "email_subject": "",
            "email_body": "",
            "action-publish": "action-publish",
            **overrides,
        }
    )


def good_steps(second_key="enfants"):
    return [
        (
            "step",
            {
                "title": "Votre foyer",
                "intro": "",
                "condition": NO_CONDITION,
                "fields": streamfield(
                    [
                        ("short_text", admin_field("Nom de famille")),
                        ("yes_no", admin_field("Avez-vous un quotient familial CAF ?", key="a_qf")),
                        (
                            "caf_number",
                            admin_field(
                                "Numéro d'allocataire",
                                key="caf",
                                condition={**NO_CONDITION, "field": "a_qf", "value": "oui"},
                            ),
                        ),
                    ]
                ),
            },
        ),
        (
            "step",
            {
                "title": "Vos enfants",
                "intro": "",
                "condition": NO_CONDITION,
                "fields": streamfield(
                    [
                        (
                            "group",
                            admin_field(
                                "Enfants",
                                key=second_key,
                                item_label="Enfant",
                                min_items="1",
                                max_items="4",
                                add_label="Ajouter un enfant",
                                remove_label="Retirer cet enfant",
                                fields=streamfield(
                                    [
                                        ("short_text", admin_field("Prénom", key="prenom")),
                                        (
                                            "single_choice",
                                            admin_field(
                                                "Classe",
                                                key="classe",
                                                choices=choices("Maternelle", "Élémentaire"),
                                                display="radios",
                                            ),
                                        ),
                                    ]
                                ),
                            ),
                        )
                    ]
                ),
            },
        ),
    ]


def test_editor_builds_publishes_and_a_family_sends(council_a, editor_a, family):
    index = FormIndexPage(title="Démarches", slug="demarches")
    council_a.add_child(instance=index)
    index.save_revision().publish()
    editor = otp_client(editor_a)
    url = f"/admin/pages/add/forms/formpage/{index.pk}/"
    assert editor.get(url).status_code == 200

    # A duplicate key is refused with a clear message.
    bad = good_steps(second_key="a_qf")
    response = editor.post(url, page_data(bad))
    assert response.status_code == 200
    assert not FormPage.objects.exists()
    assert "la cl\\u00e9 \\u00ab a_qf \\u00bb est d\\u00e9j\\u00e0 utilis\\u00e9e" in response.content.decode()

    response = editor.post(url, page_data(good_steps()))
    assert response.status_code == 302, response.content.decode()[:3000]
    page = FormPage.objects.get()
    assert page.live
    definition = page.build_definition()
    # The key left empty was made from the label, once.
    assert definition.steps[0]["fields"][0]["key"] == "nom_de_famille"
    assert definition.steps[0]["fields"][2]["condition"]["field"] == "a_qf"

    client = family_client(family)
    client.post(page.url)
    assert (
        client.post(step_url(page, 1), {"nom_de_famille": "Martin", "a_qf": "non", "caf": "pas un numéro"}).status_code
        == 302
    )
    data = {"enfants-count": "1", "enfants-0-prenom": "Léa", "enfants-0-classe": "Maternelle"}
    assert client.post(step_url(page, 2), data).status_code == 302
    client.post(f"{page.url}verifier/")
    dossier = Dossier.objects.get()
    assert dossier.reference.startswith("CL-")
    assert dossier.answers == {
        "nom_de_famille": "Martin",
        "a_qf": False,
        "enfants": [{"prenom": "Léa", "classe": "Maternelle"}],
    }
