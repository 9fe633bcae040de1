"""The agents' work on a dossier: status changes, assignment, notes, correction requests and validation.

Statuses and their moves are in ``family.lifecycle``, prices in ``family.pricing``, the family's answer to
a correction in ``family.corrections``. Public, keyword-only: ``dossier_transition``,
``dossier_review_start``, ``dossier_assign``, ``dossier_note_add``, ``correction_targets``,
``dossier_request_correction``, ``validation_checks``, ``dossier_validate``.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from home.models import RulesPage
from home.selectors import rules_acceptance_status

from ..engine import roles
from ..engine.definition import Definition
from ..engine.fieldtypes import RulesType, field_type
from ..family.corrections import answer_at, answer_text
from ..family.household_selectors import household_for_dossier, household_qf_on_file
from ..family.household_services import household_validate_dossier
from ..family.lifecycle import DEDICATED, TransitionRefused, allowed_transitions, dossier_locked, dossier_move
from ..family.pricing import (
    CASE_LABELS,
    PROOF_PROVIDERS,
    dossier_case_derive,
    dossier_prices_compute,
    dossier_residence_derive,
)
from ..family.selectors import agents_of_council
from ..models import (
    CorrectionItem,
    CorrectionReason,
    CorrectionRequest,
    Dossier,
    DossierEvent,
    DossierNote,
    DossierStatus,
    EventKind,
)

S = DossierStatus


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
        return dossier_move(dossier=dossier, to=to, by=by, comment=comment.strip(), visible_to_family=visible_to_family)


def dossier_review_start(*, dossier: Dossier, by) -> DossierEvent:
    return dossier_transition(dossier=dossier, to=S.UNDER_REVIEW, by=by)


def dossier_assign(*, dossier: Dossier, to, by) -> DossierEvent:
    """Assign the dossier to an agent of its council (or to nobody), recorded in the internal history."""
    if to is not None and not agents_of_council(council=dossier.council).filter(pk=to.pk).exists():
        raise ValidationError(_("This person is not an agent of the dossier's council."), code="not_agent")
    with transaction.atomic():
        dossier_locked(dossier)
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
    for path, spec, _value, group, number in dossier.get_definition().answered(dossier.answers):
        if not field_type(spec).correctable or not spec.get("key"):
            continue
        if group is None:
            targets.append(Target(path, spec["label"], spec, spec["health"]))
        else:
            label = f"{group.get('item_label') or group['label']} {number + 1} – {spec['label']}"
            targets.append(Target(path, label, spec, group["health"] or spec["health"]))
    if dossier.is_health_data:
        targets = [Target(t.path, t.label, t.spec, True) for t in targets]
    if not include_health:
        targets = [target for target in targets if not target.health]
    return targets


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
                    "text": answer_text(targets[path].spec, answer_at(dossier.answers, path), file_names),
                },
            )
            for path, reason in dict(items).items()
        )
        dossier_move(
            dossier=dossier,
            to=S.CORRECTION_REQUESTED,
            by=by,
            comment=message.strip(),
            details={"correction": correction.pk, "paths": [path for path, _reason in items]},
        )
    return correction


@dataclass(frozen=True)
class Check:
    """A validation condition: ``ok`` or what is missing."""

    key: str
    label: str
    ok: bool
    detail: str = ""


def _rules_specs(definition: Definition) -> list[dict]:
    return [spec for _index, spec in definition.fields() if spec["type"] == RulesType.name]


def validation_checks(*, dossier: Dossier) -> list[Check]:
    """The form's validation conditions, each met or not, for the agent to see before validating."""
    form_page = dossier.form_page.specific
    checks = []
    if form_page.requires_rules_accepted:
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
    proof_key = dossier.get_definition().key_with_role(roles.PROOF_OF_ADDRESS)
    if proof_key:
        token = dossier.answers.get(proof_key)
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
        current = dossier_locked(dossier)
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
        try:  # the dossier's data become the household's verified data, before pricing from it
            household_validate_dossier(dossier=dossier, actor=by, refused=household_refused)
        except ValidationError as error:
            raise TransitionRefused(error.messages[0], code="household_reason") from error
        if qf is None and not maximum_tariff and not dossier.qf_asked:
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
        return dossier_move(
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
