"""Repeatable groups (add/remove without JavaScript, min/max) and display conditions on the server."""

from forms.models import Draft

from .conftest import family_client, field, group, make_form, step, step_url, when


def children_form(council, **group_options):
    return make_form(
        council,
        step(
            "Enfants",
            group(
                "enfants",
                field("short_text", "prenom", "Prénom"),
                field("date", "ne_le", "Date de naissance"),
                field(
                    "yes_no",
                    "rentre_seul",
                    "Peut rentrer seul",
                    condition=when("ne_le", "age_at_least", "8", "2026-09-01"),
                ),
                **group_options,
            ),
        ),
    )


def start(client, page):
    client.post(page.url)


def test_add_and_remove_items_without_javascript(council_a, family):
    page = children_form(council_a, min_items=1, max_items=3)
    client = family_client(family)
    start(client, page)
    response = client.post(step_url(page, 1), {"enfants-count": "1", "enfants-0-prenom": "Léa", "_add": "enfants"})
    assert response.status_code == 302 and response["Location"].endswith("#group-enfants")
    draft = Draft.objects.get()
    assert draft.answers["enfants"] == [{"prenom": "Léa"}, {}]
    body = client.get(step_url(page, 1)).content.decode()
    assert 'name="enfants-1-prenom"' in body and 'value="Léa"' in body
    client.post(
        step_url(page, 1),
        {"enfants-count": "2", "enfants-0-prenom": "Léa", "enfants-1-prenom": "Tom", "_remove": "enfants-0"},
    )
    assert Draft.objects.get().answers["enfants"] == [{"prenom": "Tom"}]


def test_max_items_hides_add_and_is_enforced(council_a, family):
    page = children_form(council_a, min_items=1, max_items=2)
    client = family_client(family)
    start(client, page)
    client.post(step_url(page, 1), {"enfants-count": "1", "enfants-0-prenom": "A", "_add": "enfants"})
    body = client.get(step_url(page, 1)).content.decode()
    assert 'name="_add"' not in body
    # A forged count above the maximum is clamped.
    data = {"enfants-count": "5"}
    for i in range(5):
        data[f"enfants-{i}-prenom"] = f"E{i}"
        data[f"enfants-{i}-ne_le"] = "2020-01-01"
    client.post(step_url(page, 1), data)
    assert len(Draft.objects.get().answers["enfants"]) == 2


def test_min_items_is_enforced(council_a, family):
    page = children_form(council_a, min_items=2, max_items=4)
    client = family_client(family)
    start(client, page)
    response = client.post(
        step_url(page, 1), {"enfants-count": "1", "enfants-0-prenom": "Léa", "enfants-0-ne_le": "2020-01-01"}
    )
    assert response.status_code == 200
    assert "group-enfants" in response.content.decode()


def test_condition_inside_item_uses_the_item_birth_date(council_a, family):
    page = children_form(council_a)
    client = family_client(family)
    start(client, page)
    response = client.post(
        step_url(page, 1),
        {
            "enfants-count": "2",
            "enfants-0-prenom": "Grand",
            "enfants-0-ne_le": "2015-03-01",
            "enfants-0-rentre_seul": "oui",
            "enfants-1-prenom": "Petit",
            "enfants-1-ne_le": "2021-03-01",
            "enfants-1-rentre_seul": "oui",  # shown only for 8 and over: ignored
        },
    )
    assert response.status_code == 302
    assert Draft.objects.get().answers["enfants"] == [
        {"prenom": "Grand", "ne_le": "2015-03-01", "rentre_seul": True},
        {"prenom": "Petit", "ne_le": "2021-03-01"},
    ]


def test_hidden_field_is_not_required_and_its_answer_ignored(council_a, family):
    page = make_form(
        council_a,
        step(
            "Santé",
            field("yes_no", "a_pai", "PAI ?"),
            field("long_text", "allergies", "Allergies", condition=when("a_pai")),
        ),
    )
    client = family_client(family)
    start(client, page)
    response = client.post(step_url(page, 1), {"a_pai": "non", "allergies": "arachide"})
    assert response.status_code == 302
    assert Draft.objects.get().answers == {"a_pai": False}
    # Shown and required once the answer is "oui".
    response = client.post(step_url(page, 1), {"a_pai": "oui", "allergies": ""})
    assert response.status_code == 200
    # Without JavaScript the field is there, with its condition explained.
    body = response.content.decode()
    assert "data-condition=" in body and "data-condition-text" in body


def test_field_hidden_by_an_answer_of_the_same_step_is_still_there_to_show(council_a, family):
    """Before "oui" is chosen, the conditional field is rendered (label and input) for the browser to show
    it when the answer changes; without JavaScript it is explained. A typed value is kept on errors."""
    page = make_form(
        council_a,
        step(
            "Santé",
            field("yes_no", "a_pai", "PAI ?"),
            field("long_text", "allergies", "Allergies", condition=when("a_pai")),
        ),
    )
    client = family_client(family)
    start(client, page)
    body = client.get(step_url(page, 1)).content.decode()
    allergies = body.split('data-key="allergies"')[1].split('<div class="field')[0]
    assert 'name="allergies"' in allergies and "Allergies" in allergies and "None" not in allergies
    response = client.post(step_url(page, 1), {"allergies": "arachide"})
    assert response.status_code == 200  # the yes/no question is required
    assert "arachide" in response.content.decode()


def test_step_condition_skips_a_step(council_a, family):
    page = make_form(
        council_a,
        step("Un", field("yes_no", "a_pai", "PAI ?")),
        step("PAI", field("short_text", "medecin", "Médecin"), condition=when("a_pai")),
        step("Fin", field("short_text", "fin", "Fin")),
    )
    client = family_client(family)
    start(client, page)
    assert client.post(step_url(page, 1), {"a_pai": "non"})["Location"].endswith("etape/3/")
    # Going to the hidden step directly jumps over it.
    assert client.get(step_url(page, 2))["Location"].endswith("etape/3/")
    assert client.post(step_url(page, 1), {"a_pai": "oui"})["Location"].endswith("etape/2/")
