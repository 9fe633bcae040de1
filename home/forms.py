"""Public forms of the ``home`` app: accepting a set of rules, simulating a price."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import tariffs


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


class YesNoField(forms.Field):
    """A yes/no answer that also reads the API's spellings (true/false, 1/0, oui/non); empty: the initial."""

    TRUE = {"true", "1", "yes", "oui", "on"}
    FALSE = {"false", "0", "no", "non", "off"}
    default_error_messages = {"invalid": _("Answer yes or no (true or false).")}

    def __init__(self, *, default: bool, **kwargs):
        self.default = default
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.RadioSelect(choices=[("true", _("Yes")), ("false", _("No"))]))
        kwargs.setdefault("initial", "true" if default else "false")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return self.default
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class TariffSimulationForm(forms.Form):
    """The household a price is simulated for: the decree page's form and the quote API's parameters."""

    service = forms.ChoiceField(label=_("Service"))
    qf = forms.IntegerField(
        label=_("Quotient familial (QF)"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_("As on your CAF or MSA certificate. Not needed for the crèche or a flat price."),
    )
    resources = forms.DecimalField(
        label=_("Monthly resources (€)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Crèche only: your yearly resources of year N-2, before deductions, divided by 12."),
    )
    children = forms.IntegerField(label=_("Children in your care"), min_value=1, max_value=20, required=False)
    aeeh = forms.IntegerField(
        label=_("Of whom receiving the AEEH (disabled child's allowance)"), min_value=0, max_value=20, required=False
    )
    resident = YesNoField(label=_("Do you live in the commune?"), default=True)
    proof = YesNoField(label=_("Will you give a proof of income?"), default=True)
    provider = forms.ChoiceField(
        label=_("Your QF comes from"),
        required=False,
        choices=[
            ("", _("Choose")),
            (tariffs.QFCase.CAF.value, _("the CAF (you are a CAF allocataire)")),
            (tariffs.QFCase.MSA.value, _("the MSA (you are an MSA allocataire)")),
            (tariffs.QFCase.NON_ALLOCATAIRE.value, _("your tax notice (no CAF or MSA file)")),
        ],
        help_text=_("Some prices differ for CAF, MSA and non-allocataire families."),
    )
    column = forms.ChoiceField(label=_("Price column"), required=False)

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.fields["service"].choices = [(rule.key, rule.label) for rule in grid.services]
        columns = {}
        for rule in grid.services:
            if isinstance(rule, tariffs.TrancheRule) and len(rule.columns) > 1:
                columns.update({column.key: column.label for column in rule.columns})
        # ``column`` picks a column by its key (quote API); families answer ``provider`` instead.
        self.fields["column"].choices = [("", _("Column of the family's case")), *columns.items()]
        self.fields["column"].widget = forms.HiddenInput()
        if not columns:
            self.fields["provider"].widget = forms.HiddenInput()
        self.quote = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            household = tariffs.Household(
                qf=cleaned.get("qf"),
                resident=cleaned["resident"],
                children=cleaned.get("children") or 1,
                aeeh=cleaned.get("aeeh") or 0,
                monthly_resources=cleaned.get("resources"),
                proof=cleaned["proof"],
                case=cleaned.get("provider") or None,
            )
            self.quote = tariffs.quote(self.grid, cleaned["service"], household, column=cleaned.get("column") or "")
        except tariffs.TariffError as error:
            name = "provider" if error.field == "case" else error.field
            self.add_error(name if name in self.fields else None, error.message)
        return cleaned


def tariff_simulation(params, *, grid) -> dict:
    """The decree page's "simulate my price" form (GET, no JavaScript): bound once a service is chosen."""
    bound = "service" in params
    data = None
    if bound:
        # Unanswered yes/no questions take their default, and the radios show it.
        data = params.copy()
        for name in ("resident", "proof"):
            data.setdefault(name, "true")
    form = TariffSimulationForm(data, grid=grid, auto_id="sim-%s")
    quote = form.quote if bound and form.is_valid() else None
    return {"simulation_form": form, "simulation_quote": quote}
