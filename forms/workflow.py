"""The back-office workflow of a dossier, in one place: statuses, corrections, notes, validation and prices.

Statuses (w.c.s. / Démarches Simplifiées): submitted -> under review -> correction requested, validated,
refused or closed; a correction request goes back to submitted when the family sends its corrections.
Every change is a ``DossierEvent`` (who, when, from, to, comment), public or internal. Public, keyword-only:
``allowed_transitions``, ``dossier_transition``, ``dossier_review_start``, ``dossier_request_correction``,
``dossier_correction_submit``, ``dossier_note_add``, ``dossier_assign``, ``validation_checks``,
``dossier_validate``, ``dossier_prices_compute``, ``dossier_qf_from_answers``.
"""

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home.selectors import council_for_page

from .definition import GROUP_TYPE, ROLE_CHILDREN, ROLE_HOUSEHOLD_ADDRESS, Definition
from .family.household_selectors import household_children_in_care, household_for_dossier, household_qf_on_file
from .family.household_services import children_from_answers, household_validate_dossier
from .fieldtypes import field_type
from .models import (
    CorrectionItem,
    CorrectionReason,
    CorrectionRequest,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierNote,
    DossierStatus,
    EventKind,
    NotificationEvent,
)
from .rendering import definition_for

logger = logging.getLogger(__name__)
S = DossierStatus

# Which status may follow which. Three arrivals need their own service (and are refused by the generic
# ``dossier_transition``): a correction request needs items, validation needs its conditions and
# prices, and only the family's corrections bring a dossier back to "submitted".
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.CLOSED},
    S.UNDER_REVIEW: {S.CORRECTION_REQUESTED, S.VALIDATED, S.REFUSED, S.CLOSED},
    S.CORRECTION_REQUESTED: {S.SUBMITTED, S.UNDER_REVIEW, S.CLOSED},
    S.VALIDATED: {S.CLOSED},
    S.REFUSED: set(),
    S.CLOSED: set(),
}
DEDICATED = {S.CORRECTION_REQUESTED, S.VALIDATED, S.SUBMITTED}
NOTIFIED = {
    S.SUBMITTED: NotificationEvent.SUBMITTED,
    S.CORRECTION_REQUESTED: NotificationEvent.CORRECTION_REQUESTED,
    S.VALIDATED: NotificationEvent.VALIDATED,
    S.REFUSED: NotificationEvent.REFUSED,
}


class TransitionRefused(ValidationError):
    """This status change is not allowed from where the dossier stands (or lacks what it needs)."""


def allowed_transitions(status: str) -> set[str]:
    return set(TRANSITIONS.get(status, set()))


