"""Yearly renewal of a dossier ("dossier unique"): this year's draft starts from the household (issue 17).

The family first sees what is on file (guardians, children, address, QF, documents still valid) and
confirms each part unchanged or says it changed (``renewal_overview``). The draft is filled from the
household; the answers the household does not hold are copied from last year's validated dossier, except
what must be given again: documents marked "expires" (e.g. a proof of address under 3 months) unless one
still valid is on file, the QF unless the family confirms the one on file, and the rules acceptance (the
version in force). Only the steps of a changed part, or with an answer still missing, are then asked
(``renewal_steps``). Kept documents are copied to new private files of the draft.
"""

import uuid
from collections.abc import Collection
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from home.selectors import council_for_page
from home.templatetags.french_dates import date_fr

from ..engine import roles
from ..engine.definition import Definition, role_of
from ..engine.fieldtypes import GROUP_TYPE, field_type
from ..engine.rendering import StepForm, answers_as_data, definition_for, layout_for, visible_steps
from ..models import Dossier, DossierStatus, Draft, DraftFile, FormPage
from .child_forms import child_spec
from .household import DocumentKind, Household
from .household_selectors import household_commune, household_for
from .household_services import (
    GUARDIAN_ROLES,
    MEANING_ATTRIBUTES,
    household_answers,
    household_valid_documents,
)
from .services import draft_delete, draft_for, form_can_start, locked_values, private_storage

# The household's parts a renewal asks the family to confirm, in the order of the confirm screen.
PARTS = ("guardians", "children", "address", "qf")
DOCUMENT_ROLES = {roles.INSURANCE: DocumentKind.INSURANCE, roles.VACCINATIONS: DocumentKind.VACCINATIONS}


def renewal_source(*, form_page: FormPage, user) -> Dossier | None:
    """The family's latest validated dossier of this form from an earlier year, if the form is renewable."""
    if not form_page.renewable or not user.is_authenticated:
        return None
    return (
        Dossier.objects.filter(
            form_page=form_page,
            family=user,
            status=DossierStatus.VALIDATED,
            submitted_at__year__lt=timezone.localdate().year,
        )
        .order_by("-submitted_at")
        .first()
    )


def _copy_file(*, draft: Draft, source: Dossier, token: str, path: str) -> str | None:
    stored = source.files.filter(uuid=token, replaced_at__isnull=True).first()
    if stored is None:
        return None
    storage = private_storage()
    name = f"forms/{draft.form_page_id}/{draft.uuid}/{uuid.uuid4().hex}{PurePath(stored.path).suffix}"
    with storage.open(stored.path, "rb") as content:
        new_path = storage.save(name, content)
    copy = DraftFile.objects.create(
        draft=draft,
        key=path,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        path=new_path,
        encrypted=stored.encrypted,
    )
    return str(copy.uuid)


def _renewed_value(*, draft: Draft, source: Dossier, spec: dict, value: Any, path: str) -> Any:
    """The value carried over for one field, or None when it must be given again."""
    if field_type(spec).holds_file:
        return (
            None if spec.get("expires") or not value else _copy_file(draft=draft, source=source, token=value, path=path)
        )
    if spec["type"] == GROUP_TYPE:
        items = []
        for number, item in enumerate(value or []):
            copied = {}
            for child in spec["fields"]:
                if not field_type(child).renewed or child["key"] not in item:
                    continue
                kept = _renewed_value(
                    draft=draft,
                    source=source,
                    spec=child,
                    value=item[child["key"]],
                    path=f"{path}.{number}.{child['key']}",
                )
                if kept is not None:
                    copied[child["key"]] = kept
            items.append(copied)
        return items
    return value


def part_keys(*, form_page: FormPage, definition: Definition) -> dict[str, set[str]]:
    """The keys of the fields through which the form asks each part of the household (by their roles)."""
    keys: dict[str, set[str]] = {part: set() for part in PARTS}
    about_child = child_spec(definition) is not None
    for _index, spec in definition.fields():
        if spec["type"] == GROUP_TYPE or spec.get("health") or about_child:
            continue
        if MEANING_ATTRIBUTES.get(spec.get("meaning")) or GUARDIAN_ROLES.get(spec.get("role")):
            keys["guardians"].add(spec["key"])
    children = definition.field_with_role(roles.CHILDREN)
    if children is not None:
        keys["children"].add(children["key"])
    address = definition.field_with_role(roles.HOUSEHOLD_ADDRESS)
    if address is not None:
        keys["address"].add(address["key"])
        proof_key = definition.key_with_role(roles.PROOF_OF_ADDRESS)
        if proof_key:  # a new address needs its new proof
            keys["address"].add(proof_key)
    qf_key = definition.key_with_role(roles.FAMILY_QF)
    if qf_key:
        keys["qf"].add(qf_key)
    return keys


def _document_keys(*, form_page: FormPage, definition: Definition) -> dict[str, str]:
    """``{file field key: document kind}``: the form's documents a valid one on file may stand for."""
    kinds = {}
    proof_key = definition.key_with_role(roles.PROOF_OF_ADDRESS)
    if proof_key:
        kinds[proof_key] = DocumentKind.PROOF_OF_ADDRESS
    for _index, spec in definition.fields():
        if spec["type"] == "file" and spec.get("role") in DOCUMENT_ROLES:
            kinds[spec["key"]] = DOCUMENT_ROLES[spec["role"]]
    return kinds


