"""Django forms of the agents' back-office: list filters and the actions on a dossier."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from home.selectors import rules_acceptances_for_export, rules_pages_for_council, rules_version_in_force

from ..family.pricing import CASE_CHOICES, CASE_LABELS, PROOF_PROVIDERS
from ..family.selectors import agents_of_council
from ..models import CorrectionReason, Dossier, DossierStatus, FormPage
from .exports import answered_definitions


class DossierFilterForm(forms.Form):
    """The filters of the dossiers list (also those of the export, and what a saved filter keeps)."""

    q = forms.CharField(
        label=_("Reference, email or name"),
        help_text=_("A parent's or a child's name, as written in the dossier."),
        required=False,
        max_length=100,
    )
    form = forms.ModelChoiceField(label=_("Form"), queryset=FormPage.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *DossierStatus.choices], required=False)
    submitted_from = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assigned = forms.ChoiceField(label=_("Assigned agent"), required=False)
    qf_unknown = forms.BooleanField(label=_("QF unknown"), required=False)
    rules_not_accepted = forms.BooleanField(label=_("Rules not accepted"), required=False)

    def __init__(self, *args, user, councils: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.councils = councils
        # A semi-join (IN subquery), not a DISTINCT over the join: with 100 000 dossiers the latter took 13 s.
        with_dossiers = Dossier.objects.filter(council__in=councils).values("form_page_id")
        self.fields["form"].queryset = FormPage.objects.filter(pk__in=with_dossiers).order_by("title")
        agents = [(str(agent.pk), agent.get_full_name() or agent.get_username()) for agent in self._agents()]
        self.fields["assigned"].choices = [("", "—"), ("me", _("Me")), ("none", _("Nobody")), *agents]

    def _agents(self):
        seen, result = set(), []
        for council in self.councils:
            for agent in agents_of_council(council=council):
                if agent.pk not in seen:
                    seen.add(agent.pk)
                    result.append(agent)
        return result

    def apply(self, queryset):
        """``queryset`` narrowed by the valid filters (invalid ones are ignored)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            # Guardians' and children's names are answers: found through the fields that mean a person's name.
            name_paths = {
                path
                for definition, _health in answered_definitions(queryset)
                for path in definition.person_name_paths()
            }
            for word in data["q"].split():
                names = Q()
                for path in sorted(name_paths):
                    names |= Q(**{f"answers__{'__'.join(path)}__icontains": word})
                queryset = queryset.filter(
                    Q(reference__icontains=word)
                    | Q(family__email__icontains=word)
                    | Q(family__last_name__icontains=word)
                    | Q(family__first_name__icontains=word)
                    | Q(contact_email__icontains=word)
                    | names
                )
        if data["form"]:
            queryset = queryset.filter(form_page=data["form"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["submitted_from"]:
            queryset = queryset.filter(submitted_at__date__gte=data["submitted_from"])
        if data["submitted_to"]:
            queryset = queryset.filter(submitted_at__date__lte=data["submitted_to"])
        assigned = data["assigned"]
        if assigned == "me":
            queryset = queryset.filter(assigned_to=self.user)
        elif assigned == "none":
            queryset = queryset.filter(assigned_to__isnull=True)
        elif assigned:
            queryset = queryset.filter(assigned_to_id=assigned)
        if data["qf_unknown"]:
            queryset = queryset.exclude(form_page__qf_key="").filter(qf__isnull=True)
        if data["rules_not_accepted"]:
            queryset = queryset.filter(rules_not_accepted_q(self.councils))
        return queryset


def rules_not_accepted_q(councils) -> Q:
    """Dossiers of forms that require the rules whose family has not accepted every version in force of
    its council's rules (read through ``home``'s public selectors)."""
    condition = Q(pk__in=[])
    for council in councils:
        accepted: set[int] | None = None
        for rules_page in rules_pages_for_council(council=council):
            version = rules_version_in_force(rules_page=rules_page)
            if version is None:
                continue
            ids = set(
                rules_acceptances_for_export(rules_page=rules_page, version_number=version.number).values_list(
                    "user_id", flat=True
                )
            )
            accepted = ids if accepted is None else accepted & ids
        missing = Q(family__isnull=True) | ~Q(family_id__in=accepted or set())
        condition |= Q(council=council) & missing
    return Q(form_page__requires_rules_accepted=True) & condition


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
