"""What a dossier costs: its QF and where it comes from, the decree column and residence derived from it,
and the price of each service chosen from the council's tariff decree in force, explained.

Families see an estimate before and after sending (the QF they typed counts only once checked); agents
bind the prices at validation (``backoffice.workflow.dossier_validate``).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home import tariffs
from home.communes import commune_by_insee
from home.selectors import council_for_page, decree_in_force
from home.services import tariff_quote

from ..engine import roles
from ..engine.definition import Definition
from ..engine.rendering import definition_for
from ..models import Dossier, DossierStatus
from .household_selectors import household_children_in_care, household_for_dossier, household_qf_on_file
from .household_services import children_from_answers

PROVIDER_SOURCES = {"CNAF": "cnaf", "MSA": "msa"}


def dossier_qf_from_answers(
    *, definition: Definition, answers: Mapping[str, Any], provenance: Mapping[str, Any]
) -> tuple[int | None, str, datetime.date | None]:
    """The QF of the answers (the field whose role is the family's QF), its source and month: ``cnaf``/``msa``
    with their period when fetched from API Particulier; otherwise declared by the family (empty source: an
    agent must check it)."""
    key = definition.key_with_role(roles.FAMILY_QF)
    if not key:
        return None, "", None
    value = answers.get(key)
    if value in (None, ""):
        return None, "", None
    try:
        qf = int(value)
    except (TypeError, ValueError):
        return None, "", None
    origin = provenance.get(key) or {}
    source = PROVIDER_SOURCES.get(origin.get("provider", ""), "")
    month = None
    if origin.get("period"):
        try:
            month = datetime.date.fromisoformat(f"{origin['period']}-01")
        except ValueError:
            month = None
    return qf, source, month


def services_chosen(dossier: Dossier) -> list[str] | None:
    """The services the family chose (the answers of the field whose role is "services chosen"), or None when
    the form does not ask: every service the form prices is then priced."""
    key = dossier.get_definition().key_with_role(roles.SERVICES_CHOSEN)
    return list(dossier.answers.get(key) or []) if key else None


def children_count(dossier: Dossier) -> tuple[int, int]:
    """The children in the household's care (PSU rate) and how many receive the AEEH: items of the group
    whose role is "children", else the household's children."""
    spec = dossier.get_definition().field_with_role(roles.CHILDREN)
    items = dossier.answers.get(spec["key"]) if spec else None
    if isinstance(items, list):
        children = children_from_answers(definition=dossier.get_definition(), answers=dossier.answers)
        aeeh = len([child for child in children if child.get("aeeh")])
        return max(len(items), 1), min(aeeh, max(len(items), 1))
    household = household_for_dossier(dossier=dossier)
    children, aeeh = household_children_in_care(household=household) if household is not None else (0, 0)
    return max(children, 1), aeeh


# Which column case follows from the QF's source (``Dossier.qf_source``).
SOURCE_CASES = {"cnaf": "caf", "msa": "msa", "tax_notice": "non_allocataire"}
CASE_CHOICES = [
    ("caf", gettext_lazy("CAF allocataires")),
    ("msa", gettext_lazy("MSA allocataires")),
    ("non_allocataire", gettext_lazy("Non-allocataires (QF from the tax notice)")),
    ("no_proof", gettext_lazy("No proof of income")),
]
CASE_LABELS = dict(CASE_CHOICES)
PROOF_PROVIDERS = [
    ("cnaf", gettext_lazy("CAF certificate")),
    ("msa", gettext_lazy("MSA certificate")),
    ("tax_notice", gettext_lazy("Tax notice (no CAF or MSA file)")),
]


@dataclass(frozen=True)
class Derived:
    """A fact derived from the dossier (column case, residence) and why, in a sentence for the agent."""

    value: Any
    reason: str


def dossier_case_derive(*, dossier: Dossier) -> Derived:
    """Which decree column applies: it follows from the provider of a checked QF, never from a default."""
    if dossier.qf is None or not dossier.qf_source:
        if dossier.qf is not None:
            return Derived("no_proof", _("QF %(qf)s declared by the family, not yet checked.") % {"qf": dossier.qf})
        return Derived("no_proof", _("No QF and no proof of income."))
    case = SOURCE_CASES.get(dossier.qf_source)
    if case is None:
        return Derived("", _("The provider of the QF is not recorded: choose the column."))
    reasons = {
        "cnaf": _("QF fetched from the CAF (CNAF)."),
        "msa": _("QF fetched from the MSA."),
        "tax_notice": _("QF from the tax notice: no CAF or MSA file."),
    }
    return Derived(case, reasons[dossier.qf_source])


def dossier_residence_derive(*, dossier: Dossier) -> Derived:
    """Whether the household lives in a commune the council serves: its address's INSEE code against the
    council's communes. ``value`` is ``None`` when the address gives no commune of the official list."""
    spec = dossier.get_definition().field_with_role(roles.HOUSEHOLD_ADDRESS)
    address = dossier.answers.get(spec["key"]) if spec else None
    if spec is None:  # a form that does not ask the address (an enrolment): the household's
        household = household_for_dossier(dossier=dossier)
        address = household.address if household is not None else None
    insee = address.get("insee", "") if isinstance(address, dict) else ""
    commune = commune_by_insee(insee) if insee else None
    if commune is None:
        return Derived(None, _("The address gives no commune of the official list: check it and decide."))
    served = dossier.council.served_codes()
    if commune.insee in served:
        return Derived(True, _("Address in %(commune)s, a commune the council serves.") % {"commune": commune})
    return Derived(False, _("Address in %(commune)s, outside the communes the council serves.") % {"commune": commune})


def dossier_prices_estimate(*, dossier: Dossier) -> dict:
    """What the family would pay, before an agent checks the dossier: the QF fetched from the CAF or MSA
    counts, a QF the family typed does not yet (the maximum tariff applies until the proof is checked; the
    price for the declared QF is given "if confirmed"). Nothing is saved: the prices that bind are computed
    at validation."""
    form_page = dossier.form_page.specific
    if dossier.status == DossierStatus.VALIDATED or not form_page.priced_services.strip():
        return {}
    definition = dossier.get_definition()
    asks_qf = definition.field_with_role(roles.FAMILY_QF) is not None
    qf, source, month = dossier_qf_from_answers(
        definition=definition, answers=dossier.answers, provenance=dossier.provenance
    )
    on_file = None
    if not asks_qf and dossier.family is not None:
        # An enrolment does not ask for the QF: the household's prices it.
        on_file = household_qf_on_file(household=household_for_dossier(dossier=dossier))
        if on_file[0] is not None:
            qf, source, month = on_file[:3]
        else:
            on_file = None
    draft_view = Dossier(
        form_page=dossier.form_page,
        council=dossier.council,
        family=dossier.family,
        answers=dossier.answers,
        definition=dossier.definition,
        qf=qf if source else None,
        qf_source=source,
        qf_month=month,
    )
    prices = dossier_prices_compute(dossier=draft_view)
    quoted = {name for quote in prices["quotes"] for name in (quote["service"]["key"], quote["service"]["label"])}
    chosen = services_chosen(dossier)
    result = {
        **prices,
        "estimate": True,
        "declared_qf": None,
        "qf_dossier": on_file[3] if on_file is not None else "",
        # The form does not ask for the QF and no dossier famille gives one: the family should file it.
        "qf_dossier_missing": not asks_qf and on_file is None,
        # Services chosen that the decree in force does not price: the service will tell their price.
        "unpriced": [name for name in chosen or [] if name not in quoted],
    }
    if qf is not None and not source:
        # "If confirmed": the family's declared QF, priced as if a CAF proof confirmed it.
        confirmed = Dossier(
            form_page=dossier.form_page,
            council=dossier.council,
            family=dossier.family,
            answers=dossier.answers,
            definition=dossier.definition,
            qf=qf,
            qf_source="cnaf",
        )
        result["declared_qf"] = qf
        result["if_confirmed"] = dossier_prices_compute(dossier=confirmed)["quotes"]
    return result


def draft_prices_estimate(*, draft) -> dict:
    """The prices of a draft, before it is sent (check your answers), as ``dossier_prices_estimate`` gives
    them for a sent dossier: the services chosen, priced from the decree in force, explained."""
    form_page = draft.form_page.specific
    view = Dossier(
        form_page=form_page,
        council=council_for_page(form_page),
        answers=draft.answers,
        provenance=draft.provenance,
        family=draft.user,
        definition=definition_for(form_page).as_json(),
    )
    return dossier_prices_estimate(dossier=view)


def dossier_prices_compute(
    *,
    dossier: Dossier,
    resident: bool | None = None,
    case: str = "",
    on: datetime.date | None = None,
) -> dict:
    """The price of each service the dossier enrols in, from the council's decree in force, explained.

    The column follows from the QF's provider (``case`` overrides it) and residence from the household's
    address (``resident`` overrides it). Without a known QF the family gave no usable proof: the decree's
    no-proof policy applies (the maximum tariff), and the explanation says so.
    """
    form_page = dossier.form_page.specific
    keys = [key.strip() for key in form_page.priced_services.split(",") if key.strip()]
    chosen = services_chosen(dossier)
    known = dossier.qf is not None and bool(dossier.qf_source)
    derived_case = dossier_case_derive(dossier=dossier)
    derived_residence = dossier_residence_derive(dossier=dossier)
    case = case or derived_case.value
    residence_reason = derived_residence.reason
    if resident is None and derived_residence.value is None:
        resident, residence_reason = True, _("commune of the address not found in the official list")
    elif resident is None:
        resident = derived_residence.value
    elif resident != derived_residence.value:
        residence_reason = _("decided by an agent")
    children, aeeh = children_count(dossier)
    household = tariffs.Household(
        qf=dossier.qf if known and case != "no_proof" else None,
        qf_source=dossier.qf_source or None if known else None,
        qf_month=dossier.qf_month if known else None,
        resident=resident,
        children=children,
        aeeh=aeeh,
        proof=known and case != "no_proof",
        case=case or None,
        residence=str(residence_reason).rstrip("."),
    )
    result: dict[str, Any] = {
        "computed_at": timezone.now().isoformat(),
        "household": {
            "qf": household.qf,
            "qf_source": household.qf_source or "",
            "qf_month": household.qf_month.isoformat() if household.qf_month else "",
            "resident": resident,
            "proof": household.proof,
            "case": case or "",
            "case_label": str(CASE_LABELS.get(case, "")),
            "case_reason": str(derived_case.reason if case == derived_case.value else _("decided by an agent")),
            "children": household.children,
            "residence": str(residence_reason),
        },
        "maximum_tariff": not household.proof,
        "quotes": [],
        "errors": [],
    }
    for key in keys:
        decree = decree_in_force(council=dossier.council, on=on, service_key=key)
        if decree is None:
            result["errors"].append(_("No tariff decree in force prices the service “%(key)s”.") % {"key": key})
            continue
        try:
            quote = tariff_quote(decree=decree, service_key=key, household=household)
        except tariffs.TariffError as error:
            result["errors"].append(error.message)
            continue
        if chosen is not None and quote.service_label not in chosen and key not in chosen:
            continue
        result["quotes"].append({**quote.as_dict(), "decree": {"id": decree.pk, "title": decree.title}})
    return result