def _part_on_file(household: Household, part: str) -> list[str]:
    """What the household holds of ``part``, as lines the family reads (empty: nothing on file)."""
    if part == "guardians":
        return [
            ", ".join(bit for bit in (f"{g.first_name} {g.last_name}".strip(), g.phone, g.email) if bit)
            for g in household.guardians.all()
        ]
    if part == "children":
        return [
            str(child)
            + (" – " + _("born on %(date)s") % {"date": date_fr(child.birth_date, "j F Y")} if child.birth_date else "")
            for child in household.children.all()
        ]
    if part == "address":
        if not household.address_city:
            return []
        commune = household_commune(household=household)
        street = ", ".join(bit for bit in (household.address_street, household.address_complement) if bit)
        return [street, f"{household.address_postcode} {household.address_city}"] + ([str(commune)] if commune else [])
    if household.qf is None:
        return []
    line = _("Family quotient %(qf)s (%(source)s)") % {
        "qf": household.qf,
        "source": household.get_qf_provider_display(),
    }
    if household.qf_month:
        line += ", " + date_format(household.qf_month, "F Y")
    return [line]


def renewal_overview(*, form_page: FormPage, user) -> dict[str, Any]:
    """The confirm screen of a renewal: each part the form asks and the household holds (``parts``: name,
    lines on file), and the documents still valid that will be kept (``documents``)."""
    household = household_for(user=user, council=council_for_page(form_page))
    if household is None:
        return {"parts": [], "documents": []}
    definition = definition_for(form_page)
    keys = part_keys(form_page=form_page, definition=definition)
    parts = []
    for part in PARTS:
        lines = _part_on_file(household, part) if keys[part] else []
        if lines:
            parts.append({"name": part, "lines": lines})
    documents = []
    for kind in dict.fromkeys(_document_keys(form_page=form_page, definition=definition).values()):
        documents += household_valid_documents(household=household, kind=kind)[:1]
    return {"parts": parts, "documents": documents}


def _from_household(*, draft: Draft, form_page: FormPage, household: Household, definition, changed) -> dict:
    """The answers the household gives: its members, address and children as on file, the QF on file when
    the family confirms it unchanged, and the documents still valid on file (not asked again)."""
    answers = household_answers(household=household, definition=definition)
    qf_key = definition.key_with_role(roles.FAMILY_QF)
    if qf_key and household.qf is not None and "qf" not in changed:
        answers[qf_key] = household.qf
        if household.qf_provenance:  # fetched from the CAF or MSA: its provider and month go with it
            draft.provenance[qf_key] = dict(household.qf_provenance)
    for key, kind in _document_keys(form_page=form_page, definition=definition).items():
        if kind == DocumentKind.PROOF_OF_ADDRESS and "address" in changed:
            continue  # a new address: its proof is asked
        kept = household_valid_documents(household=household, kind=kind)
        if kept:
            stored = kept[0].file
            token = _copy_file(draft=draft, source=stored.dossier, token=str(stored.uuid), path=key)
            if token:
                answers[key] = token
    return answers


def renewal_steps(*, draft: Draft, definition: Definition) -> list[int] | None:
    """The steps a renewal asks (None: not a renewal, every step is asked): those of a part the family said
    changed, and those with an answer still missing (a document expired, the rules in force to accept)."""
    if draft.renewal_of_id is None:
        return None
    form_page = draft.form_page.specific
    keys = part_keys(form_page=form_page, definition=definition)
    changed_keys = set().union(*(keys[part] for part in draft.renewal_changed if part in keys))
    today = timezone.localdate()
    locked = locked_values(draft)
    asked = []
    for index in visible_steps(definition, draft.answers, today=today):
        if changed_keys & {spec.get("key") for spec in definition.steps[index]["fields"]}:
            asked.append(index)
            continue
        layout = layout_for(form_page, definition, index)
        data = answers_as_data(layout, draft.answers)
        form = StepForm(layout, answers=draft.answers, data=data, files={}, today=today, locked=locked)
        if not form.is_valid():
            asked.append(index)
    return asked


def draft_renew(*, form_page: FormPage, user, confirmed: Collection[str] = ()) -> Draft:
    """This year's draft of ``user``, prefilled from the household and last year's validated dossier (see the
    module's doc). ``confirmed``: the parts the family confirmed unchanged (every other part is asked).

    Raises ``PermissionDenied`` when there is nothing to renew or the form cannot be filled now.
    """
    source = renewal_source(form_page=form_page, user=user)
    if source is None:
        raise PermissionDenied("Nothing to renew.")
    reason = form_can_start(form_page=form_page, user=user)
    if reason:
        raise PermissionDenied(reason)
    definition = definition_for(form_page)
    with transaction.atomic():
        existing = draft_for(form_page=form_page, user=user)
        if existing is not None:
            draft_delete(draft=existing)
        draft = draft_for(form_page=form_page, user=user, create=True)
        answers = {}
        for _index, spec in definition.fields():
            key = spec.get("key")
            # The QF is asked again each year (fetched or proved anew), never copied.
            if not field_type(spec).renewed or not key or key not in source.answers or role_of(spec) == roles.FAMILY_QF:
                continue
            value = _renewed_value(draft=draft, source=source, spec=spec, value=source.answers[key], path=key)
            if value is not None:
                answers[key] = value
        household = household_for(user=user, council=council_for_page(form_page))
        on_file = {part["name"] for part in renewal_overview(form_page=form_page, user=user)["parts"]}
        # What the family said changed (a part with nothing on file is asked anyway: its answers are missing).
        changed = [part for part in PARTS if part in on_file and part not in confirmed]
        if household is not None:
            answers.update(
                _from_household(
                    draft=draft, form_page=form_page, household=household, definition=definition, changed=changed
                )
            )
        draft.answers = answers
        draft.renewal_of = source
        draft.renewal_changed = changed
        draft.save(update_fields=["answers", "provenance", "renewal_of", "renewal_changed"])
    return draft
