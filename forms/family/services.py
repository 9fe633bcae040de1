"""Writes of the ``forms`` app: drafts saved step by step, and the atomic submission of a dossier.

Public, keyword-only: ``draft_for``, ``draft_save``, ``draft_apply_group_action``, ``draft_delete``,
``drafts_purge_expired``, ``dossier_submit``, ``reference_next``. Views, the admin and commands call
these; nothing hides in ``save()`` or signals. Answers are never logged (health data may be among them).
"""

import datetime
import errno
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.crypto import DecryptionError, decrypt, decrypt_bytes, encrypt, encrypt_bytes
from connectors.prefill import apply_mode
from connectors.providers import ConsentRequired, Provider, provider_for
from home.selectors import council_for_page, rules_in_force
from home.services import rules_accept

from ..engine import roles
from ..engine.definition import Definition, role_of
from ..engine.fieldtypes import (
    EmailType,
    PrefillType,
    RulesType,
    field_type,
    rules_checkbox_label,
)
from ..engine.rendering import StepForm, answers_as_data, definition_for, layout_for, visible_steps
from ..models import (
    Access,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStatus,
    Draft,
    DraftFile,
    EventKind,
    FormPage,
    Multiplicity,
    NotificationEvent,
    ReferenceSequence,
)
from .child_forms import child_sent_this_period, child_spec
from .household_selectors import household_for, household_qf_on_file
from .household_services import household_sync_submitted
from .notifications import notification_queue
from .pricing import dossier_qf_from_answers

logger = logging.getLogger(__name__)


class StepInvalid(ValidationError):
    """A step did not validate. Its valid answers and files were saved anyway; ``form`` has the errors."""

    def __init__(self, *, draft: Draft, form: StepForm):
        self.draft = draft
        self.form = form
        super().__init__(_("This step has errors."), code="step_invalid")


class AlreadySent(Exception):
    """The draft was sent meanwhile (a second click, a second tab): ``dossier`` is the one it became."""

    def __init__(self, *, dossier: Dossier | None):
        self.dossier = dossier
        super().__init__("This draft has already been sent.")


class DossierIncomplete(ValidationError):
    """The whole form does not validate at submit: ``step`` (1-based) is the first step to fix."""

    def __init__(self, *, step: int):
        self.step = step
        super().__init__(_("Some answers are missing or wrong."), code="incomplete")


def private_storage():
    return storages["private"]


def _today() -> datetime.date:
    return timezone.localdate()


# Access -------------------------------------------------------------------------------------


def form_can_start(*, form_page: FormPage, user) -> str | None:
    """Why a user cannot fill this form now (a sentence), or None if they can."""
    if not form_page.is_open():
        return str(_("This form is not open at the moment."))
    if form_page.access == Access.FAMILY and not user.is_authenticated:
        return str(_("Log in to your family account to fill this form."))
    if form_page.multiplicity == Multiplicity.ONE_PER_PERIOD and dossier_sent_this_period(
        form_page=form_page, user=user
    ):
        return str(_("You have already sent this form for the current period. Find it in your family space."))
    return None


def dossier_sent_this_period(*, form_page: FormPage, user) -> Dossier | None:
    """The family's latest dossier of this form in the current opening period (refused or closed ones
    do not count), or None."""
    if not user.is_authenticated:
        return None
    if child_spec(definition_for(form_page)) is not None:
        return None  # a form about a child is sent once per child: ``child_sent_this_period`` (issue 17)
    dossiers = Dossier.objects.filter(form_page=form_page, family=user)
    if form_page.opens_at:
        dossiers = dossiers.filter(submitted_at__gte=form_page.opens_at)
    return dossiers.exclude(status__in=[DossierStatus.REFUSED, DossierStatus.CLOSED]).order_by("-pk").first()


# Drafts -------------------------------------------------------------------------------------


