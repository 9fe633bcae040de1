"""A date may declare the role "a person's date of birth"; the fields of existing forms get the roles that
code now asks for instead of their keys.

Before roles, a data source filled a group's items by their fields' keys (``prenom``, ``nom``, ``ne_le``,
``date_de_naissance``, or the API's own names). This one-time migration reads those keys once, so that no code has to again: in each
form's steps, its revisions and every dossier's definition snapshot, a group's short text keyed ``prenom``
gets the role "first name", ``nom`` "last name", and a date keyed ``ne_le`` or ``date_de_naissance`` "date
of birth" (fields that already declare a role keep it).
"""

import wagtail.fields
from django.db import migrations

from forms.migrations._definitions import definitions_rewrite

import connectors.prefill

# (kind, key) of a group's field -> (option holding its role, role): a short text's is named "meaning".
ROLES_BY_KEY = {
    ("short_text", "prenom"): ("meaning", "first_name"),
    ("short_text", "nom"): ("meaning", "last_name"),
    ("short_text", "prenoms"): ("meaning", "first_name"),
    ("short_text", "nom_naissance"): ("meaning", "last_name"),
    ("date", "date_naissance"): ("role", "birth_date"),
    ("date", "ne_le"): ("role", "birth_date"),
    ("date", "date_de_naissance"): ("role", "birth_date"),
}


def _tag(kind, value) -> bool:
    option, role = ROLES_BY_KEY.get((kind, value.get("key")), (None, None))
    if option is None or value.get(option):
        return False
    value[option] = role
    return True


def _tag_raw(raw_steps) -> bool:
    changed = False
    for step in raw_steps or []:
        for block in (step.get("value") or {}).get("fields") or []:
            if block.get("type") != "group":
                continue
            for child in (block.get("value") or {}).get("fields") or []:
                changed = _tag(child.get("type"), child.setdefault("value", {})) or changed
    return changed


def _tag_definition(steps) -> bool:
    changed = False
    for step in steps or []:
        for spec in step.get("fields") or []:
            if spec.get("type") == "group":
                for child in spec.get("fields") or []:
                    changed = _tag(child.get("type"), child) or changed
    return changed


