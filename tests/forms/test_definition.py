"""Definition checks: what an editor cannot save, with the reason in French."""

from forms.engine.definition import Definition, fill_missing_keys, key_from_label, validate_definition


def field(key, type_="short_text", label=None, condition=None, **options):
    return {
        "type": type_,
        "key": key,
        "label": label or key.title(),
        "help_text": "",
        "required": False,
        "health": False,
        "condition": condition,
        **options,
    }


def step(*fields, title="Étape", condition=None):
    return {"title": title, "intro": "", "condition": condition, "fields": list(fields)}


def on(key, operator="equals", value="oui"):
    return {"field": key, "operator": operator, "value": value, "reference_date": None}


def test_a_valid_definition_has_no_errors():
    definition = Definition(
        steps=[
            step(field("a_pai", "yes_no"), field("nom")),
            step(
                field("protocole", "file", condition=on("a_pai")),
                field(
                    "enfants",
                    "group",
                    fields=[
                        field("ne_le", "date"),
                        field("seul", "yes_no", condition=on("ne_le", "age_at_least", "8")),
                    ],
                ),
            ),
        ]
    )
    assert validate_definition(definition) == []


def test_duplicate_keys_are_refused():
    errors = validate_definition(Definition(steps=[step(field("nom")), step(field("nom", label="Nom (bis)"))]))
    assert len(errors) == 1
    assert "Étape 2" in errors[0] and "« nom »" in errors[0] and "déjà utilisée" in errors[0]


def test_condition_on_unknown_field_is_refused():
    errors = validate_definition(Definition(steps=[step(field("nom", condition=on("inconnu")))]))
    assert any("n'est pas un champ de ce formulaire" in error for error in errors)


def test_condition_on_later_field_is_refused():
    errors = validate_definition(Definition(steps=[step(field("a", condition=on("b")), field("b", "yes_no"))]))
    assert any("vient plus loin" in error for error in errors)


def test_step_condition_cannot_use_its_own_fields():
    errors = validate_definition(Definition(steps=[step(field("b", "yes_no"), condition=on("b"))]))
    assert any("vient plus loin" in error for error in errors)


def test_empty_choices_are_refused():
    errors = validate_definition(Definition(steps=[step(field("choix", "single_choice", choices=[]))]))
    assert any("au moins un choix" in error for error in errors)


def test_age_condition_needs_a_date_field_and_a_number():
    errors = validate_definition(
        Definition(steps=[step(field("nom"), field("x", condition=on("nom", "age_under", "huit")))])
    )
    assert any("nombre entier" in error for error in errors)
    errors = validate_definition(
        Definition(steps=[step(field("nom"), field("x", condition=on("nom", "age_under", "8")))])
    )
    assert any("date de naissance" in error for error in errors)


def test_group_keys_are_unique_within_the_group_and_conditions_see_earlier_items():
    group = field("enfants", "group", fields=[field("prenom"), field("prenom")], min_items=3, max_items=2)
    errors = validate_definition(Definition(steps=[step(group)]))
    assert any("déjà utilisée dans ce groupe" in error for error in errors)
    assert any("minimum est supérieur au maximum" in error for error in errors)


def test_bad_keys_are_refused():
    errors = validate_definition(Definition(steps=[step(field("Nom de famille"))]))
    assert any("doit commencer par une lettre" in error for error in errors)


def test_keys_are_made_from_labels_once():
    assert key_from_label("Prénom de l'enfant", set()) == "prenom_de_l_enfant"
    assert key_from_label("Prénom", {"prenom"}) == "prenom_2"
    assert key_from_label("2e parent", set()).startswith("champ_")
    values = [{"key": "", "label": "Nom"}, {"key": "nom", "label": "Nom d'usage"}, {"label": "Texte"}]
    fill_missing_keys(values, set())
    assert values[0]["key"] == "nom_2" and values[1]["key"] == "nom"
    assert "key" not in values[2]


def test_a_role_read_on_one_field_is_given_to_one_top_level_field():
    twice = Definition(
        steps=[step(field("qf", "integer", role="family_qf")), step(field("qf_bis", "integer", role="family_qf"))]
    )
    errors = validate_definition(twice)
    assert len(errors) == 1 and "Étape 2" in errors[0] and "Le quotient familial (QF)" in errors[0]
    assert "déjà donné à un autre champ" in errors[0]
    in_group = Definition(
        steps=[step(field("enfants", "group", fields=[field("justificatif", "file", role="proof_of_address")]))]
    )
    assert any("en dehors des groupes répétables" in error for error in validate_definition(in_group))
    # Roles of a person or a guardian may be given to several fields (two guardians' phones).
    phones = Definition(
        steps=[step(field("tel1", "phone", role="guardian_phone"), field("tel2", "phone", role="guardian_phone"))]
    )
    assert validate_definition(phones) == []