def draft_for(*, form_page: FormPage, user, draft_uuid: str | None = None, create: bool = False) -> Draft | None:
    """The family's live draft of a form (or an anonymous visitor's, by its uuid kept in the session).

    Never a counter draft: what an agent types at the counter stays apart from the family's own draft."""
    drafts = Draft.objects.filter(form_page=form_page, expires_at__gt=timezone.now(), agent__isnull=True)
    if user.is_authenticated:
        draft = drafts.filter(user=user).first()
    else:
        draft = drafts.filter(user__isnull=True, uuid=draft_uuid).first() if draft_uuid else None
    if draft is not None:
        draft.form_page = form_page  # the caller's page and user: no query to fetch them again
        if user.is_authenticated:
            draft.user = user
    if draft is None and create:
        # An expired draft of the same family is replaced by a new one.
        if user.is_authenticated:
            Draft.objects.filter(form_page=form_page, user=user, agent__isnull=True).delete()
        draft = Draft(form_page=form_page, user=user if user.is_authenticated else None)
        draft.save()
    return draft


def counter_can_file(*, form_page: FormPage, family, email: str = "") -> str | None:
    """Why an agent cannot file this form at the counter now for ``family`` (an account, or None for a
    family without one, known by ``email`` if any): a sentence, or None."""
    if not form_page.is_open():
        return str(_("This form is not open at the moment."))
    if form_page.multiplicity == Multiplicity.ONE_PER_PERIOD and (family is not None or email):
        dossiers = Dossier.objects.filter(form_page=form_page)
        if family is not None:
            dossiers = dossiers.filter(family=family)
        else:
            dossiers = dossiers.filter(family__isnull=True, contact_email__iexact=email)
        if form_page.opens_at:
            dossiers = dossiers.filter(submitted_at__gte=form_page.opens_at)
        if dossiers.exclude(status__in=[DossierStatus.REFUSED, DossierStatus.CLOSED]).exists():
            return str(_("This family has already sent this form for the current period."))
    return None


def counter_draft_for(*, form_page: FormPage, agent, family, email: str = "") -> tuple[Draft, bool]:
    """The agent's counter draft of this form for ``family`` (an account), or for a family without an
    account (``family`` None, ``email`` optional): resumed when the agent has one, else started.

    Returns the draft and whether the family has an online draft of its own (left untouched: the agent
    tells the family that its online draft stays as it was)."""
    drafts = Draft.objects.filter(form_page=form_page, agent=agent, expires_at__gt=timezone.now())
    if family is not None:
        draft = drafts.filter(user=family).first()
    else:
        draft = drafts.filter(user__isnull=True, family_email__iexact=email).first() if email else None
    if draft is None:
        draft = Draft.objects.create(form_page=form_page, agent=agent, user=family, family_email=email)
    own = family is not None and draft_for(form_page=form_page, user=family) is not None
    return draft, own


def draft_file_names(draft: Draft) -> dict[str, str]:
    return {str(stored.uuid): stored.original_name for stored in draft.files.all()}


def upload_store(*, upload, folder: str) -> dict[str, Any]:
    """Save an upload that passed the checks in the private storage, under ``folder``, encrypted (a
    certificate, a tax notice or a medical protocol is unreadable to whoever copies the disk): the fields
    of its file record (original name, type, size and SHA-256 of the original, storage path)."""
    checked = upload.checked
    upload.seek(0)
    name = f"{folder}/{uuid.uuid4().hex}{PurePath(checked.name).suffix.lower()}"
    try:
        path = private_storage().save(name, ContentFile(encrypt_bytes(upload.read())))
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        logger.error("Private storage full: an upload was refused (%s).", error.strerror)
        raise ValidationError(
            _("Your file could not be saved: the portal's storage is full. Your answers are kept; try again later."),
            code="storage_full",
        ) from error
    return {
        "original_name": checked.name[:255],
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
        "path": path,
        "encrypted": True,
    }


def stored_file_content(stored) -> bytes:
    """The original bytes of a stored file (decrypted when it was stored encrypted)."""
    with private_storage().open(stored.path, "rb") as handle:
        content = handle.read()
    return decrypt_bytes(content) if stored.encrypted else content


