"""Stored forms and dossiers keep working: the data migration gives their fields the roles code asks for."""

import importlib

migration = importlib.import_module("forms.migrations.0013_date_role_of_birth")


def children_group(*fields):
    return {"type": "group", "key": "enfants", "fields": list(fields)}


def test_a_dossier_snapshot_gets_the_roles_its_keys_meant():
    steps = [
        {
            "fields": [
                {"type": "short_text", "key": "nom", "label": "Nom du parent"},
                children_group(
                    {"type": "short_text", "key": "prenom"},
                    {"type": "short_text", "key": "nom"},
                    {"type": "date", "key": "date_naissance"},
                    {"type": "short_text", "key": "surnom"},
                ),
            ]
        }
    ]
    assert migration._tag_definition(steps)
    parent, group = steps[0]["fields"]
    assert "meaning" not in parent  # only a group's items were filled by their keys
    assert [(child.get("meaning"), child.get("role")) for child in group["fields"]] == [
        ("first_name", None),
        ("last_name", None),
        (None, "birth_date"),
        (None, None),
    ]
    assert not migration._tag_definition(steps)  # once is enough


def test_a_role_an_editor_chose_is_kept():
    raw = [{"value": {"fields": [{"type": "group", "value": {"fields": [
        {"type": "short_text", "value": {"key": "nom", "meaning": "first_name"}},
    ]}}]}}]  # fmt: skip
    assert not migration._tag_raw(raw)
    assert raw[0]["value"]["fields"][0]["value"]["fields"][0]["value"]["meaning"] == "first_name"