def forwards(apps, schema_editor):
    definitions_rewrite(apps, tag_raw=_tag_raw, tag_definition=_tag_definition)


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0012_formpage_steps_roles_and_meanings"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="formpage",
            name="steps",
            field=wagtail.fields.StreamField(
                [("step", 57)],
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"label": "Step title", "max_length": 255}),
                    1: ("wagtail.blocks.TextBlock", (), {"label": "Introduction", "required": False}),
                    2: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Key of an earlier field. Leave empty to always show.",
                            "label": "Field key",
                            "max_length": 50,
                            "required": False,
                        },
                    ),
                    3: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("equals", "is equal to"),
                                ("not_equals", "is not equal to"),
                                ("one_of", "is one of (separate values with ;)"),
                                ("is_empty", "is empty"),
                                ("is_not_empty", "is not empty"),
                                ("greater_than", "is greater than"),
                                ("less_than", "is less than"),
                                ("age_under", "age (from this date of birth) is under N years"),
                                ("age_at_least", "age (from this date of birth) is N years or more"),
                            ],
                            "label": "Operator",
                            "required": False,
                        },
                    ),
                    4: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "For yes/no fields: oui or non. For ages: a number of years. Dates as DD/MM/YYYY.",
                            "label": "Value",
                            "required": False,
                        },
                    ),
                    5: (
                        "wagtail.blocks.DateBlock",
                        (),
                        {
                            "help_text": "Empty: the day the form is filled.",
                            "label": "Reference date for ages",
                            "required": False,
                        },
                    ),
                    6: (
                        "wagtail.blocks.StructBlock",
                        [[("field", 2), ("operator", 3), ("value", 4), ("reference_date", 5)]],
                        {"help_text": "Skip the whole step unless an earlier answer matches.", "required": False},
                    ),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "Label", "max_length": 255}),
                    8: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Machine name used in exports and conditions (lowercase letters, digits, _). Made from the label if empty, then kept when the label changes.",
                            "label": "Key",
                            "max_length": 50,
                            "required": False,
                        },
                    ),
                    9: ("wagtail.blocks.CharBlock", (), {"label": "Help text", "max_length": 500, "required": False}),
                    10: ("wagtail.blocks.BooleanBlock", (), {"default": True, "label": "Required", "required": False}),
                    11: (
                        "wagtail.blocks.StructBlock",
                        [[("field", 2), ("operator", 3), ("value", 4), ("reference_date", 5)]],
                        {"required": False},
                    ),
                    12: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "help_text": "Sensitive: shown only to agents allowed to see health data, never logged or exported by default.",
                            "label": "Health data",
                            "required": False,
                        },
                    ),
                    13: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("last_name", "A person's last name"), ("first_name", "A person's first name")],
                            "help_text": "What the answer is, whatever its label: agents find a dossier by a parent's or a child's name.",
                            "label": "Meaning",
                            "required": False,
                        },
                    ),
                    14: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("meaning", 13),
                            ]
                        ],
                        {},
                    ),
                    15: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                            ]
                        ],
                        {},
                    ),
                    16: ("wagtail.blocks.DateBlock", (), {"label": "Earliest date", "required": False}),
                    17: ("wagtail.blocks.DateBlock", (), {"label": "Latest date", "required": False}),
                    18: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {
                            "help_text": "For a date of birth: youngest age accepted.",
                            "label": "Minimum age",
                            "min_value": 0,
                            "required": False,
                        },
                    ),
                    19: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"label": "Maximum age", "min_value": 0, "required": False},
                    ),
                    20: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("birth_date", "A person's date of birth")],
                            "help_text": "A date of birth is filled from the CAF or MSA's data and read for ages, whatever its key.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    21: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_date", 16),
                                ("max_date", 17),
                                ("min_age", 18),
                                ("max_age", 19),
                                ("age_reference_date", 5),
                                ("role", 20),
                            ]
                        ],
                        {},
                    ),
                    22: ("wagtail.blocks.IntegerBlock", (), {"label": "Minimum", "required": False}),
                    23: ("wagtail.blocks.IntegerBlock", (), {"label": "Maximum", "required": False}),
                    24: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_value", 22),
                                ("max_value", 23),
                            ]
                        ],
                        {},
                    ),
                    25: (
                        "wagtail.blocks.DecimalBlock",
                        (),
                        {"decimal_places": 2, "label": "Minimum", "required": False},
                    ),
                    26: (
                        "wagtail.blocks.DecimalBlock",
                        (),
                        {"decimal_places": 2, "label": "Maximum", "required": False},
                    ),
                    27: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("min_value", 25),
                                ("max_value", 26),
                            ]
                        ],
                        {},
                    ),
                    28: ("wagtail.blocks.CharBlock", (), {"label": "Choice", "max_length": 255}),
                    29: ("wagtail.blocks.ListBlock", (28,), {"label": "Choices"}),
                    30: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {"choices": [("radios", "Radio buttons"), ("list", "Drop-down list")], "label": "Display"},
                    ),
                    31: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("choices", 29),
                                ("display", 30),
                            ]
                        ],
                        {},
                    ),
                    32: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("choices", 29),
                            ]
                        ],
                        {},
                    ),
                    33: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "help_text": "A document valid for a limited time, e.g. a proof of address under 3 months.",
                            "label": "Expires (asked again at renewal)",
                            "required": False,
                        },
                    ),
                    34: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("expires", 33),
                            ]
                        ],
                        {},
                    ),
                    35: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("household_address", "Address of the household")],
                            "help_text": "The household's address decides whether the family lives in the communes the council serves.",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    36: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("role", 35),
                            ]
                        ],
                        {},
                    ),
                    37: ("wagtail.blocks.CharBlock", (), {"label": "Heading", "max_length": 255, "required": False}),
                    38: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {"features": ["bold", "italic", "link", "ul", "ol"], "label": "Text"},
                    ),
                    39: ("wagtail.blocks.StructBlock", [[("label", 37), ("body", 38), ("condition", 11)]], {}),
                    40: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "E.g. Child, Person.", "label": "Name of one item", "max_length": 100},
                    ),
                    41: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 1, "label": "Minimum number of items", "min_value": 0},
                    ),
                    42: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 10, "label": "Maximum number of items", "min_value": 1},
                    ),
                    43: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "“Add” button text", "max_length": 100, "required": False},
                    ),
                    44: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "“Remove” button text", "max_length": 100, "required": False},
                    ),
                    45: (
                        "wagtail.blocks.StreamBlock",
                        [
                            [
                                ("short_text", 14),
                                ("long_text", 15),
                                ("email", 15),
                                ("phone", 15),
                                ("date", 21),
                                ("integer", 24),
                                ("decimal", 27),
                                ("yes_no", 15),
                                ("single_choice", 31),
                                ("multiple_choice", 32),
                                ("file", 34),
                                ("address", 36),
                                ("postcode", 15),
                                ("caf_number", 15),
                                ("consent", 15),
                                ("info", 39),
                            ]
                        ],
                        {"label": "Fields of each item"},
                    ),
                    46: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("children", "Children of the household")],
                            "help_text": "What the items are: the children of the household are counted for prices (crèche).",
                            "label": "Role",
                            "required": False,
                        },
                    ),
                    47: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("item_label", 40),
                                ("min_items", 41),
                                ("max_items", 42),
                                ("add_label", 43),
                                ("remove_label", 44),
                                ("fields", 45),
                                ("role", 46),
                            ]
                        ],
                        {},
                    ),
                    48: (
                        "wagtail.blocks.PageChooserBlock",
                        (),
                        {"label": "Rules page", "page_type": ["home.RulesPage"]},
                    ),
                    49: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("rules_page", 48),
                            ]
                        ],
                        {},
                    ),
                    50: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {"choices": connectors.prefill.fillable_choices, "label": "Data from API Particulier"},
                    ),
                    51: ("wagtail.blocks.CharBlock", (), {"label": "Key of the field to fill", "max_length": 50}),
                    52: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("locked", "Locked: the family cannot change the value"),
                                ("editable", "Editable: prefilled, the family may correct it"),
                                ("locked_unless_empty", "Locked, unless the API gave no value"),
                            ],
                            "label": "Mode",
                        },
                    ),
                    53: ("wagtail.blocks.StructBlock", [[("source", 50), ("target", 51), ("mode", 52)]], {}),
                    54: ("wagtail.blocks.ListBlock", (53,), {"label": "Fields to fill", "min_num": 1}),
                    55: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("label", 7),
                                ("key", 8),
                                ("help_text", 9),
                                ("required", 10),
                                ("condition", 11),
                                ("health", 12),
                                ("mappings", 54),
                            ]
                        ],
                        {},
                    ),
                    56: (
                        "wagtail.blocks.StreamBlock",
                        [
                            [
                                ("short_text", 14),
                                ("long_text", 15),
                                ("email", 15),
                                ("phone", 15),
                                ("date", 21),
                                ("integer", 24),
                                ("decimal", 27),
                                ("yes_no", 15),
                                ("single_choice", 31),
                                ("multiple_choice", 32),
                                ("file", 34),
                                ("address", 36),
                                ("postcode", 15),
                                ("caf_number", 15),
                                ("consent", 15),
                                ("info", 39),
                                ("group", 47),
                                ("rules", 49),
                                ("prefill", 55),
                            ]
                        ],
                        {"label": "Fields"},
                    ),
                    57: (
                        "wagtail.blocks.StructBlock",
                        [[("title", 0), ("intro", 1), ("condition", 6), ("fields", 56)]],
                        {},
                    ),
                },
                verbose_name="steps",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
