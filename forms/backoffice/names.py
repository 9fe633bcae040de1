"""The names the agents read: a dossier's guardians and children, from the fields whose meaning is a person's
last or first name (never from keys), and the child a form about one child is about."""

from ..engine import roles
from ..engine.definition import Definition, role_of
from ..engine.fieldtypes import GROUP_TYPE
from ..family.child_forms import child_spec
from ..models import Dossier


def _full_name(values: dict, parts: list[dict]) -> str:
    """ "LAMBERT Camille": the last name, then the first name, of the fields meaning a person's name."""
    by_meaning = {_name_part(part): str(values.get(part["key"]) or "").strip() for part in parts}
    return " ".join(
        name for name in (by_meaning.get(roles.LAST_NAME, ""), by_meaning.get(roles.FIRST_NAME, "")) if name
    )


def _name_part(spec: dict) -> str:
    """Which part of a person's name a field holds (a short text says it by its meaning, even when its role
    is "the child the form is about")."""
    return spec.get("meaning") if spec.get("meaning") in roles.PERSON_NAMES else role_of(spec)


def person_names(definition: Definition, answers: dict) -> tuple[list[str], list[str]]:
    """The guardians' and the children's names a dossier gives: fields whose meaning is a person's last or
    first name, in a group whose role is "children" for the children, elsewhere for the guardians. Fields
    marked as health data are never read."""
    guardians: list[str] = []
    children: list[str] = []
    top_level: list[dict] = []
    for _step, spec in definition.fields():
        if spec.get("health") or not spec.get("key"):
            continue
        if spec["type"] == GROUP_TYPE:
            parts = [
                child
                for child in spec.get("fields") or []
                if _name_part(child) in roles.PERSON_NAMES and child.get("key") and not child.get("health")
            ]
            target = children if role_of(spec) == roles.CHILDREN else guardians
            for item in answers.get(spec["key"]) or [] if parts else []:
                name = _full_name(item, parts) if isinstance(item, dict) else ""
                if name:
                    target.append(name)
        elif _name_part(spec) in roles.PERSON_NAMES:
            top_level.append(spec)
    if top_level:
        name = _full_name(answers, top_level[:2])
        if name:  # a form about one child names that child; otherwise the first guardian
            (children if child_spec(definition) is not None else guardians).insert(0, name)
    return guardians, children


def family_name(dossier: Dossier) -> str:
    """What the desk calls the family: its guardians' names, else the account's name or email."""
    guardians, _children = person_names(dossier.get_definition(), dossier.answers)
    if guardians:
        return ", ".join(dict.fromkeys(guardians))
    if dossier.family is not None:
        return dossier.family.get_full_name() or dossier.family.email
    return dossier.contact_email


def children_names(dossier: Dossier) -> str:
    return ", ".join(person_names(dossier.get_definition(), dossier.answers)[1])


def child_name_in(definition: Definition, answers: dict) -> str:
    """The child a form about one child is about ("LAMBERT Léa"), '' for other forms."""
    if child_spec(definition) is None:
        return ""
    children = person_names(definition, answers)[1]
    return children[0] if children else ""


def child_name(dossier: Dossier) -> str:
    return child_name_in(dossier.get_definition(), dossier.answers)
