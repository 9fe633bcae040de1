"""The family's side of a correction request: the answers it is asked to fix, and sending them.

An agent asks (``backoffice.workflow.dossier_request_correction``); the family can then change only the
answers and documents named, and its dossier goes back to "submitted" (``dossier_correction_submit``).
Answers are reached by their path: ``key`` or ``group.N.key``.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..engine import roles
from ..engine.definition import Definition
from ..engine.fieldtypes import field_type
from ..models import CorrectionRequest, Dossier, DossierFile, DossierStatus, EventKind
from .lifecycle import dossier_move
from .pricing import dossier_qf_from_answers
from .services import upload_store

S = DossierStatus


def answer_at(answers: Mapping[str, Any], path: str) -> Any:
    key, _sep, rest = path.partition(".")
    if not rest:
        return answers.get(key)
    number, _sep, child = rest.partition(".")
    items = answers.get(key) or []
    return items[int(number)].get(child) if int(number) < len(items) else None


def answer_set(answers: dict, path: str, value: Any) -> None:
    key, _sep, rest = path.partition(".")
    if not rest:
        answers[key] = value
        return
    number, _sep, child = rest.partition(".")
    answers[key][int(number)][child] = value


def answer_text(spec: dict, value: Any, file_names: Mapping[str, str]) -> str:
    if field_type(spec).holds_file:
        return file_names.get(value or "", "") if value else ""
    return field_type(spec).display(spec, value)


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
            if field_type(spec).holds_file:
                # The document itself is what must change: a new one is required.
                for field in fields.values():
                    field.required = True
            form_class = type("CorrectionPart", (forms.Form,), dict(fields))
            initial = {}
            if not field_type(spec).holds_file:
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
            if field_type(spec).holds_file:
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
            answer_set(answers, item.path, value)
            item.after = {"value": value, "text": answer_text(spec, value, file_names)}
            item.save(update_fields=["after"])
            changes.append({"path": item.path, "before": item.before.get("text"), "after": item.after["text"]})
        correction.answered_at = now
        correction.save(update_fields=["answered_at"])
        extra = {"answers": answers}
        definition = dossier.get_definition()
        qf_key = definition.key_with_role(roles.FAMILY_QF)
        if qf_key and any(item.path == qf_key for item in correction.items.all()):
            qf, source, month = dossier_qf_from_answers(definition=definition, answers=answers, provenance={})
            extra.update({"qf": qf, "qf_source": source, "qf_month": month})
        dossier_move(
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
