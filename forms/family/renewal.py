"""Yearly renewal of a dossier ("dossier unique"): start this year's draft from last year's validated dossier.

Answers are copied, except what must be given again: documents marked "expires" (e.g. a proof of
address under 3 months), the family quotient (it changes every month) and the rules acceptance (the
family must accept the version in force). Kept documents are copied to new private files of the draft.
"""

import uuid
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from home.selectors import council_for_page

from ..engine import roles
from ..engine.definition import role_of
from ..engine.fieldtypes import GROUP_TYPE, field_type
from ..engine.rendering import definition_for
from ..models import Dossier, DossierStatus, Draft, DraftFile, FormPage
from .household import DocumentKind
from .household_selectors import household_for
from .household_services import household_answers, household_valid_documents
from .services import draft_delete, draft_for, form_can_start, private_storage


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


def _from_household(*, draft: Draft, form_page: FormPage, user, definition) -> dict:
    """Issue 17: the renewal starts from the household (its members, address and children as on file),
    and a proof of address still valid on file is kept rather than asked again."""
    household = household_for(user=user, council=council_for_page(form_page))
    if household is None:
        return {}
    answers = household_answers(household=household, definition=definition)
    kept = household_valid_documents(household=household, kind=DocumentKind.PROOF_OF_ADDRESS)
    proof_key = definition.key_with_role(roles.PROOF_OF_ADDRESS)
    if proof_key and kept:
        stored = kept[0].file
        token = _copy_file(draft=draft, source=stored.dossier, token=str(stored.uuid), path=proof_key)
        if token:
            answers[proof_key] = token
    return answers


def draft_renew(*, form_page: FormPage, user) -> Draft:
    """This year's draft of ``user``, prefilled from last year's validated dossier (see the module's doc).

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
        answers.update(_from_household(draft=draft, form_page=form_page, user=user, definition=definition))
        draft.answers = answers
        draft.renewal_of = source
        draft.save(update_fields=["answers", "renewal_of"])
    return draft
