"""Writes of the household (foyer). Public, keyword-only: ``household_data_from_dossier``, ``household_ensure``,
``household_changes``, ``household_update``, ``household_sync_submitted``, ``household_validate_dossier``,
``household_invite``, ``household_invitation_accept``.

A form's fields declare which household attribute they read and write (roles, ``forms.engine.roles``): the
group of the children, a child's first and last names and date of birth, the household's address, a
guardian's names, phone and email. ``household_data_from_dossier`` turns a dossier into plain household data
(``{path: value}``); ``household_changes`` compares it with the household, field by field; ``household_update``
applies the changes chosen and records them in the household's history (who, when, from which dossier).
"""

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..engine import roles
from ..engine.definition import Definition
from ..engine.fieldtypes import GROUP_TYPE, YesNoType
from ..models import QF_SOURCE_LABELS, Dossier
from .child_forms import CHILD_ATTRIBUTES, child_answer, child_of_answers, child_spec, dossier_child_uuid
from .household import (
    DocumentKind,
    Household,
    HouseholdAccount,
    HouseholdChild,
    HouseholdChildHealth,
    HouseholdDocument,
    HouseholdEvent,
    HouseholdEventKind,
    HouseholdGuardian,
    HouseholdInvitation,
)
from .household_selectors import household_accounts, household_for

GUARDIAN_ATTRIBUTES = ("last_name", "first_name", "phone", "email")
# A child's attributes in the children's group of a dossier famille (its first name is a name part there).
CHILD_ROLES = {role: attribute for role, attribute in CHILD_ATTRIBUTES.items() if role != roles.CHILD}
MEANING_ATTRIBUTES = {roles.FIRST_NAME: "first_name", roles.LAST_NAME: "last_name"}
GUARDIAN_ROLES = {roles.GUARDIAN_PHONE: "phone", roles.GUARDIAN_EMAIL: "email"}
DOCUMENT_ROLES = {
    roles.PROOF_OF_ADDRESS: DocumentKind.PROOF_OF_ADDRESS,
    roles.INSURANCE: DocumentKind.INSURANCE,
    roles.VACCINATIONS: DocumentKind.VACCINATIONS,
}
ADDRESS_PARTS = ("street", "complement", "postcode", "city", "insee")
MAX_ACCOUNTS = 2
# A QF fetched from these providers (API Particulier) is a checked source: it goes to the household at submit.
FETCHED_PROVIDERS = {"cnaf", "msa"}


def _labels() -> dict[str, str]:
    return {
        "first_name": _("first name"),
        "last_name": _("last name"),
        "birth_date": _("date of birth"),
        "sex": _("sex"),
        "school": _("school"),
        "school_class": _("class"),
        "aeeh": _("AEEH"),
        "diet": _("diet"),
        "phone": _("phone"),
        "email": _("email"),
    }


