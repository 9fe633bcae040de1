"""What a field or group is, whatever its label or key: the roles editors choose in the form builder.

Code asks a definition for a role (``Definition.field_with_role``), never for a key an editor typed. The
names are stored in definitions and dossiers: keep them stable.
"""

from django.utils.translation import gettext_lazy as _

CHILDREN = "children"  # a repeatable group: the children of the household
HOUSEHOLD_ADDRESS = "household_address"  # an address: where the household lives
LAST_NAME = "last_name"  # a short text: a person's last name
FIRST_NAME = "first_name"  # a short text: a person's first name
BIRTH_DATE = "birth_date"  # a date: a person's date of birth (a child's, in the children's group)

LABELS = {
    CHILDREN: _("Children of the household"),
    HOUSEHOLD_ADDRESS: _("Address of the household"),
    LAST_NAME: _("A person's last name"),
    FIRST_NAME: _("A person's first name"),
    BIRTH_DATE: _("A person's date of birth"),
}
PERSON_NAMES = (LAST_NAME, FIRST_NAME)


def choices(*names: str) -> list[tuple[str, str]]:
    """The builder's choices for these roles, in this order."""
    return [(name, LABELS[name]) for name in names]