def _store_upload(*, draft: Draft, key: str, upload) -> DraftFile:
    """Store an upload in the draft, within the draft's total size; the file it replaces is deleted."""
    replaced = list(draft.files.filter(key=key))
    kept = sum(draft.files.exclude(key=key).values_list("size", flat=True))
    limit = settings.DRAFT_FILES_MAX_SIZE
    if kept + upload.size > limit:
        raise ValidationError(
            _(
                "Your documents for this form would exceed %(max)s in all (%(kept)s already sent). "
                "Replace a document with a lighter one, e.g. a scan in black and white."
            ),
            params={"max": filesizeformat(limit), "kept": filesizeformat(kept)},
            code="draft_full",
        )
    stored = DraftFile.objects.create(
        draft=draft, key=key, **upload_store(upload=upload, folder=f"forms/{draft.form_page_id}/{draft.uuid}")
    )
    if replaced:
        # The family replaced the document: it is gone for them, so it goes from the storage too.
        DraftFile.objects.filter(pk__in=[old.pk for old in replaced]).delete()
        paths = [old.path for old in replaced]
        transaction.on_commit(lambda: [private_storage().delete(path) for path in paths])
    return stored


def draft_save(
    *,
    form_page: FormPage,
    user,
    step: int,
    data: Mapping,
    files: Mapping,
    draft: Draft | None = None,
) -> Draft:
    """Validate step ``step`` (0-based) and save it into the family's draft.

    Every answer that validates is kept, and every uploaded file that passes its checks is stored,
    even when another field of the step is wrong: then ``StepInvalid`` is raised (with the form and
    its errors) after saving. Answers of fields hidden by a condition are removed.
    """
    definition = definition_for(form_page)
    draft = draft or draft_for(form_page=form_page, user=user, create=True)
    layout = layout_for(form_page, definition, step)
    form = StepForm(
        layout,
        answers=draft.answers,
        data=data,
        files=files,
        file_names=draft_file_names(draft),
        today=_today(),
        locked=locked_values(draft),
    )
    with transaction.atomic():
        for path, part_form, name, upload in form.uploads():
            try:
                stored = _store_upload(draft=draft, key=path, upload=upload)
            except ValidationError as refused:  # the draft is kept, the field says why
                form.upload_refused(part_form, name, refused)
                continue
            form.use_stored_file(part_form, name, str(stored.uuid), stored.original_name)
        answers, hidden = form.answers_and_hidden()
        for key in hidden:
            draft.answers.pop(key, None)
        draft.answers.update(answers)
        if form.is_valid():
            draft.furthest_step = max(draft.furthest_step, step + 2)
        draft.save()
    if not form.is_valid():
        raise StepInvalid(draft=draft, form=form)
    return draft


def draft_apply_group_action(*, draft: Draft, group_key: str, add: bool, index: int | None = None) -> Draft:
    """Add an empty item to a repeatable group, or remove item ``index`` (the buttons that work without JS)."""
    items = list(draft.answers.get(group_key) or [])
    if add:
        items.append({})
    elif index is not None and 0 <= index < len(items):
        items.pop(index)
    draft.answers[group_key] = items
    draft.save(update_fields=["answers"])
    return draft


def draft_delete(*, draft: Draft) -> None:
    """Delete a draft and its stored files."""
    paths = list(draft.files.values_list("path", flat=True))
    draft.delete()
    for path in paths:
        private_storage().delete(path)


def drafts_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete drafts past their expiry (and their files); returns how many."""
    expired = Draft.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for draft in expired.iterator():
        draft_delete(draft=draft)
        count += 1
    return count


# Prefill from a data source --------------------------------------------------------------------


def locked_values(draft: Draft) -> dict[str, Any]:
    """Prefilled values the family may not change: ``{field key: value}``."""
    locked: dict[str, Any] = {}
    for state in draft.prefill.values():
        locked.update(state.get("locked") or {})
    return locked


def prefill_converted(provider, value: Any, target: dict[str, Any]) -> Any:
    """A provider's value in the shape of the form field it fills (a group's items by their fields' roles)."""
    item_roles = {child["key"]: role_of(child) for child in target.get("fields") or [] if child.get("key")}
    return provider.value_for(value, shape=field_type(target).prefill_target, item_roles=item_roles)


