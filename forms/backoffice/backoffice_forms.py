"""Django forms of the agents' back-office: the actions on a dossier (the list filters are ``backoffice.desk``'s)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..family.pricing import CASE_CHOICES, CASE_LABELS, PROOF_PROVIDERS
from ..family.selectors import agents_of_council
from ..models import CorrectionReason


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Private note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AssignForm(forms.Form):
    agent = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {str(agent.pk): agent for agent in agents_of_council(council=council)}
        self.fields["agent"].choices = [("", _("Nobody"))] + [
            (pk, agent.get_full_name() or agent.get_username()) for pk, agent in self.agents.items()
        ]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Message to the family"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CorrectionRequestForm(forms.Form):
    """One optional reason per answer of the dossier; the chosen ones are what the family must fix."""

    message = forms.CharField(
        label=_("Message to the family"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for number, target in enumerate(targets):
            self.fields[f"item_{number}"] = forms.ChoiceField(
                label=target.label, choices=[("", _("Nothing to correct")), *CorrectionReason.choices], required=False
            )

    def items(self) -> list[tuple[str, str]]:
        return [
            (target.path, self.cleaned_data[f"item_{number}"])
            for number, target in enumerate(self.targets)
            if self.cleaned_data.get(f"item_{number}")
        ]

    def clean(self):
        data = super().clean()
        if not self.items():
            raise forms.ValidationError(_("Choose at least one answer or document to correct."))
        return data

    def target_fields(self):
        return [self[f"item_{number}"] for number in range(len(self.targets))]


class ValidateForm(forms.Form):
    qf = forms.IntegerField(
        label=_("QF read on a proof"),
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Leave empty to keep the QF known (fetched from the CAF or MSA)."),
    )
    qf_month = forms.DateField(
        label=_("Month of that QF"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    qf_provider = forms.ChoiceField(
        label=_("Proof the QF was read on"),
        required=False,
        choices=[("", _("Choose")), *PROOF_PROVIDERS],
        help_text=_("It decides the column of the tariff decree."),
    )
    maximum_tariff = forms.BooleanField(label=_("No proof of income: the maximum tariff applies"), required=False)
    case = forms.ChoiceField(label=_("Price column"), required=False)
    residence = forms.ChoiceField(label=_("Residence"), required=False)
    pricing_reason = forms.CharField(
        label=_("Reason for changing the column or the residence"),
        required=False,
        max_length=500,
        help_text=_("Required when you change what was derived from the dossier; kept in the internal history."),
    )
    override = forms.BooleanField(
        label=_("Validate although conditions are missing (recorded in the history)"), required=False
    )
    comment = forms.CharField(
        label=_("Message to the family"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, derived_case=None, derived_residence=None, **kwargs):
        super().__init__(*args, **kwargs)
        case_text = CASE_LABELS.get(derived_case.value, _("none")) if derived_case else "—"
        self.fields["case"].choices = [
            ("", _("The column of the QF's provider (derived: %(case)s)") % {"case": case_text}),
            *CASE_CHOICES,
        ]
        if derived_case:
            self.fields["case"].help_text = derived_case.reason
        if derived_residence is None or derived_residence.value is None:
            derived_text = _("unknown, counted as resident")
        else:
            derived_text = _("resident") if derived_residence.value else _("not resident")
        self.fields["residence"].choices = [
            ("", _("As derived from the address (%(residence)s)") % {"residence": derived_text}),
            ("resident", _("Resident: lives in a commune the council serves")),
            ("non_resident", _("Not resident: lives elsewhere")),
        ]
        if derived_residence:
            self.fields["residence"].help_text = derived_residence.reason

    def clean(self):
        data = super().clean()
        if data.get("qf") is not None and not data.get("qf_month"):
            self.add_error("qf_month", _("Give the month the QF applies to."))
        if data.get("qf") is not None and not data.get("qf_provider"):
            self.add_error("qf_provider", _("Say which proof the QF was read on (CAF, MSA or tax notice)."))
        return data

    def resident(self) -> bool | None:
        return {"resident": True, "non_resident": False}.get(self.cleaned_data.get("residence") or "")


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=100)
