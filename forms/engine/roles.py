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
# Household attributes a field reads and writes (forms/family/household_services.py).
CHILD = "child"  # a top-level short text: the form is about one child of the household, this is its first name
GUARDIAN_PHONE = "guardian_phone"  # a phone field: a guardian's (the first one: the first guardian's)
GUARDIAN_EMAIL = "guardian_email"  # an email field: a guardian's
CHILD_SEX = "child_sex"  # a choice field: a child's sex (answers starting with F or M)
CHILD_SCHOOL = "child_school"  # a short text: a child's school
CHILD_CLASS = "child_class"  # a short text: a child's class
CHILD_AEEH = "child_aeeh"  # a yes/no field: the family receives the AEEH for the child
CHILD_DIET = "child_diet"  # a choice field: a child's diet
INSURANCE = "insurance_certificate"  # a file field: the insurance certificate (valid for the school year)
VACCINATIONS = "vaccinations"  # a file field: the vaccination pages of the health record
# What the back-office reads (forms/family/pricing.py, forms/backoffice/workflow.py): top-level fields.
FAMILY_QF = "family_qf"  # a number: the family quotient (QF), typed or filled from the CAF or MSA
PROOF_OF_ADDRESS = "proof_of_address"  # a file field: the proof of address, required before validation
SERVICES_CHOSEN = "services_chosen"  # a multiple choice: the services enrolled in (their label in the decree)

LABELS = {
    CHILDREN: _("Children of the household"),
    HOUSEHOLD_ADDRESS: _("Address of the household"),
    LAST_NAME: _("A person's last name"),
    FIRST_NAME: _("A person's first name"),
    BIRTH_DATE: _("A person's date of birth"),
    CHILD: _("The child the form is about (first name)"),
    GUARDIAN_PHONE: _("A guardian's phone number"),
    GUARDIAN_EMAIL: _("A guardian's email address"),
    CHILD_SEX: _("A child's sex"),
    CHILD_SCHOOL: _("A child's school"),
    CHILD_CLASS: _("A child's class"),
    CHILD_AEEH: _("AEEH received for the child"),
    CHILD_DIET: _("A child's diet"),
    INSURANCE: _("Insurance certificate"),
    VACCINATIONS: _("Vaccination pages of the health record"),
    FAMILY_QF: _("The family quotient (QF)"),
    PROOF_OF_ADDRESS: _("Proof of address"),
    SERVICES_CHOSEN: _("The services chosen (priced)"),
}
PERSON_NAMES = (LAST_NAME, FIRST_NAME)


def choices(*names: str) -> list[tuple[str, str]]:
    """The builder's choices for these roles, in this order."""
    return [(name, LABELS[name]) for name in names]
