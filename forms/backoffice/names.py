"""The names the agents read: a dossier's guardians and children, from the fields whose meaning is a person's
last or first name (never from keys), and the child a form about one child is about."""

from ..engine import roles
from ..engine.definition import Definition, name_part, role_of
from ..family.child_forms import child_spec
from ..models import Dossier


def _full_name(values: dict, parts: list[dict]) -> str:
    """ "LAMBERT Camille": the last name, then the first name, of the fields meaning a person's name."""
    by_meaning = {name_part(part): str(values.get(part["key"]) or "").strip() for part in parts}
    return " ".join(
        name for name in (by_meaning.get(roles.LAST_NAME, ""), by_meaning.get(roles.FIRST_NAME, "")) if name
    )


def person_names(definition: Definition, answers: dict) -> tuple[list[str], list[str]]:
    """The guardians' and the children's names a dossier gives: fields whose meaning is a person's last or
    first name, in a group whose role is "children" for the children, elsewhere for the guardians. Fields
    marked as health data are never read."""
    guardians: list[str] = []
    children: list[str] = []
    top_level: list[dict] = []
    groups: dict[str, tuple[dict, list[dict]]] = {}
    for spec, group in definition.person_name_fields():
        if group is None:
            top_level.append(spec)
        else:
            groups.setdefault(group["key"], (group, []))[1].append(spec)
    for group, parts in groups.values():
        target = children if role_of(group) == roles.CHILDREN else guardians
        for item in answers.get(group["key"]) or []:
            name = _full_name(item, parts) if isinstance(item, dict) else ""
            if name:
                target.append(name)
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