def prefill_specs(definition: Definition, step: int) -> list[dict[str, Any]]:
    return [spec for spec in definition.steps[step]["fields"] if spec["type"] == PrefillType.name]


def prefill_provider(spec: dict[str, Any]) -> Provider:
    """The data source of a prefill block."""
    return provider_for(spec.get("provider") or "")


def prefill_keys(spec: dict[str, Any]) -> list[str]:
    """The provider's fields a prefill block asks for (data minimisation: only these)."""
    return [mapping["source"] for mapping in spec.get("mappings", [])]


# Failures after which asking again may work (unlike "no file at the CAF/MSA").
PREFILL_RETRYABLE = {"unavailable", "busy", "identity_mismatch", "invalid_input"}


def draft_prefill(
    *,
    draft: Draft,
    spec: dict[str, Any],
    identity,
    consent_text_version: str,
    council,
    typed: Mapping[str, str] | None = None,
) -> Draft:
    """With the family's consent, fetch its data from the block's provider and fill the fields it declares.

    The provider records the consent and fetches (``connectors.providers``), then this fills each
    target with its mode (locked fields are kept in ``draft.prefill`` and enforced on every save), and
    keeps the provenance per key. On failure, ``draft.prefill[key]`` says so with the family's message:
    the step then offers the manual route. The draft is saved in both cases. ``typed``: the identity form's
    values, kept (encrypted) after a failure the family may retry, so that "try again" shows them again.
    """
    definition = definition_for(draft.form_page.specific)
    targets = definition.field_by_key()
    provider = prefill_provider(spec)
    try:
        result = provider.fetch(
            council=council,
            user=draft.user,
            identity=identity,
            keys=prefill_keys(spec),
            consent_text_version=consent_text_version,
        )
    except ConsentRequired:
        draft.prefill[spec["key"]] = {
            "status": "failed",
            "message": str(_("The information notice has changed: please read it again.")),
        }
        draft.save(update_fields=["prefill"])
        return draft
    state: dict[str, Any] = {
        "status": "ok" if result.ok else "failed",
        "message": result.family_message,
        "locked": {},
        # A passing outage, or an identity the family can correct: it may try again.
        "retry": result.kind in PREFILL_RETRYABLE,
    }
    if state["retry"] and typed:
        state["typed"] = encrypt(json.dumps(dict(typed)))
    if result.ok:
        for mapping in spec.get("mappings", []):
            target = targets.get(mapping["target"])
            if target is None:
                continue
            prefilled = result.values.get(mapping["source"])
            converted = prefill_converted(provider, prefilled, target) if prefilled is not None else None
            value, is_locked = apply_mode(
                mapping["mode"], prefilled=converted, current=draft.answers.get(target["key"])
            )
            if value is not None:
                draft.answers[target["key"]] = value
            if is_locked and value is not None:
                state["locked"][target["key"]] = value
            if prefilled is not None and mapping["source"] in result.provenance:
                # The value as the API sent it stays with its provenance (names come in capitals), and the
                # value filled in, to tell later whether the family changed it.
                draft.provenance[target["key"]] = {
                    **result.provenance[mapping["source"]],
                    "raw": prefilled,
                    "value": converted,
                }
        state["manual_route"] = result.manual_route
    draft.prefill[spec["key"]] = state
    draft.save(update_fields=["answers", "provenance", "prefill"])
    logger.info("Prefill for draft %s: %s", draft.pk, result.kind or "ok")
    return draft


