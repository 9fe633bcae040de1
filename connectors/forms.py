"""Forms the forms app embeds: the benefit holder's identity, and the opt-in consent to the call."""

import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .api_particulier.identity import FRANCE_COG, Identity

DEPARTMENT_RE = re.compile(r"^(?:\d{2}|2[AB]|97\d)$", re.IGNORECASE)
COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
COUNTRY_CODE_RE = re.compile(r"^99\d{3}$")

# The most frequent countries of birth, with their INSEE (COG) codes; any other: type its code.
COUNTRY_CHOICES = [
    ("", _("Choose a country")),
    ("99109", _("Germany")),
    ("99352", _("Algeria")),
    ("99131", _("Belgium")),
    ("99134", _("Spain")),
    ("99404", _("United States")),
    ("99127", _("Italy")),
    ("99350", _("Morocco")),
    ("99139", _("Portugal")),
    ("99132", _("United Kingdom")),
    ("99140", _("Switzerland")),
    ("99351", _("Tunisia")),
    ("99208", _("Turkey")),
    ("other", _("Another country (type its INSEE code)")),
]


class AllocataireIdentityForm(forms.Form):
    """The identity of the CAF/MSA benefit holder (allocataire), in the terms a family knows.

    ``fieldsets`` groups the fields for the template (a fieldset with a legend each). After
    ``is_valid()``, ``identity()`` returns the :class:`Identity` to pass to ``qf_fetch``.
    """

    intro = _(
        "Give the identity of the person who receives the family benefits (the CAF or MSA benefit holder, "
        "“allocataire”), exactly as on their birth certificate. The identity of the other parent will not be "
        "recognised."
    )

    birth_name = forms.CharField(
        label=_("Birth name"), max_length=100, help_text=_("The family name on the birth certificate.")
    )
    usage_name = forms.CharField(
        label=_("Usage name (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example a spouse's name, if the benefit holder uses one."),
    )
    first_name_1 = forms.CharField(label=_("First name"), max_length=100)
    first_name_2 = forms.CharField(label=_("Second first name (optional)"), max_length=100, required=False)
    first_name_3 = forms.CharField(label=_("Third first name (optional)"), max_length=100, required=False)
    sex = forms.ChoiceField(
        label=_("Sex on the civil record"),
        choices=[("F", _("Female")), ("M", _("Male"))],
        widget=forms.RadioSelect,
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("For example 25/01/1986.")
    )
    born_in = forms.ChoiceField(
        label=_("Born"),
        choices=[("france", _("In France")), ("abroad", _("Abroad"))],
        widget=forms.RadioSelect,
        initial="france",
    )
    birth_commune_name = forms.CharField(
        label=_("Town of birth"), max_length=100, required=False, help_text=_("If born in France.")
    )
    birth_department_code = forms.CharField(
        label=_("Département of birth (number)"),
        max_length=3,
        required=False,
        help_text=_("For example 21, 2A or 971."),
    )
    birth_commune_code = forms.CharField(
        label=_("INSEE code of the town of birth (optional)"),
        max_length=5,
        required=False,
        help_text=_("Five characters, if you know it; otherwise the town and its département are enough."),
    )
    birth_country = forms.ChoiceField(label=_("Country of birth"), choices=COUNTRY_CHOICES, required=False)
    birth_country_code = forms.CharField(
        label=_("INSEE code of the country of birth"),
        max_length=5,
        required=False,
        help_text=_("Five digits starting with 99, for example 99139 for Portugal."),
    )

    fieldsets = [
        (_("Name of the benefit holder"), ["birth_name", "usage_name", "first_name_1", "first_name_2", "first_name_3"]),
        (_("Sex and date of birth"), ["sex", "birth_date"]),
        (
            _("Place of birth"),
            [
                "born_in",
                "birth_commune_name",
                "birth_department_code",
                "birth_commune_code",
                "birth_country",
                "birth_country_code",
            ],
        ),
    ]

    # Fields shown only after another answer: ``{field: (field it depends on, value)}``. The browser
    # hides them until then (forms/static/forms/conditions.js); without JavaScript all show, with hints.
    shown_when = {
        "birth_commune_name": ("born_in", "france"),
        "birth_department_code": ("born_in", "france"),
        "birth_commune_code": ("born_in", "france"),
        "birth_country": ("born_in", "abroad"),
        "birth_country_code": ("birth_country", "other"),
    }

    def grouped_fields(self) -> list[tuple[str, list]]:
        """``(legend, bound fields)`` per fieldset, for templates."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def grouped_entries(self) -> list[tuple[str, list[dict]]]:
        """``(legend, [{"field", "key", "condition"}])`` per fieldset: ``key`` and ``condition`` (JSON) are
        the ``data-key`` and ``data-condition`` attributes that the display conditions script reads."""
        grouped = []
        for legend, names in self.fieldsets:
            entries = []
            for name in names:
                bound = self[name]
                condition = ""
                if name in self.shown_when:
                    source, value = self.shown_when[name]
                    condition = json.dumps({"field": self[source].html_name, "operator": "equals", "value": value})
                entries.append({"field": bound, "key": bound.html_name, "condition": condition})
            grouped.append((legend, entries))
        return grouped

    def typed_values(self) -> dict[str, str]:
        """What the family typed (valid form), as initial data: kept when it tries again after a failure."""
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value or "")
            for name, value in self.cleaned_data.items()
        }

    def clean(self):
        data = super().clean()
        if data.get("born_in") == "france":
            code = (data.get("birth_commune_code") or "").strip().upper()
            name = (data.get("birth_commune_name") or "").strip()
            department = (data.get("birth_department_code") or "").strip().upper()
            if code and not COMMUNE_CODE_RE.match(code):
                self.add_error("birth_commune_code", _("An INSEE town code has 5 characters, e.g. 21231 or 2A004."))
            if not code:
                if not name:
                    self.add_error("birth_commune_name", _("Enter the town of birth."))
                if not DEPARTMENT_RE.match(department):
                    self.add_error("birth_department_code", _("Enter the département number, e.g. 21, 2A or 971."))
        elif data.get("born_in") == "abroad":
            country = data.get("birth_country")
            code = (data.get("birth_country_code") or "").strip() if country in ("", "other", None) else country
            if not code:
                self.add_error("birth_country", _("Choose the country of birth."))
            elif not COUNTRY_CODE_RE.match(code) or code == FRANCE_COG:
                self.add_error("birth_country_code", _("A country's INSEE code has 5 digits and starts with 99."))
            else:
                data["birth_country_code"] = code
        return data

    def identity(self) -> Identity:
        """The benefit holder's identity typed in this (valid) form."""
        data = self.cleaned_data
        in_france = data["born_in"] == "france"
        return Identity(
            birth_name=data["birth_name"].strip(),
            usage_name=data.get("usage_name", "").strip(),
            first_names=tuple(
                data[name].strip() for name in ("first_name_1", "first_name_2", "first_name_3") if data.get(name)
            ),
            sex=data["sex"],
            birth_date=data["birth_date"],
            born_in_france=in_france,
            birth_country_code=FRANCE_COG if in_france else data["birth_country_code"],
            birth_commune_code=(data.get("birth_commune_code") or "").strip().upper() if in_france else "",
            birth_commune_name=(data.get("birth_commune_name") or "").strip() if in_france else "",
            birth_department_code=(data.get("birth_department_code") or "").strip().upper() if in_france else "",
        )


class PrefillConsentForm(forms.Form):
    """The opt-in box under the notice of a ``PrefillOffer`` (never ticked in advance)."""

    consent = forms.BooleanField(required=True, initial=False)
    text_version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.fields["consent"].label = offer.checkbox_label
        self.fields["consent"].help_text = offer.text
        self.fields["text_version"].initial = offer.text_version
        self.fields["consent"].error_messages["required"] = _(
            "Tick the box to fetch your data automatically, or choose to upload a document instead."
        )
