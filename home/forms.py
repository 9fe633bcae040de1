"""Public forms of the ``home`` app: accepting a set of rules, simulating a price."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


def acceptance_checkbox_label(version) -> str:
    """The exact sentence a family ticks; it is recorded, as shown, with the acceptance."""
    return _("I have read version %(number)s of “%(title)s”, in force from %(date)s, and I accept it.") % {
        "number": version.number,
        "title": version.title,
        "date": date_format(version.effective_date),
    }


class RulesAcceptanceForm(forms.Form):
    guardian_name = forms.CharField(
        label=_("Your first name and surname"),
        max_length=255,
        help_text=_("The parent or guardian who accepts the rules."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    accept = forms.BooleanField(required=True, error_messages={"required": _("Tick the box to accept the rules.")})

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept"].label = acceptance_checkbox_label(version)