def draft_prefill_retry(*, draft: Draft, spec: dict[str, Any]) -> Draft:
    """After a failure the family may try again: the consent notice and the identity form come back, with
    what the family typed and ticked before (``prefill_typed``)."""
    state = draft.prefill.get(spec["key"], {})
    if state.get("retry"):
        if state.get("typed"):
            draft.prefill[spec["key"]] = {"status": "retry", "typed": state["typed"]}
        else:
            del draft.prefill[spec["key"]]
        draft.save(update_fields=["prefill"])
    return draft


def prefill_typed(*, draft: Draft, spec: dict[str, Any]) -> dict[str, str]:
    """The identity typed before a retried failure (empty when there is none or it cannot be read)."""
    token = draft.prefill.get(spec["key"], {}).get("typed")
    if not token:
        return {}
    try:
        return json.loads(decrypt(token))
    except (DecryptionError, ValueError):
        return {}


def draft_prefill_refuse(*, draft: Draft, spec: dict[str, Any]) -> Draft:
    """The family prefers the manual route: nothing is fetched, nothing is locked."""
    draft.prefill[spec["key"]] = {"status": "refused", "locked": {}}
    draft.save(update_fields=["prefill"])
    return draft


# Submission -------------------------------------------------------------------------------


def reference_next(*, council, prefix: str, year: int) -> str:
    """The next human reference, e.g. ``DF-2026-000123``, unique per council; call inside a transaction.

    The UPDATE ... SET n = n + 1 locks the sequence row until the transaction ends, so concurrent
    submissions get distinct numbers; a rolled-back submission gives its number back.
    """
    number = _sequence_increment(council_id=council.pk, prefix=prefix, year=year)
    if number is None:
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(council=council, prefix=prefix, year=year, last_number=1)
            number = 1
        except IntegrityError:  # created meanwhile by a concurrent submission
            number = _sequence_increment(council_id=council.pk, prefix=prefix, year=year)
    return f"{prefix}-{year}-{number:06d}"