def _locked(dossier: Dossier) -> Dossier:
    """The dossier row, locked until the transaction ends (two agents cannot both move it)."""
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _move(
    *,
    dossier: Dossier,
    to: str,
    by,
    comment: str = "",
    visible_to_family: bool = True,
    kind: str = EventKind.TRANSITION,
    details: dict | None = None,
    extra_fields: Mapping[str, Any] | None = None,
) -> DossierEvent:
    """Check, save and record a status change (inside the caller's transaction), then notify the family."""
    current = _locked(dossier)
    if to not in allowed_transitions(current.status):
        raise TransitionRefused(
            _("A dossier cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(current.status).label, "to": S(to).label},
            code="not_allowed",
        )
    from_status = current.status
    dossier.status = to
    fields = ["status", "updated_at"]
    for name, value in (extra_fields or {}).items():
        setattr(dossier, name, value)
        fields.append(name)
    dossier.save(update_fields=fields)
    event = DossierEvent.objects.create(
        dossier=dossier,
        actor=by,
        kind=kind,
        from_status=from_status,
        to_status=to,
        comment=comment,
        is_public=visible_to_family,
        details=details or {},
    )
    if to in NOTIFIED and visible_to_family:
        from .notifications import notification_queue

        transaction.on_commit(lambda: notification_queue(dossier=dossier, event=NOTIFIED[to]))
    logger.info("Dossier %s: %s -> %s", dossier.reference, from_status, to)
    return event


def dossier_transition(
    *, dossier: Dossier, to: str, by, comment: str = "", visible_to_family: bool = True
) -> DossierEvent:
    """Move a dossier to status ``to`` (under review, refused, closed), recorded in its history.

    Raises ``TransitionRefused`` when the change is not allowed, when ``to`` needs its own service
    (correction request, validation, resubmission), or when a refusal has no reason.
    """
    if to in DEDICATED:
        raise TransitionRefused(_("This change has its own action."), code="dedicated")
    if to == S.REFUSED and not comment.strip():
        raise TransitionRefused(_("Give the reason for the refusal: the family will read it."), code="reason")
    with transaction.atomic():
        return _move(dossier=dossier, to=to, by=by, comment=comment.strip(), visible_to_family=visible_to_family)


def dossier_review_start(*, dossier: Dossier, by) -> DossierEvent:
    return dossier_transition(dossier=dossier, to=S.UNDER_REVIEW, by=by)


def dossier_assign(*, dossier: Dossier, to, by) -> DossierEvent:
    """Assign the dossier to an agent of its council (or to nobody), recorded in the internal history."""
    from .selectors import agents_of_council

    if to is not None and not agents_of_council(council=dossier.council).filter(pk=to.pk).exists():
        raise ValidationError(_("This person is not an agent of the dossier's council."), code="not_agent")
    with transaction.atomic():
        _locked(dossier)
        dossier.assigned_to = to
        dossier.save(update_fields=["assigned_to", "updated_at"])
        name = (to.get_full_name() or to.get_username()) if to else ""
        return DossierEvent.objects.create(
            dossier=dossier,
            actor=by,
            kind=EventKind.ASSIGNED,
            from_status=dossier.status,
            to_status=dossier.status,
            comment=_("Assigned to %(name)s") % {"name": name} if to else _("No longer assigned"),
            is_public=False,
        )


def dossier_note_add(*, dossier: Dossier, by, text: str) -> DossierNote:
    """A private note of an agent (never shown to the family, never in its emails)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note."), code="empty")
    return DossierNote.objects.create(dossier=dossier, author=by, text=text[:5000])


# Correction requests -----------------------------------------------------------------------

UNCORRECTABLE = {"info", "prefill", "rules", GROUP_TYPE}


@dataclass(frozen=True)
class Target:
    """An answer or document an agent may ask the family to fix: ``path`` is ``key`` or ``group.N.key``."""

    path: str
    label: str
    spec: dict
    health: bool


def correction_targets(*, dossier: Dossier, include_health: bool) -> list[Target]:
    """Every answer of the dossier that a correction can name, in form order (group items one by one)."""
    targets = []
    for _index, spec in dossier.get_definition().fields():
        kind = spec["type"]
        if kind == GROUP_TYPE:
            for number, _item in enumerate(dossier.answers.get(spec["key"]) or []):
                for child in spec["fields"]:
                    if child["type"] in UNCORRECTABLE:
                        continue
                    health = spec["health"] or child["health"]
                    label = f"{spec.get('item_label') or spec['label']} {number + 1} – {child['label']}"
                    targets.append(Target(f"{spec['key']}.{number}.{child['key']}", label, child, health))
        elif kind not in UNCORRECTABLE and spec.get("key"):
            targets.append(Target(spec["key"], spec["label"], spec, spec["health"]))
    if dossier.is_health_data:
        targets = [Target(t.path, t.label, t.spec, True) for t in targets]
    if not include_health:
        targets = [target for target in targets if not target.health]
    return targets


def answer_at(answers: Mapping[str, Any], path: str) -> Any:
    key, _sep, rest = path.partition(".")
    if not rest:
        return answers.get(key)
    number, _sep, child = rest.partition(".")
    items = answers.get(key) or []
    return items[int(number)].get(child) if int(number) < len(items) else None


def _set_answer(answers: dict, path: str, value: Any) -> None:
    key, _sep, rest = path.partition(".")
    if not rest:
        answers[key] = value
        return
    number, _sep, child = rest.partition(".")
    answers[key][int(number)][child] = value


def _display(spec: dict, value: Any, file_names: Mapping[str, str]) -> str:
    if spec["type"] == "file":
        return file_names.get(value or "", "") if value else ""
    return field_type(spec).display(spec, value)


def dossier_request_correction(
    *, dossier: Dossier, by, items: Iterable[tuple[str, str]], message: str = "", include_health: bool = False
) -> CorrectionRequest:
    """Ask the family to fix ``items`` (``(path, reason)``, reason in ``CorrectionReason``) with a message.

    The dossier goes to "correction requested"; the family can then change only these answers.
    """
    targets = {target.path: target for target in correction_targets(dossier=dossier, include_health=include_health)}
    items = list(items)
    if not items:
        raise TransitionRefused(_("Choose at least one answer or document to correct."), code="no_items")
    for path, reason in items:
        if path not in targets or reason not in CorrectionReason.values:
            raise TransitionRefused(_("One of the chosen answers cannot be corrected."), code="bad_item")
    file_names = {str(f.uuid): f.original_name for f in dossier.files.all()}
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(dossier=dossier, requested_by=by, message=message.strip())
        CorrectionItem.objects.bulk_create(
            CorrectionItem(
                request=correction,
                path=path,
                label=targets[path].label[:255],
                reason=reason,
                before={
                    "value": answer_at(dossier.answers, path),
                    "text": _display(targets[path].spec, answer_at(dossier.answers, path), file_names),
                },
            )
            for path, reason in dict(items).items()
        )
        _move(
            dossier=dossier,
            to=S.CORRECTION_REQUESTED,
            by=by,
            comment=message.strip(),
            details={"correction": correction.pk, "paths": [path for path, _reason in items]},
        )
    return correction


def open_correction(*, dossier: Dossier) -> CorrectionRequest | None:
    """The correction the family has to answer, if the dossier waits for one."""
    if dossier.status != S.CORRECTION_REQUESTED:
        return None
    return dossier.corrections.filter(answered_at__isnull=True).prefetch_related("items").first()


def _spec_at(definition: Definition, path: str) -> dict | None:
    key, _sep, rest = path.partition(".")
    spec = definition.field_by_key().get(key)
    if spec is None or not rest:
        return spec
    child_key = rest.partition(".")[2]
    return next((child for child in spec.get("fields", []) if child["key"] == child_key), None)


class CorrectionForm:
    """One small Django form per item to correct; nothing else of the dossier can be sent."""

    def __init__(self, *, dossier: Dossier, correction: CorrectionRequest, data=None, files=None):
        self.dossier = dossier
        self.correction = correction
        page = dossier.form_page.specific
        settings = {"file_types": page.file_types, "max_file_size": page.max_file_size}
        definition = dossier.get_definition()
        self.parts = []
        for number, item in enumerate(correction.items.all()):
            spec = _spec_at(definition, item.path)
            if spec is None:
                continue
            fields = field_type(spec).form_fields(spec, settings)
            if spec["type"] == "file":
                # The document itself is what must change: a new one is required.
                for field in fields.values():
                    field.required = True
            form_class = type("CorrectionPart", (forms.Form,), dict(fields))
            initial = {}
            if spec["type"] != "file":
                initial = field_type(spec).to_initial(spec, answer_at(dossier.answers, item.path))
            form = form_class(data=data, files=files, initial=initial, prefix=f"c{number}")
            self.parts.append({"item": item, "spec": spec, "form": form})

    def is_valid(self) -> bool:
        return all([part["form"].is_valid() for part in self.parts])

    def error_list(self) -> list[dict[str, str]]:
        errors = []
        for part in self.parts:
            for bound in part["form"]:
                for message in bound.errors:
                    errors.append({"id": bound.id_for_label, "label": part["item"].label, "message": message})
        return errors


def _store_correction_file(*, dossier: Dossier, path: str, upload, health: bool) -> DossierFile:
    from .services import upload_store

    stored = upload_store(upload=upload, folder=f"forms/{dossier.form_page_id}/dossiers/{dossier.uuid}")
    return DossierFile.objects.create(dossier=dossier, key=path, health=health, **stored)


def dossier_correction_submit(*, dossier: Dossier, user, data, files) -> CorrectionRequest:
    """The family sends its corrections: only the requested answers change; the dossier is submitted again.

    Raises ``PermissionError`` when the dossier waits for no correction of this family, and
    ``ValidationError`` (with ``form``) when an answer is not valid.
    """
    correction = open_correction(dossier=dossier)
    if correction is None or dossier.family_id != getattr(user, "pk", None):
        raise PermissionError("No correction is awaited from this account.")
    form = CorrectionForm(dossier=dossier, correction=correction, data=data, files=files)
    if not form.is_valid():
        invalid = ValidationError(_("Some corrections are not valid."), code="invalid")
        invalid.form = form
        raise invalid
    now = timezone.now()
    with transaction.atomic():
        answers = dict(dossier.answers)
        file_names = {str(f.uuid): f.original_name for f in dossier.files.all()}
        changes = []
        for part in form.parts:
            item, spec, cleaned = part["item"], part["spec"], part["form"].cleaned_data
            if spec["type"] == "file":
                old_token = answer_at(answers, item.path)
                health = dossier.is_health_data or bool(spec.get("health"))
                upload = cleaned[spec["key"]]
                new = _store_correction_file(dossier=dossier, path=item.path, upload=upload, health=health)
                if old_token:
                    dossier.files.filter(uuid=old_token).update(replaced_at=now)
                value = str(new.uuid)
                file_names[value] = new.original_name
            else:
                value = field_type(spec).to_answer(spec, cleaned)
            _set_answer(answers, item.path, value)
            item.after = {"value": value, "text": _display(spec, value, file_names)}
            item.save(update_fields=["after"])
            changes.append({"path": item.path, "before": item.before.get("text"), "after": item.after["text"]})
        correction.answered_at = now
        correction.save(update_fields=["answered_at"])
        extra = {"answers": answers}
        form_page = dossier.form_page.specific
        if form_page.qf_key and any(item.path == form_page.qf_key for item in correction.items.all()):
            qf, source, month = dossier_qf_from_answers(form_page=form_page, answers=answers, provenance={})
            extra.update({"qf": qf, "qf_source": source, "qf_month": month})
        _move(
            dossier=dossier,
            to=S.SUBMITTED,
            by=user,
            kind=EventKind.RESUBMITTED,
            details={"correction": correction.pk, "changes": changes},
            extra_fields=extra,
        )
    return correction


def correction_changes(*, dossier: Dossier, include_health: bool = True) -> list[CorrectionRequest]:
    """The dossier's correction requests, latest first, with their items (before and after) in ``shown_items``.

    Without ``include_health`` (staff without the health role) items of health answers are left out, and
    for a health form (PAI) every item and the message too."""
    requests = list(dossier.corrections.prefetch_related("items").select_related("requested_by"))
    definition = dossier.get_definition()
    for request in requests:
        items = list(request.items.all())
        if not include_health:
            items = [] if dossier.is_health_data else [i for i in items if not definition.is_health_path(i.path)]
            if dossier.is_health_data:
                request.message = ""
        request.shown_items = items
    return requests


# QF, validation and prices -----------------------------------------------------------------

PROVIDER_SOURCES = {"CNAF": "cnaf", "MSA": "msa"}


def dossier_qf_from_answers(
    *, form_page, answers: Mapping[str, Any], provenance: Mapping[str, Any]
) -> tuple[int | None, str, datetime.date | None]:
    """The QF of the answers, its source and month: ``cnaf``/``msa`` with their period when fetched from
    API Particulier; otherwise declared by the family (empty source: an agent must check it)."""
    if not form_page.qf_key:
        return None, "", None
    value = answers.get(form_page.qf_key)
    if value in (None, ""):
        return None, "", None
    try:
        qf = int(value)
    except (TypeError, ValueError):
        return None, "", None
    origin = provenance.get(form_page.qf_key) or {}
    source = PROVIDER_SOURCES.get(origin.get("provider", ""), "")
    month = None
    if origin.get("period"):
        try:
            month = datetime.date.fromisoformat(f"{origin['period']}-01")
        except ValueError:
            month = None
    return qf, source, month


@dataclass(frozen=True)
class Check:
    """A validation condition: ``ok`` or what is missing."""

    key: str
    label: str
    ok: bool
    detail: str = ""


def _rules_specs(definition: Definition) -> list[dict]:
    return [spec for _index, spec in definition.fields() if spec["type"] == "rules"]


def validation_checks(*, dossier: Dossier) -> list[Check]:
    """The form's validation conditions, each met or not, for the agent to see before validating."""
    form_page = dossier.form_page.specific
    checks = []
    if form_page.requires_rules_accepted:
        from home.models import RulesPage
        from home.selectors import rules_acceptance_status

        statuses = []
        for spec in _rules_specs(dossier.get_definition()):
            rules_page = RulesPage.objects.filter(pk=spec.get("rules_page")).first()
            if (dossier.answers.get(spec["key"]) or {}).get("on_paper"):
                statuses.append("accepted")  # signed on paper at the counter by a family without an account
            elif rules_page is not None and dossier.family is not None:
                statuses.append(rules_acceptance_status(rules_page=rules_page, user=dossier.family))
            else:
                statuses.append("never")
        ok = bool(statuses) and all(status == "accepted" for status in statuses)
        detail = "" if ok else _("The family has not accepted the version of the rules in force.")
        checks.append(Check("rules", _("Rules accepted"), ok, detail))
    if form_page.proof_of_address_key:
        token = dossier.answers.get(form_page.proof_of_address_key)
        ok = bool(token) and dossier.files.filter(uuid=token, replaced_at__isnull=True).exists()
        checks.append(Check("proof_of_address", _("Proof of address"), ok, "" if ok else _("No proof of address.")))
    if form_page.requires_qf:
        ok = dossier.qf is not None and bool(dossier.qf_source)
        if ok:
            detail = ""
        elif dossier.qf is not None:
            detail = _("QF declared by the family: check its proof and confirm it below.")
        else:
            detail = _("QF unknown: enter it from a proof, or acknowledge that the maximum tariff applies.")
        checks.append(Check("qf", _("Family quotient known"), ok, detail))
    return checks


def _children_count(dossier: Dossier) -> tuple[int, int]:
    """The children in the household's care (PSU rate) and how many receive the AEEH: items of the group
    whose role is "children", else the household's children (issue 17)."""
    spec = dossier.get_definition().field_with_role(ROLE_CHILDREN)
    items = dossier.answers.get(spec["key"]) if spec else None
    if isinstance(items, list):
        aeeh = len(
            [
                child
                for child in children_from_answers(definition=dossier.get_definition(), answers=dossier.answers)
                if child.get("aeeh")
            ]
        )
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
    from home.communes import commune_by_insee

    spec = dossier.get_definition().field_with_role(ROLE_HOUSEHOLD_ADDRESS)
    address = dossier.answers.get(spec["key"]) if spec else None
    if spec is None:  # a form that does not ask the address (an enrolment): the household's (issue 17)
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
    qf, source, month = dossier_qf_from_answers(
        form_page=form_page, answers=dossier.answers, provenance=dossier.provenance
    )
    on_file = None
    if not form_page.qf_key and dossier.family is not None:
        # An enrolment does not ask for the QF: the household's prices it (issue 17).
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
    chosen = dossier.answers.get(form_page.priced_services_key) if form_page.priced_services_key else None
    result = {
        **prices,
        "estimate": True,
        "declared_qf": None,
        "qf_dossier": on_file[3] if on_file is not None else "",
        # The form does not ask for the QF and no dossier famille gives one: the family should file it.
        "qf_dossier_missing": not form_page.qf_key and on_file is None,
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
    from home import tariffs
    from home.selectors import decree_in_force
    from home.services import tariff_quote

    form_page = dossier.form_page.specific
    keys = [key.strip() for key in form_page.priced_services.split(",") if key.strip()]
    chosen = None
    if form_page.priced_services_key:
        chosen = set(dossier.answers.get(form_page.priced_services_key) or [])
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
    children, aeeh = _children_count(dossier)
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


def dossier_validate(
    *,
    dossier: Dossier,
    by,
    comment: str = "",
    qf: int | None = None,
    qf_month: datetime.date | None = None,
    qf_provider: str = "",
    maximum_tariff: bool = False,
    resident: bool | None = None,
    case: str = "",
    pricing_reason: str = "",
    override: bool = False,
    household_refused: Mapping[str, str] | None = None,
) -> DossierEvent:
    """Validate a dossier under review: conditions met (or overridden, recorded), QF recorded, prices stored.

    ``qf`` (with ``qf_month`` and ``qf_provider``: ``cnaf``, ``msa`` or ``tax_notice``): the QF the agent
    read on a proof. ``maximum_tariff``: the agent acknowledges that the family gives no proof, so the
    maximum tariff applies. ``resident`` and ``case``: the agent corrects the residence or the decree column
    derived from the dossier, with ``pricing_reason`` (required), recorded in the internal history.
    ``override``: validate although conditions are missing (recorded with what was missing).
    ``household_refused``: changes to the household the agent refuses (``{path: reason}``, see
    ``household_services.dossier_household_changes``); the others become the household's verified data.
    """
    if qf is not None and qf_provider not in dict(PROOF_PROVIDERS):
        raise TransitionRefused(_("Say which proof the QF was read on (CAF, MSA or tax notice)."), code="provider")
    if case and case not in CASE_LABELS:
        raise TransitionRefused(_("Unknown price column."), code="case")
    with transaction.atomic():
        current = _locked(dossier)
        if S.VALIDATED not in allowed_transitions(current.status):
            raise TransitionRefused(_("Only a dossier under review can be validated."), code="not_allowed")
        if qf is not None:
            dossier.qf, dossier.qf_source, dossier.qf_month = qf, qf_provider, qf_month
        elif maximum_tariff:
            dossier.qf_source = ""
        derived_case = dossier_case_derive(dossier=dossier)
        derived_residence = dossier_residence_derive(dossier=dossier)
        corrections = {}
        if case and case != derived_case.value:
            corrections["case"] = {"derived": derived_case.value, "chosen": case}
        if resident is not None and resident != derived_residence.value:
            corrections["resident"] = {"derived": derived_residence.value, "chosen": resident}
        # Deciding a residence the address could not give needs no reason; changing a derived one does.
        changed = "case" in corrections or ("resident" in corrections and derived_residence.value is not None)
        if changed and not pricing_reason.strip():
            raise TransitionRefused(
                _("Give the reason for changing the price column or the residence: it is kept in the history."),
                code="pricing_reason",
            )
        missing = [
            check
            for check in validation_checks(dossier=dossier)
            if not check.ok and not (check.key == "qf" and maximum_tariff)
        ]
        if missing and not override:
            refused = TransitionRefused(
                _("Missing before validation: %(items)s.") % {"items": ", ".join(c.label for c in missing)},
                code="missing",
            )
            refused.missing = missing
            raise refused
        if missing:
            DossierEvent.objects.create(
                dossier=dossier,
                actor=by,
                kind=EventKind.OVERRIDE,
                from_status=current.status,
                to_status=current.status,
                comment=", ".join(str(check.label) for check in missing),
                is_public=False,
                details={"missing": [check.key for check in missing]},
            )
        if qf is not None or corrections:
            parts = []
            if qf is not None:
                parts.append(
                    _("QF %(qf)s read on a proof: %(proof)s.") % {"qf": qf, "proof": dict(PROOF_PROVIDERS)[qf_provider]}
                )
            if "case" in corrections:
                parts.append(
                    _("Price column: %(chosen)s instead of %(derived)s.")
                    % {
                        "chosen": CASE_LABELS[case],
                        "derived": CASE_LABELS.get(derived_case.value, _("none")),
                    }
                )
            if "resident" in corrections:
                parts.append(_("Resident.") if resident else _("Not resident."))
            DossierEvent.objects.create(
                dossier=dossier,
                actor=by,
                kind=EventKind.PRICING,
                from_status=current.status,
                to_status=current.status,
                comment=" ".join([*(str(part) for part in parts), pricing_reason.strip()]).strip(),
                is_public=False,
                details={"qf": qf, "qf_provider": qf_provider, "corrections": corrections, "reason": pricing_reason},
            )
        try:  # the dossier's data become the household's verified data, before pricing from it (issue 17)
            household_validate_dossier(dossier=dossier, actor=by, refused=household_refused)
        except ValidationError as error:
            raise TransitionRefused(error.messages[0], code="household_reason") from error
        if qf is None and not maximum_tariff and not dossier.form_page.specific.qf_key:
            # An enrolment is priced on the household's QF as it is now (its dossier famille may have been
            # validated since the enrolment was sent).
            on_file = household_qf_on_file(household=household_for_dossier(dossier=dossier))
            if on_file[0] is not None:
                dossier.qf, dossier.qf_source, dossier.qf_month = on_file[:3]
        prices = (
            dossier_prices_compute(dossier=dossier, resident=resident, case=case)
            if dossier.form_page.specific.priced_services
            else {}
        )
        return _move(
            dossier=dossier,
            to=S.VALIDATED,
            by=by,
            comment=comment.strip(),
            extra_fields={
                "qf": dossier.qf,
                "qf_source": dossier.qf_source,
                "qf_month": dossier.qf_month,
                "prices": prices,
                "validated_at": timezone.now(),
            },
        )
