"""The agents' desk: the dossiers list on Wagtail's own listing components.

A generic ``IndexView`` (filters in the drawer, search, sortable columns, pagination, CSV/XLSX export of the
filtered list from the header) and two bulk actions (assign, export). Agents see only their councils'
dossiers; a dossier of a health form (PAI) only with the health role of its council. Guardians' and
children's names are read from the fields whose meaning is a person's name, never from keys.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets import AdminDateInput

from common.spreadsheet import csv_chunks
from home.selectors import rules_acceptances_for_export, rules_pages_for_council, rules_version_in_force

from ..engine import roles
from ..engine.fieldtypes import GROUP_TYPE
from ..engine.rendering import definition_for
from ..family import selectors
from ..family.selectors import agents_of_council
from ..models import Dossier, DossierStatus, FormPage, SavedFilter
from . import exports, workflow
from .names import children_names, family_name

# Filters a saved filter keeps (the search too), in the order of the drawer.
FILTER_NAMES = ("q", "form", "status", "submitted_from", "submitted_to", "assigned", "qf", "rules", "resident")


# Reading: scope, search, filters -----------------------------------------------------------------


def desk_dossiers(*, user) -> QuerySet[Dossier]:
    """The dossiers the desk lists for ``user``: its councils' (``dossiers_for_staff``), those of a health
    form (PAI) only for the health role of their council."""
    health = selectors.health_councils(user=user)
    return (
        selectors.dossiers_for_staff(user=user)
        .filter(Q(is_health_data=False) | Q(council__in=health))
        .select_related("assigned_to")
    )


def dossiers_search(queryset: QuerySet[Dossier], query: str) -> QuerySet[Dossier]:
    """Dossiers whose reference, account (email, name), contact email or any guardian's or child's name
    (the fields meaning a person's name, health fields excepted) holds every word of ``query``."""
    words = query.split()
    if not words:
        return queryset
    name_paths = {
        path
        for definition, _health in exports.answered_definitions(queryset)
        for path in definition.person_name_paths()
    }
    for word in words:
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


def resident_q(queryset: QuerySet[Dossier], councils) -> tuple[Q, Q]:
    """(lives in a commune its council serves, lives elsewhere): read from the INSEE code of the address
    field whose role is the household's address, as ``pricing.dossier_residence_derive`` decides it."""
    keys = {
        spec["key"]
        for definition, _health in exports.answered_definitions(queryset)
        if (spec := definition.field_with_role(roles.HOUSEHOLD_ADDRESS)) and spec.get("key")
    }
    inside, outside = Q(pk__in=[]), Q(pk__in=[])
    for council in councils:
        served = council.served_codes()
        for key in sorted(keys):
            code = f"answers__{key}__insee"
            inside |= Q(council=council) & Q(**{f"{code}__in": served})
            outside |= (
                Q(council=council) & Q(**{f"{code}__regex": r"^[0-9][0-9AB][0-9]{3}$"}) & ~Q(**{f"{code}__in": served})
            )
    return inside, outside


QF_CHOICES = [
    ("known", gettext_lazy("Known")),
    ("unknown", gettext_lazy("Unknown")),
    ("declared", gettext_lazy("Declared by the family, not checked")),
    ("verified", gettext_lazy("Verified (CAF, MSA, tax notice)")),
]
RULES_CHOICES = [("accepted", gettext_lazy("Accepted")), ("not_accepted", gettext_lazy("Not accepted"))]
RESIDENT_CHOICES = [("yes", gettext_lazy("Resident")), ("no", gettext_lazy("Not resident"))]


class DossierFilterSet(WagtailFilterSet):
    """The filters of the desk (in Wagtail's drawer), also those of its exports and saved filters."""

    form = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Form"), field_name="form_page", queryset=FormPage.objects.none()
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DossierStatus.choices, empty_label=gettext_lazy("All")
    )
    submitted_from = django_filters.DateFilter(
        label=gettext_lazy("Sent from"), field_name="submitted_at", lookup_expr="date__gte", widget=AdminDateInput
    )
    submitted_to = django_filters.DateFilter(
        label=gettext_lazy("Sent until"), field_name="submitted_at", lookup_expr="date__lte", widget=AdminDateInput
    )
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned agent"), method="filter_assigned", empty_label=gettext_lazy("All")
    )
    qf = django_filters.ChoiceFilter(
        label=gettext_lazy("QF"), choices=QF_CHOICES, method="filter_qf", empty_label=gettext_lazy("All")
    )
    rules = django_filters.ChoiceFilter(
        label=gettext_lazy("Rules"),
        choices=RULES_CHOICES,
        method="filter_rules",
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    resident = django_filters.ChoiceFilter(
        label=gettext_lazy("Residence"),
        choices=RESIDENT_CHOICES,
        method="filter_resident",
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        self.councils = list(selectors.staff_councils(user=user))
        # A semi-join (IN subquery), not a DISTINCT over the join: with 100 000 dossiers the latter took 13 s.
        with_dossiers = Dossier.objects.filter(council__in=self.councils).values("form_page_id")
        self.filters["form"].queryset = FormPage.objects.filter(pk__in=with_dossiers).order_by("title")
        agents: dict[int, str] = {}
        for council in self.councils:
            for agent in agents_of_council(council=council):
                agents.setdefault(agent.pk, agent.get_full_name() or agent.get_username())
        self.filters["assigned"].extra["choices"] = [
            ("me", _("Me")),
            ("none", _("Nobody")),
            *((str(pk), name) for pk, name in agents.items()),
        ]

    def filter_assigned(self, queryset, _name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value)

    def filter_qf(self, queryset, _name, value):
        if value == "unknown":  # a form that asks for the QF, without one
            return queryset.filter(qf_asked=True, qf__isnull=True)
        if value == "declared":
            return queryset.filter(qf__isnull=False, qf_source="")
        if value == "verified":
            return queryset.filter(qf__isnull=False).exclude(qf_source="")
        return queryset.filter(qf__isnull=False)

    def filter_rules(self, queryset, _name, value):
        missing = rules_not_accepted_q(self.councils)
        if value == "not_accepted":
            return queryset.filter(missing)
        return queryset.filter(form_page__requires_rules_accepted=True).exclude(missing)

    def filter_resident(self, queryset, _name, value):
        inside, outside = resident_q(queryset, self.councils)
        return queryset.filter(inside if value == "yes" else outside)


# The listing ---------------------------------------------------------------------------------------


class QFColumn(Column):
    cell_template_name = "forms/desk/qf_cell.html"


class DossierIndexView(IndexView):
    """Dossiers of the agent's councils: Wagtail's listing (drawer filters, search, sort, pagination,
    bulk actions, CSV/XLSX of the filtered list)."""

    model = Dossier
    template_name = "forms/desk/index.html"
    results_template_name = "forms/desk/index_results.html"
    index_url_name = "forms_dossiers"
    index_results_url_name = "forms_dossiers_results"
    permission_required = "view"
    any_permission_required = None
    filterset_class = DossierFilterSet
    search_fields = ["reference"]  # the search itself is ``dossiers_search`` (names are answers)
    search_backend_name = None
    default_ordering = "-submitted_at"
    paginate_by = 50
    page_title = gettext_lazy("Dossiers")
    header_icon = "folder-open-inverse"
    verbose_name = gettext_lazy("dossier")
    verbose_name_plural = gettext_lazy("dossiers")
    export_filename = "dossiers"
    # Wagtail shows its export buttons when the list is not empty; the file is ``exports``' (see as_spreadsheet).
    list_export = ["reference"]

    @cached_property
    def is_searchable(self):
        return True

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="dossier"),
            TitleColumn(
                "reference",
                label=_("Reference"),
                url_name="forms_dossier",
                sort_key="reference",
                get_title_id=lambda dossier: f"dossier_{dossier.pk}_title",
            ),
            Column("family_name", label=_("Family"), accessor=family_name),
            Column("children", label=_("Children"), accessor=children_names),
            Column("form", label=_("Form"), accessor="form_page.title", sort_key="form_page__title"),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            DateColumn("submitted_at", label=_("Sent on"), sort_key="submitted_at"),
            UserColumn("assigned_to", label=_("Assigned agent")),
            QFColumn("qf", label=_("QF"), accessor="qf_status", sort_key="qf"),
        ]

    def get_base_queryset(self):
        return desk_dossiers(user=self.request.user)

    def order_queryset(self, queryset):
        ordering = self.ordering if isinstance(self.ordering, str) else "-submitted_at"
        return queryset.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")

    def search_queryset(self, queryset):
        return dossiers_search(queryset, self.search_query) if self.is_searching else queryset

    @cached_property
    def can_export(self):
        return selectors.can_export(user=self.request.user)

    @cached_property
    def show_export_buttons(self):
        return self.can_export

    def get(self, request, *args, **kwargs):
        if self.is_export:  # streamed from the queryset: neither a page nor a table is built
            return self.as_spreadsheet(self.get_queryset(), request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """The filtered list in the portal's export (labels as headers, French CSV, prices): ``explode=<group
        key>`` gives one row per item of that group; ``health=1`` adds health columns to whoever may see them."""
        if not self.can_export:
            raise Http404
        return spreadsheet_response(self.request, queryset, spreadsheet_format)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        for name in list(query):
            if name not in FILTER_NAMES or not query.get(name):
                query.pop(name)
        context.update(
            saved_filters=SavedFilter.objects.filter(user=user),
            filter_query=query.urlencode(),
            can_export=self.can_export,
            export_groups=export_layouts(self.filters.filters["form"].queryset) if self.can_export else [],
            can_see_health=selectors.can_see_health_data(user=user),
            can_file=user.has_perm("forms.change_dossier"),
        )
        return context


def export_layouts(form_pages) -> list[dict]:
    """The repeatable groups of the forms that received dossiers (``key``, ``label``, ``item_label``): the
    "one row per item" layouts offered. Read from the forms' live definitions (cached), not from 100 000
    dossiers' snapshots."""
    groups: dict[str, dict] = {}
    for page in form_pages:
        for _index, spec in definition_for(page).fields():
            if spec["type"] == GROUP_TYPE and spec.get("key"):
                item = spec.get("item_label") or spec["label"]
                groups.setdefault(spec["key"], {"key": spec["key"], "label": spec["label"], "item_label": item})
    return list(groups.values())


def spreadsheet_response(request, queryset: QuerySet[Dossier], spreadsheet_format: str, *, with_provenance=None):
    """The export of ``queryset``; ``provenance=1`` (or ``with_provenance``) adds the prefilled answers'
    provenance. An export of one form's dossiers is named after the form (file and sheet)."""
    user = request.user
    health_councils = set(selectors.health_councils(user=user).values_list("pk", flat=True))
    include_health = request.GET.get("health") == "1" and bool(health_councils)
    if with_provenance is None:
        with_provenance = request.GET.get("provenance") == "1"
    rows = exports.export_rows(
        queryset,
        include_health=include_health,
        health_councils=health_councils,
        explode=request.GET.get("explode", ""),
        with_provenance=with_provenance,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    form_pages = list(FormPage.objects.filter(pk__in=queryset.order_by().values("form_page_id"))[:2])
    one_form = form_pages[0] if len(form_pages) == 1 else None
    name = f"dossiers-{one_form.slug}" if one_form else "dossiers"
    if spreadsheet_format == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    elif spreadsheet_format == "xlsx":
        response = StreamingHttpResponse(
            exports.xlsx_chunks(rows, title=one_form.title if one_form else _("Dossiers")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{spreadsheet_format}"'
    response["Cache-Control"] = "no-store"
    return response


def dossiers_export(request, fmt: str):
    """``/admin/dossiers/export.csv?<filters>``: the list's own export (kept for links and bookmarks)."""
    if fmt not in DossierIndexView.FORMATS:
        raise Http404
    query = request.GET.copy()
    query["export"] = fmt
    request.GET = query
    return DossierIndexView.as_view()(request)


# Bulk actions --------------------------------------------------------------------------------------


class DossierBulkAction(BulkAction):
    """A bulk action on the dossiers the agent selected (only those of the desk, whatever ids are sent)."""

    models = [Dossier]

    def selected(self) -> QuerySet[Dossier]:
        """The dossiers ticked, or with "select all in listing" (``id=all``) those of the listing as filtered:
        Wagtail passes the listing's query (search and filters) along with ``id=all``."""
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return self.get_all_objects_in_listing_query(self.request.GET.get("childOf"))
        return desk_dossiers(user=self.request.user).filter(pk__in=[pk for pk in ids if pk.isdigit()])

    def get_all_objects_in_listing_query(self, parent_id):
        request = self.request
        # Invalid filters select nothing (django-filter's strict mode), never the whole desk.
        filters = DossierFilterSet(request.GET, queryset=desk_dossiers(user=request.user), request=request)
        return dossiers_search(filters.qs, request.GET.get("q", ""))

    def get_actionable_objects(self):
        objects, without_access = [], []
        for dossier in self.selected():
            (objects if self.check_perm(dossier) else without_access).append(dossier)
        return objects, {"items_with_no_access": without_access}

    def object_context(self, obj):
        return {"item": obj, "family": family_name(obj)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "header_icon": "folder-open-inverse"}


class AssignBulkForm(forms.Form):
    agent = forms.ChoiceField(label=gettext_lazy("Assign to"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {}
        for council in selectors.staff_councils(user=user):
            for agent in agents_of_council(council=council):
                self.agents.setdefault(str(agent.pk), agent)
        self.fields["agent"].choices = [("", _("Nobody"))] + [
            (pk, agent.get_full_name() or agent.get_username()) for pk, agent in self.agents.items()
        ]


class AssignBulkAction(DossierBulkAction):
    display_name = gettext_lazy("Assign")
    action_type = "assign"
    aria_label = gettext_lazy("Assign the selected dossiers to an agent")
    template_name = "forms/desk/bulk_assign.html"
    action_priority = 10
    form_class = AssignBulkForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def check_perm(self, obj):
        return selectors.can_act_on_dossier(user=self.request.user, dossier=obj)

    def get_execution_context(self):
        form = self.cleaned_form
        return {"to": form.agents.get(form.cleaned_data["agent"]), "by": self.request.user}

    @classmethod
    def execute_action(cls, objects, to=None, by=None, **kwargs):
        done = 0
        for dossier in objects:
            try:
                workflow.dossier_assign(dossier=dossier, to=to, by=by)
            except ValidationError:
                continue  # an agent of another council: that dossier keeps its agent
            done += 1
        return done, len(objects) - done

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = _("%(count)s dossier(s) assigned.") % {"count": num_parent_objects}
        if num_child_objects:
            message += " " + _("%(count)s dossier(s) of another council kept their agent.") % {
                "count": num_child_objects
            }
        return message


class ExportBulkForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("File"),
        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    provenance = forms.BooleanField(
        label=gettext_lazy(
            "With provenance: for each prefilled answer, its source, provider, period, request id and whether "
            "the family changed it"
        ),
        required=False,
    )


class ExportBulkAction(DossierBulkAction):
    display_name = gettext_lazy("Export")
    action_type = "export"
    aria_label = gettext_lazy("Export the selected dossiers")
    template_name = "forms/desk/bulk_export.html"
    action_priority = 20
    form_class = ExportBulkForm

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_export(user=request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        return spreadsheet_response(
            self.request,
            self.selected(),
            form.cleaned_data["format"],
            with_provenance=form.cleaned_data["provenance"],
        )