def _sequence_increment(*, council_id: int, prefix: str, year: int) -> int | None:
    """Add one to a sequence and read the new number in one statement (UPDATE ... RETURNING, which
    PostgreSQL and SQLite both have), or None when the sequence does not exist yet."""
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 (our own table name, quoted)
            "WHERE council_id = %s AND prefix = %s AND year = %s RETURNING last_number",
            [council_id, prefix, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def validated_answers(
    *, form_page: FormPage, definition: Definition, answers: Mapping[str, Any], locked: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The answers of the visible steps and fields, validated again; raises ``DossierIncomplete``."""
    today = _today()
    result: dict[str, Any] = {}
    for index in visible_steps(definition, answers, today=today):
        layout = layout_for(form_page, definition, index)
        form = StepForm(
            layout,
            answers={**answers, **result},
            data=answers_as_data(layout, answers),
            files={},
            today=today,
            locked=locked,
        )
        if not form.is_valid():
            raise DossierIncomplete(step=index + 1)
        step_answers, _hidden = form.answers_and_hidden()
        for spec in definition.steps[index]["fields"]:
            if spec["type"] == RulesType.name and step_answers.get(spec["key"]):
                # Keep what was recorded when the box was ticked (the version shown).
                step_answers[spec["key"]] = {**answers[spec["key"]], **step_answers[spec["key"]]}
        result.update(step_answers)
    return result


def _file_tokens(definition: Definition, answers: Mapping[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(answer path, token, is health) of every file answered."""
    for path, spec, value, group, _number in definition.answered(answers):
        if field_type(spec).holds_file and value:
            yield path, value, spec["health"] or bool(group and group["health"])


def _record_rules_acceptances(
    *, definition: Definition, answers: dict[str, Any], user, request_meta: Mapping[str, Any], on_paper: bool = False
) -> None:
    """Record each rules acceptance through ``home``'s service, as evidence (inside the submit transaction).

    ``on_paper``: a family without an account signed the rules on paper at the counter; the answer says
    so (the signed paper is the evidence) and no electronic acceptance is recorded."""
    rules_fields = [
        (index, spec)
        for index, spec in definition.fields()
        if spec["type"] == RulesType.name and answers.get(spec["key"])
    ]
    if not rules_fields:
        return
    for step_index, spec in rules_fields:
        answer = answers[spec["key"]]
        rules_page, version = rules_in_force(rules_page_id=spec["rules_page"])
        if rules_page is None or version is None or version.number != answer.get("version"):
            # A new version came into force since the box was ticked: the family must accept that one.
            raise DossierIncomplete(step=step_index + 1)
        if on_paper:
            answers[spec["key"]] = {**answer, "on_paper": True, "version": version.number}
            continue
        acceptance = rules_accept(
            rules_page=rules_page,
            user=user,
            guardian_name=answer["guardian_name"],
            checkbox_label=str(rules_checkbox_label()),
            ip_address=request_meta.get("ip_address"),
            user_agent=request_meta.get("user_agent", ""),
            version=version,
        )
        answers[spec["key"]] = {**answer, "acceptance": str(acceptance.reference), "version": version.number}


def dossier_submit(*, draft: Draft, request_meta: Mapping[str, Any]) -> Dossier:
    """Validate the whole draft again and turn it into a dossier, atomically.

    ``request_meta``: ``ip_address``, ``user_agent`` (acceptance evidence) and optionally ``agent`` (the
    staff member filing it at the counter for the family). Either everything is saved (dossier, files, rules acceptances, history,
    a new reference) and the draft deleted, or nothing is and the draft stays as it was.
    """
    form_page = draft.form_page.specific
    user = draft.user
    at_counter = draft.agent_id is not None
    if at_counter:
        reason = counter_can_file(form_page=form_page, family=user, email=draft.family_email)
    else:
        _refuse_if_sent(form_page=form_page, user=user)
        reason = form_can_start(form_page=form_page, user=user or AnonymousUser())
    if reason:
        raise PermissionDenied(reason)
    definition = definition_for(form_page)
    answers = validated_answers(
        form_page=form_page, definition=definition, answers=draft.answers, locked=locked_values(draft)
    )
    council = council_for_page(form_page)
    draft_files = {str(stored.uuid): stored for stored in draft.files.all()}
    contact_email = (
        user.email
        if user
        else draft.family_email
        if at_counter
        else next(
            (
                answers[spec["key"]]
                for _i, spec in definition.fields()
                if spec["type"] == EmailType.name and answers.get(spec["key"])
            ),
            "",
        )
    )
    now = timezone.now()
    with transaction.atomic():
        # Two POSTs of the same draft (a double click, two tabs) queue here: the second one finds the
        # draft gone, or the first dossier already sent, and is shown that dossier.
        if not list(Draft.objects.select_for_update().filter(pk=draft.pk).values_list("pk", flat=True)):
            raise AlreadySent(dossier=dossier_latest(form_page=form_page, user=user))
        _refuse_if_sent(form_page=form_page, user=user)
        if user is not None and form_page.multiplicity == Multiplicity.ONE_PER_PERIOD:
            sent_for_child = child_sent_this_period(form_page=form_page, user=user, provenance=draft.provenance)
            if sent_for_child is not None:  # a form about a child: once per child (issue 17)
                raise AlreadySent(dossier=sent_for_child)
        reference = reference_next(council=council, prefix=form_page.reference_prefix, year=now.year)
        _record_rules_acceptances(
            definition=definition,
            answers=answers,
            user=user,
            request_meta=request_meta,
            on_paper=at_counter and user is None,
        )
        provenance = {key: value for key, value in draft.provenance.items() if key in answers}
        qf, qf_source, qf_month = dossier_qf_from_answers(definition=definition, answers=answers, provenance=provenance)
        if definition.field_with_role(roles.FAMILY_QF) is None and user is not None:
            # A form that does not ask for the QF (an enrolment) keeps the household's: the one its prices
            # were estimated with, and will be computed with at validation.
            on_file = household_qf_on_file(household=household_for(user=user, council=council))
            if on_file[0] is not None:
                qf, qf_source, qf_month = on_file[:3]
        agent = request_meta.get("agent")
        dossier = Dossier.objects.create(
            reference=reference,
            form_page=form_page,
            revision_id=form_page.live_revision_id,
            definition=definition.as_json(),
            answers=answers,
            provenance=provenance,
            family=user,
            contact_email=contact_email,
            council=council,
            is_health_data=form_page.is_health_data,
            submitted_by_agent=agent is not None,
            renewal_of=draft.renewal_of,
            qf=qf,
            qf_source=qf_source,
            qf_month=qf_month,
            submitted_at=now,
        )
        files = []
        for path, token, health in _file_tokens(definition, answers):
            stored = draft_files.get(token)
            if stored is None:
                raise DossierIncomplete(step=1)
            files.append(
                DossierFile(
                    dossier=dossier,
                    uuid=stored.uuid,
                    key=path,
                    original_name=stored.original_name,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    path=stored.path,
                    encrypted=stored.encrypted,
                    uploaded_at=stored.uploaded_at,
                    health=health or form_page.is_health_data,
                )
            )
        # The draft's file rows go (their bytes now belong to the dossier); then the dossier's rows come.
        unused = [stored.path for token, stored in draft_files.items() if token not in {f"{f.uuid}" for f in files}]
        draft.delete()
        DossierFile.objects.bulk_create(files)
        DossierEvent.objects.create(
            dossier=dossier,
            actor=agent or user,
            kind=EventKind.FILED_BY_AGENT if agent else EventKind.SUBMITTED,
            to_status=DossierStatus.SUBMITTED,
        )
        household_sync_submitted(dossier=dossier)  # the family's household, created or completed (issue 17)
        transaction.on_commit(lambda: _after_submit(dossier, unused))
    logger.info("Dossier %s submitted (form %s)", dossier.reference, form_page.pk)
    return dossier


def _refuse_if_sent(*, form_page: FormPage, user) -> None:
    """``AlreadySent`` when the family already sent this one-per-period form."""
    if user is not None and form_page.multiplicity == Multiplicity.ONE_PER_PERIOD:
        sent = dossier_sent_this_period(form_page=form_page, user=user)
        if sent is not None:
            raise AlreadySent(dossier=sent)


def dossier_latest(*, form_page: FormPage, user) -> Dossier | None:
    """The family's latest dossier of this form, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Dossier.objects.filter(form_page=form_page, family=user).order_by("-pk").first()


def _after_submit(dossier: Dossier, unused_paths: list[str]) -> None:
    for path in unused_paths:
        private_storage().delete(path)
    with transaction.atomic():  # the email's log and its task: saved together
        notification_queue(dossier=dossier, event=NotificationEvent.SUBMITTED)


# Paper dossiers ----------------------------------------------------------------------------


def paper_dossiers_claim(*, user, council) -> list[Dossier]:
    """Join to ``user``'s account the dossiers an agent filed at the counter of ``council`` for a family
    without an account, under one of the account's **verified** email addresses (an address not yet
    confirmed claims nothing). Each keeps a history line; returns the dossiers joined."""
    if council is None or not user.is_authenticated or user.is_staff or user.is_superuser:
        return []
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    match = Q()
    for email in emails:
        match |= Q(contact_email__iexact=email)
    if not match:
        return []
    claimed = []
    with transaction.atomic():
        paper = Dossier.objects.select_for_update().filter(
            match, council=council, family__isnull=True, submitted_by_agent=True
        )
        for dossier in paper:
            dossier.family = user
            dossier.save(update_fields=["family", "updated_at"])
            DossierEvent.objects.create(
                dossier=dossier,
                actor=user,
                kind=EventKind.CLAIMED,
                from_status=dossier.status,
                to_status=dossier.status,
                is_public=True,
            )
            household_sync_submitted(dossier=dossier)  # the family's household, from its paper dossier famille
            claimed.append(dossier)
    if claimed:
        logger.info("%s paper dossier(s) joined to account %s", len(claimed), user.pk)
    return claimed