def _simple(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


def _date(value: Any) -> str:
    """A date answer as ISO text ('' when there is none)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value or "")


def _child_attribute(spec: dict, value: Any) -> tuple[str, Any] | None:
    """(attribute, value) a child's field writes, or None."""
    if spec.get("meaning") in MEANING_ATTRIBUTES:
        return MEANING_ATTRIBUTES[spec["meaning"]], (value or "").strip()
    role = spec.get("role")
    if role == roles.BIRTH_DATE or (role is None and spec["type"] == "date"):
        # A date field among a child's fields is the child's date of birth unless it declares another role.
        return "birth_date", _date(value)
    if role == roles.CHILD_AEEH:
        return "aeeh", YesNoType.is_yes(value)
    if role == roles.CHILD_SEX:
        text = str(value or "").strip().upper()
        return "sex", text[:1] if text[:1] in ("F", "M") else ""
    if role in CHILD_ROLES:
        return CHILD_ROLES[role], str(value or "").strip()
    return None


def children_from_answers(*, definition: Definition, answers: dict) -> list[dict[str, Any]]:
    """The children as the group whose role is "children" gives them: ``[{attribute: value}]``."""
    group = definition.field_with_role(roles.CHILDREN)
    if group is None:
        return []
    children = []
    for item in answers.get(group["key"]) or []:
        child: dict[str, Any] = {}
        for spec in group.get("fields", []):
            if spec.get("health"):
                continue  # health data never go to the household's ordinary part
            found = _child_attribute(spec, item.get(spec["key"]))
            if found is not None and found[0] not in child:
                child[found[0]] = found[1]
        if child.get("first_name"):
            children.append(child)
    return children


def guardians_from_answers(*, definition: Definition, answers: dict) -> list[dict[str, str]]:
    """The guardians a form gives: its top-level names (first and last name meanings, in form order: the
    first pair is the first guardian), phones and emails declared as a guardian's."""
    columns: dict[str, list[str]] = {"last_name": [], "first_name": [], "phone": [], "email": []}
    for _index, spec in definition.fields():
        if spec["type"] == GROUP_TYPE or spec.get("health") or spec.get("key") not in answers:
            continue
        attribute = MEANING_ATTRIBUTES.get(spec.get("meaning")) or GUARDIAN_ROLES.get(spec.get("role"))
        if attribute:
            columns[attribute].append(str(answers.get(spec["key"]) or "").strip())
    count = max(len(values) for values in columns.values())
    guardians = []
    for number in range(count):
        guardian = {name: values[number] if number < len(values) else "" for name, values in columns.items()}
        if guardian["last_name"] or guardian["first_name"]:
            guardians.append(guardian)
    return guardians


def household_data_from_dossier(*, dossier: Dossier) -> dict[str, Any]:
    """What a dossier says about its household: ``address``, ``qf`` (with provider and month), ``guardians``
    and ``children``; a key is absent when the form does not ask for it."""
    definition = dossier.get_definition()
    data: dict[str, Any] = {}
    address_spec = definition.field_with_role(roles.HOUSEHOLD_ADDRESS)
    if address_spec is not None and dossier.answers.get(address_spec["key"]):
        answer = dossier.answers[address_spec["key"]]
        data["address"] = {part: (answer.get(part) or "").strip() for part in ADDRESS_PARTS}
    qf_key = definition.key_with_role(roles.FAMILY_QF)
    if qf_key and dossier.qf is not None:
        data["qf"] = {
            "qf": dossier.qf,
            "provider": dossier.qf_source,
            "month": dossier.qf_month.isoformat() if dossier.qf_month else "",
        }
        origin = dossier.provenance.get(qf_key)
        if origin:
            data["qf_provenance"] = {key: value for key, value in origin.items() if key not in ("raw", "value")}
    # A form about one child names the child, not its guardians.
    guardians = [] if child_spec(definition) else guardians_from_answers(definition=definition, answers=dossier.answers)
    if guardians:
        data["guardians"] = guardians
    children = children_from_answers(definition=definition, answers=dossier.answers)
    if not children and child_of_answers(definition, dossier.answers):
        # A form about one child: the child chosen at its start (by its identifier), as the family gives it.
        children = [{**child_of_answers(definition, dossier.answers), "uuid": dossier_child_uuid(dossier)}]
    if children:
        data["children"] = children
    return data


# Comparing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field the dossier would change in the household: ``path`` (``address``, ``qf``,
    ``guardians.1.phone``, ``children.<uuid or new-N>.birth_date``), a label, the values before and after."""

    path: str
    label: str
    before: Any
    after: Any

    @property
    def before_text(self) -> str:
        return _text(self.before)

    @property
    def after_text(self) -> str:
        return _text(self.after)


def _text(value: Any) -> str:
    if value in (None, "", {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict) and "street" in value:
        return ", ".join(
            part
            for part in (value.get("street"), value.get("complement"), value.get("postcode"), value.get("city"))
            if part
        )
    if isinstance(value, dict) and "qf" in value:
        provider = QF_SOURCE_LABELS.get(value.get("provider") or "", _("declared"))
        month = f", {value['month'][:7]}" if value.get("month") else ""
        return f"{value['qf']} ({provider}{month})"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _household_qf(household: Household) -> dict[str, Any] | None:
    if household.qf is None:
        return None
    return {
        "qf": household.qf,
        "provider": household.qf_provider,
        "month": household.qf_month.isoformat() if household.qf_month else "",
    }


def _child_values(child: HouseholdChild) -> dict[str, Any]:
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date": child.birth_date.isoformat() if child.birth_date else "",
        "sex": child.sex,
        "school": child.school,
        "school_class": child.school_class,
        "aeeh": child.aeeh,
        "diet": child.diet,
    }


def child_match(household: Household, child: dict[str, Any]) -> HouseholdChild | None:
    """The household's child a form's child is (same first name, and same date of birth when both are known)."""
    if child.get("uuid"):
        return household.children.filter(uuid=child["uuid"]).first() if household.pk else None
    for known in household.children.all() if household.pk else []:
        if _simple(known.first_name) != _simple(child.get("first_name", "")):
            continue
        if known.birth_date and child.get("birth_date") and known.birth_date.isoformat() != child["birth_date"]:
            continue
        return known
    return None


def household_changes(*, household: Household, data: dict[str, Any]) -> list[Change]:
    """What ``data`` would change in the household, field by field (empty answers change nothing)."""
    labels = _labels()
    changes = []
    if "address" in data and data["address"] != household.address and any(data["address"].values()):
        changes.append(
            Change("address", _("Address"), household.address if household.address_city else None, data["address"])
        )
    if "qf" in data and data["qf"] != _household_qf(household):
        changes.append(Change("qf", _("Family quotient"), _household_qf(household), data["qf"]))
    guardians = list(household.guardians.all()) if household.pk else []
    for number, guardian in enumerate(data.get("guardians", []), start=1):
        known = guardians[number - 1] if number <= len(guardians) else None
        for attribute in GUARDIAN_ATTRIBUTES:
            after = guardian.get(attribute, "")
            before = getattr(known, attribute) if known else ""
            if after and after != before:
                label = _("Guardian %(number)s: %(what)s") % {"number": number, "what": labels[attribute]}
                changes.append(Change(f"guardians.{number}.{attribute}", label, before, after))
    new = 0
    for child in data.get("children", []):
        known = child_match(household, child)
        if known is None:
            new += 1
            key, before_values, name = f"new-{new}", {}, child.get("first_name", "")
        else:
            key, before_values, name = str(known.uuid), _child_values(known), known.first_name
        for attribute, after in child.items():
            if attribute == "uuid":
                continue
            before = before_values.get(attribute, "")
            if (after not in ("", None, False) and after != before) or (
                attribute == "aeeh" and after != (before or False)
            ):
                label = _("Child %(name)s: %(what)s") % {"name": name, "what": labels[attribute]}
                changes.append(Change(f"children.{key}.{attribute}", label, before or None, after))
    return changes


# Writing -------------------------------------------------------------------------------------


def household_ensure(*, user, council, actor=None, dossier: Dossier | None = None) -> tuple[Household, bool]:
    """The household of ``user`` for ``council``, created (with its history's first line) when missing."""
    household = household_for(user=user, council=council)
    if household is not None:
        return household, False
    with transaction.atomic():
        household = Household.objects.create(council=council)
        HouseholdAccount.objects.create(household=household, user=user, council=council)
        HouseholdEvent.objects.create(
            household=household, kind=HouseholdEventKind.CREATED, actor=actor or user, dossier=dossier
        )
    return household, True


def _apply(household: Household, change: Change, data: dict[str, Any], *, verified: bool, new_children: dict) -> None:
    head, _sep, rest = change.path.partition(".")
    if head == "address":
        for part in ADDRESS_PARTS:
            setattr(household, f"address_{part}", change.after.get(part, ""))
    elif head == "qf":
        household.qf = change.after["qf"]
        household.qf_provider = change.after.get("provider") or ""
        month = change.after.get("month")
        household.qf_month = datetime.date.fromisoformat(month) if month else None
        household.qf_provenance = data.get("qf_provenance", {})
        household.qf_verified = verified and bool(household.qf_provider)
    elif head == "guardians":
        number, _sep, attribute = rest.partition(".")
        guardian, _created = HouseholdGuardian.objects.get_or_create(household=household, position=int(number))
        setattr(guardian, attribute, change.after)
        guardian.verified = verified
        guardian.save()
    elif head == "children":
        key, _sep, attribute = rest.partition(".")
        if key.startswith("new-"):
            child = new_children.get(key)
            if child is None:
                child = new_children[key] = HouseholdChild(household=household, first_name="")
        else:
            child = household.children.get(uuid=key)
            new_children[key] = child
        value = change.after
        if attribute == "birth_date":
            value = datetime.date.fromisoformat(value) if value else None
        setattr(child, attribute, value)


def household_update(
    *,
    household: Household,
    changes: list[Change],
    data: dict[str, Any],
    actor,
    dossier: Dossier | None = None,
    verified: bool = False,
    refused: dict[str, str] | None = None,
    comment: str = "",
) -> HouseholdEvent | None:
    """Apply ``changes`` (from ``household_changes``) except the ``refused`` ones (``{path: reason}``), and
    record them in the household's history: one line for what changed, one per refused change with its reason.
    ``verified``: an agent validated the dossier they come from (its data become the household's verified data).
    """
    refused = refused or {}
    accepted = [change for change in changes if change.path not in refused]
    event = None
    with transaction.atomic():
        new_children: dict[str, HouseholdChild] = {}
        for change in accepted:
            _apply(household, change, data, verified=verified, new_children=new_children)
        guardians = list(household.guardians.all())
        for child in new_children.values():
            child.verified = verified or child.verified
            child.save()
            child.guardians.add(*[guardian for guardian in guardians if guardian.parental_authority])
        if verified:
            household.verified_at = timezone.now()
            if "qf" in data and household.qf is not None and household.qf_provider:
                household.qf_verified = True
            household.guardians.update(verified=True)
            if "children" in data:
                for child in data["children"]:
                    known = child_match(household, child)
                    if known is not None and not known.verified:
                        known.verified = True
                        known.save(update_fields=["verified"])
        household.save()
        if accepted or verified:
            event = HouseholdEvent.objects.create(
                household=household,
                kind=HouseholdEventKind.VERIFIED if verified else HouseholdEventKind.UPDATED,
                actor=actor,
                dossier=dossier,
                changes={
                    change.path: {"label": change.label, "before": change.before_text, "after": change.after_text}
                    for change in accepted
                },
                comment=comment,
            )
        for change in changes:
            if change.path in refused:
                HouseholdEvent.objects.create(
                    household=household,
                    kind=HouseholdEventKind.REFUSED,
                    actor=actor,
                    dossier=dossier,
                    changes={
                        change.path: {"label": change.label, "before": change.before_text, "after": change.after_text}
                    },
                    comment=refused[change.path],
                )
    return event


def household_sync_submitted(*, dossier: Dossier) -> Household | None:
    """At submit: the dossier's family gets its household for the council (created from the dossier when it
    has none). What is new goes in at once (a new child, a field still empty), as declared; a change to a
    value already on file waits for the agent who validates the dossier (``household_validate_dossier``),
    except a QF fetched from the CAF or MSA, a checked source."""
    if dossier.family is None:
        return None
    data = household_data_from_dossier(dossier=dossier)
    if not data:
        return household_for(user=dossier.family, council=dossier.council)
    household, _created = household_ensure(user=dossier.family, council=dossier.council, dossier=dossier)
    changes = [
        change
        for change in household_changes(household=household, data=data)
        if change.before in (None, "", {})
        or change.path.startswith("children.new-")
        or (change.path == "qf" and change.after.get("provider") in FETCHED_PROVIDERS)
    ]
    if changes:
        household_update(household=household, changes=changes, data=data, actor=dossier.family, dossier=dossier)
    return household


def household_validate_dossier(*, dossier: Dossier, actor, refused: dict[str, str] | None = None) -> Household | None:
    """At validation: the dossier's data become the household's verified data, except the changes the agent
    refused (``{path: reason}``, a reason required for each)."""
    refused = {path: (reason or "").strip() for path, reason in (refused or {}).items()}
    if any(not reason for reason in refused.values()):
        raise ValidationError(_("Give the reason for each refused change: it is kept in the household's history."))
    if dossier.family is None:
        return None
    data = household_data_from_dossier(dossier=dossier)
    if not data:
        return household_for(user=dossier.family, council=dossier.council)
    household, _created = household_ensure(user=dossier.family, council=dossier.council, actor=actor, dossier=dossier)
    changes = household_changes(household=household, data=data)
    household_update(
        household=household, changes=changes, data=data, actor=actor, dossier=dossier, verified=True, refused=refused
    )
    household_documents_record(household=household, dossier=dossier)
    child = household.children.filter(uuid=dossier_child_uuid(dossier)).first() if dossier_child_uuid(dossier) else None
    if child is not None and dossier.is_health_data:
        # A validated PAI: the child's protected health part says so (read only with the health role).
        HouseholdChildHealth.objects.update_or_create(child=child, defaults={"has_pai": True, "dossier": dossier})
    return household


def _valid_until(kind: str, uploaded: datetime.date) -> datetime.date | None:
    if kind == DocumentKind.PROOF_OF_ADDRESS:  # "under three months"
        month = uploaded.month + 3
        year, month = uploaded.year + (month - 1) // 12, (month - 1) % 12 + 1
        return datetime.date(year, month, min(uploaded.day, 28))
    if kind == DocumentKind.INSURANCE:  # for the school year: until the 31st of August
        return datetime.date(uploaded.year + (1 if uploaded.month >= 9 else 0), 8, 31)
    return None


def household_documents_record(*, household: Household, dossier: Dossier) -> list[HouseholdDocument]:
    """The validated dossier's documents go on file, with their validity: the proof of address (the form's
    proof of address field), the insurance certificate and the vaccination pages (fields with those roles)."""
    kinds = {}
    for _index, spec in dossier.get_definition().fields():
        if spec["type"] == "file" and spec.get("role") in DOCUMENT_ROLES:
            kinds[spec["key"]] = DOCUMENT_ROLES[spec["role"]]
    recorded = []
    child = household.children.filter(uuid=dossier_child_uuid(dossier)).first() if dossier_child_uuid(dossier) else None
    for stored in dossier.files.filter(replaced_at__isnull=True, key__in=list(kinds)):
        kind = kinds[stored.key]
        document, _created = HouseholdDocument.objects.update_or_create(
            household=household,
            file=stored,
            defaults={
                "child": child,
                "kind": kind,
                "label": DocumentKind(kind).label,
                "health": stored.health,
                "valid_until": _valid_until(kind, timezone.localtime(stored.uploaded_at).date()),
            },
        )
        recorded.append(document)
    return recorded


def dossier_household_changes(*, dossier: Dossier) -> list[Change]:
    """What validating ``dossier`` would change in its family's household (before/after, field by field)."""
    if dossier.family is None:
        return []
    data = household_data_from_dossier(dossier=dossier)
    household = household_for(user=dossier.family, council=dossier.council) or Household(council=dossier.council)
    return household_changes(household=household, data=data)


# Sharing -------------------------------------------------------------------------------------


def household_invite(*, household: Household, email: str, by) -> HouseholdInvitation:
    """Invite a second guardian by email to share the household (at most two accounts per household)."""
    email = (email or "").strip()
    if not email:
        raise ValidationError(_("Enter the email address of the person to invite."))
    if household_accounts(household=household).count() >= MAX_ACCOUNTS:
        raise ValidationError(_("Two accounts already share this household."))
    with transaction.atomic():
        invitation = HouseholdInvitation.objects.create(household=household, email=email, invited_by=by)
        HouseholdEvent.objects.create(
            household=household, kind=HouseholdEventKind.INVITED, actor=by, changes={"email": {"after": email}}
        )
    return invitation


def household_invitation_accept(*, token, user) -> Household:
    """The invited guardian, logged in with a verified address equal to the invitation's, joins the household."""
    invitation = HouseholdInvitation.objects.select_related("household").filter(token=token, accepted_at=None).first()
    if invitation is None:
        raise PermissionDenied(_("This invitation is no longer valid."))
    verified = EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
    if not verified:
        raise PermissionDenied(_("Log in with the email address the invitation was sent to, once it is confirmed."))
    household = invitation.household
    if household_for(user=user, council=household.council) is not None:
        raise PermissionDenied(_("Your account already has a household for this council."))
    if household_accounts(household=household).count() >= MAX_ACCOUNTS:
        raise PermissionDenied(_("Two accounts already share this household."))
    with transaction.atomic():
        HouseholdAccount.objects.create(household=household, user=user, council=household.council)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        HouseholdEvent.objects.create(household=household, kind=HouseholdEventKind.JOINED, actor=user)
    return household


# Renewal ---------------------------------------------------------------------------------------


def household_answers(*, household: Household, definition: Definition) -> dict[str, Any]:
    """The answers a form gets from the household (renewal starts from it): the address, the guardians'
    names, phones and emails, the children (names and dates of birth), for the fields with those roles."""
    answers: dict[str, Any] = {}
    address_spec = definition.field_with_role(roles.HOUSEHOLD_ADDRESS)
    if address_spec is not None and household.address_city:
        answers[address_spec["key"]] = dict(household.address)
    guardians = list(household.guardians.all())
    seen: dict[str, int] = {}
    for _index, spec in definition.fields():
        if spec["type"] == GROUP_TYPE or spec.get("health") or child_spec(definition):
            continue
        attribute = MEANING_ATTRIBUTES.get(spec.get("meaning")) or GUARDIAN_ROLES.get(spec.get("role"))
        if not attribute:
            continue
        number = seen.get(attribute, 0)
        seen[attribute] = number + 1
        if number < len(guardians) and getattr(guardians[number], attribute):
            answers[spec["key"]] = getattr(guardians[number], attribute)
    group = definition.field_with_role(roles.CHILDREN)
    if group is not None and household.children.exists():
        items = []
        for child in household.children.all():
            values = _child_values(child)
            item = {}
            for spec in group.get("fields", []):
                found = _child_attribute(spec, None)
                if found is not None and values.get(found[0]) not in ("", None):
                    value = values[found[0]]
                    item[spec["key"]] = child_answer(spec, value)
            items.append(item)
        answers[group["key"]] = items
    return answers


def household_valid_documents(*, household: Household, kind: str, on: datetime.date | None = None):
    """The household's documents of ``kind`` still valid on ``on`` (today), latest first."""
    on = on or timezone.localdate()
    documents = household.documents.filter(kind=kind, file__isnull=False, file__replaced_at__isnull=True)
    return [document for document in documents.order_by("-recorded_at") if document.is_valid(on)]
