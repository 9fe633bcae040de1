"""A form's definition as plain data, built from the StreamField, and the checks it must pass.

The editor's StreamField (``FormPage.steps``) is turned once per revision into a ``Definition``: a list
of steps, each a dict ``{"title", "intro", "condition", "fields"}``, each field a dict with at least
``type``, ``key``, ``label``, ``help_text``, ``required``, ``condition`` and ``health`` plus the options
of its type. Everything else (form classes, conditions, review pages, dossiers) reads this plain form,
never the blocks, so that it is cheap to cache and to store in a dossier.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import conditions, roles
from .fieldtypes import GROUP_TYPE, DateType, PrefillType, field_type

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_MAX_LENGTH = 50


@dataclass
class Definition:
    """A form as plain data: ``steps`` (list of step dicts). Built once per revision and cached."""

    steps: list[dict[str, Any]] = field(default_factory=list)

    def fields(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(step index, field) for every top-level field, in form order."""
        for index, step in enumerate(self.steps):
            for spec in step["fields"]:
                yield index, spec

    def walk(self) -> Iterator[tuple[int, dict[str, Any], dict[str, Any] | None]]:
        """Every field in form order, each repeatable group followed by the fields of its items:
        ``(step index, field, its group or None)``."""
        for index, spec in self.fields():
            yield index, spec, None
            if spec["type"] == GROUP_TYPE:
                for child in spec.get("fields") or []:
                    yield index, child, spec

    def answered(
        self, answers: Mapping[str, Any]
    ) -> Iterator[tuple[str, dict[str, Any], Any, dict[str, Any] | None, int | None]]:
        """Every top-level field with its answer, and the fields of each item of a repeatable group with
        theirs: ``(answer path, field, answer or None, its group or None, item index or None)``; the path is
        ``key`` or ``group.N.key``."""
        for _index, spec in self.fields():
            key = spec.get("key")
            yield key, spec, answers.get(key) if key else None, None, None
            if spec["type"] != GROUP_TYPE:
                continue
            for number, item in enumerate(answers.get(key) or []):
                for child in spec.get("fields") or []:
                    child_key = child.get("key")
                    value = item.get(child_key) if child_key else None
                    yield f"{key}.{number}.{child_key}", child, value, spec, number

    def person_name_fields(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Every field holding part of a person's name (a guardian's, a child's), with its group or None; never
        a field or group of health data (agents without health access search and see names)."""
        for _step, spec, group in self.walk():
            if not name_part(spec) or not spec["key"] or (group is not None and not group.get("key")):
                continue
            if not spec.get("health") and not (group or {}).get("health"):
                yield spec, group

    def person_name_paths(self) -> list[tuple[str, ...]]:
        """Where the answers hold a person's name: ``(key,)`` for a field, ``(group, index, key)`` for each
        possible item of a repeatable group."""
        paths: list[tuple[str, ...]] = []
        for spec, group in self.person_name_fields():
            if group is None:
                paths.append((spec["key"],))
            else:
                paths += [(group["key"], str(index), spec["key"]) for index in range(int(group.get("max_items") or 10))]
        return paths

    def field_by_key(self) -> dict[str, dict[str, Any]]:
        return {spec["key"]: spec for _index, spec in self.fields() if spec.get("key")}

    def field_with_role(self, role: str) -> dict[str, Any] | None:
        """The first top-level field or group that declares ``role``."""
        return next((spec for _index, spec in self.fields() if role_of(spec) == role), None)

    def key_with_role(self, role: str) -> str:
        """The key of the first top-level field that declares ``role`` ("" when the form has none)."""
        spec = self.field_with_role(role)
        return spec["key"] if spec is not None else ""

    def health_keys(self) -> set[str]:
        """Keys of fields (and groups holding fields) marked as health data."""
        keys = set()
        for _index, spec in self.fields():
            if spec.get("health") or any(child.get("health") for child in spec.get("fields", [])):
                keys.add(spec["key"])
        return keys

    def is_health_path(self, path: str) -> bool:
        """Whether an answer path (``key`` or ``group.N.key``) holds health data: its field or its group is
        marked as such (an unknown path counts as health: it is not shown rather than shown wrongly)."""
        key, _sep, rest = path.partition(".")
        spec = self.field_by_key().get(key)
        if spec is None:
            return True
        if spec.get("health"):
            return True
        child_key = rest.rpartition(".")[2] if rest else ""
        return any(child.get("key") == child_key and child.get("health") for child in spec.get("fields", []))

    def as_json(self) -> list[dict[str, Any]]:
        return self.steps


def role_of(spec: dict[str, Any]) -> str:
    """The role a field declares (``roles``): its option ``role`` (a short text's is named ``meaning``)."""
    return spec.get("role") or spec.get("meaning") or ""


def name_part(spec: dict[str, Any]) -> str:
    """Which part of a person's name a field holds ("" for none): a short text says it by its meaning, even
    when its role is "the child the form is about"."""
    part = spec.get("meaning") or role_of(spec)
    return part if part in roles.PERSON_NAMES else ""


def _items(raw: Any) -> list[Any]:
    """Values of a ListBlock in either of Wagtail's stored formats (plain list or list of items)."""
    values = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            values.append(item["value"])
        else:
            values.append(item)
    return values


def _condition(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or not (raw.get("field") or "").strip():
        return None
    return {
        "field": raw["field"].strip(),
        "operator": raw.get("operator") or conditions.EQUALS,
        "value": str(raw.get("value") or "").strip(),
        "reference_date": raw.get("reference_date") or None,
    }


def field_from_raw(block_type: str, raw: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    """One field block's stored value as a plain field dict."""
    spec = {name: value for name, value in raw.items() if name not in {"condition", "fields", "choices", "mappings"}}
    spec["type"] = block_type
    spec["id"] = block_id
    spec["key"] = (raw.get("key") or "").strip()
    spec["label"] = (raw.get("label") or "").strip()
    spec["help_text"] = raw.get("help_text") or ""
    spec["required"] = bool(raw.get("required", False))
    spec["health"] = bool(raw.get("health", False))
    spec["condition"] = _condition(raw.get("condition"))
    if "choices" in raw:
        spec["choices"] = [str(choice).strip() for choice in _items(raw["choices"]) if str(choice).strip()]
    if "mappings" in raw:
        spec["mappings"] = [dict(mapping) for mapping in _items(raw["mappings"])]
    if "scopes" in raw:
        spec["scopes"] = list(raw.get("scopes") or [])
    if block_type == GROUP_TYPE:
        spec["fields"] = [
            field_from_raw(child["type"], child["value"], child.get("id")) for child in raw.get("fields") or []
        ]
    return spec


def definition_from_raw(raw_steps: Any) -> Definition:
    """A ``Definition`` from the JSON stored by the ``steps`` StreamField (``stream_value.raw_data``)."""
    steps = []
    for raw_step in raw_steps or []:
        value = raw_step.get("value") or {}
        steps.append(
            {
                "id": raw_step.get("id"),
                "title": (value.get("title") or "").strip(),
                "intro": value.get("intro") or "",
                "condition": _condition(value.get("condition")),
                "fields": [
                    field_from_raw(child["type"], child["value"], child.get("id"))
                    for child in value.get("fields") or []
                ],
            }
        )
    return Definition(steps=steps)


def key_from_label(label: str, taken: set[str]) -> str:
    """A machine key made from a label (``Prénom de l'enfant`` -> ``prenom_de_l_enfant``), unused in ``taken``."""
    base = (
        slugify(anyascii(label or "").replace("'", " ")).replace("-", "_")[: KEY_MAX_LENGTH - 4].strip("_") or "champ"
    )
    if not base[0].isalpha():
        base = f"champ_{base}"[: KEY_MAX_LENGTH - 4]
    key, number = base, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key


def fill_missing_keys(field_values: list[dict[str, Any]], taken: set[str]) -> None:
    """Give every input field without a key one made from its label (once: kept when the label changes).

    ``field_values`` are mutable mappings (block values); ``taken`` holds the keys already in use.
    """
    for value in field_values:
        if value.get("key"):
            taken.add(value["key"])
    for value in field_values:
        if "key" in value and not value.get("key"):
            value["key"] = key_from_label(value.get("label", ""), taken)
            taken.add(value["key"])


def _field_name(step_index: int, spec: dict[str, Any]) -> dict[str, Any]:
    return {"step": step_index + 1, "label": spec.get("label") or spec.get("key") or "?"}


def _check_condition(
    condition: dict[str, Any] | None,
    *,
    where: str,
    earlier: dict[str, dict[str, Any]],
    everywhere: set[str],
) -> list[str]:
    """Problems of one condition; ``earlier`` are the fields it may point at (by key)."""
    if not condition:
        return []
    errors = []
    source = condition["field"]
    operator = condition["operator"]
    if source not in everywhere:
        errors.append(
            _("%(where)s: the condition points to “%(key)s”, which is not a field of this form.")
            % {"where": where, "key": source}
        )
    elif source not in earlier:
        errors.append(
            _(
                "%(where)s: the condition points to “%(key)s”, which comes later in the form. A condition can "
                "only use answers given before."
            )
            % {"where": where, "key": source}
        )
    if operator not in conditions.OPERATOR_LABELS:
        errors.append(_("%(where)s: unknown condition operator.") % {"where": where})
    elif operator not in conditions.OPERATORS_WITHOUT_VALUE and not condition["value"]:
        errors.append(_("%(where)s: the condition needs a value to compare with.") % {"where": where})
    elif operator in (conditions.AGE_UNDER, conditions.AGE_AT_LEAST) and not condition["value"].isdigit():
        errors.append(_("%(where)s: an age condition needs a whole number of years.") % {"where": where})
    elif operator in (conditions.GREATER_THAN, conditions.LESS_THAN) and (
        conditions.parse_number(condition["value"]) is None and conditions.parse_date(condition["value"]) is None
    ):
        errors.append(
            _("%(where)s: “greater than” and “less than” compare with a number or a date (DD/MM/YYYY).")
            % {"where": where}
        )
    is_age = operator in (conditions.AGE_UNDER, conditions.AGE_AT_LEAST)
    if is_age and source in earlier and earlier[source].get("type") != DateType.name:
        errors.append(_("%(where)s: an age condition must point to a date of birth field.") % {"where": where})
    return errors


def _check_field(spec: dict[str, Any], *, where: str) -> list[str]:
    """Problems of a field's own options."""
    kind = field_type(spec)
    if not kind.has_key:
        return []
    errors = []
    if not spec["label"]:
        errors.append(_("%(where)s: a field needs a label.") % {"where": where})
    if not KEY_RE.match(spec["key"]) or len(spec["key"]) > KEY_MAX_LENGTH:
        errors.append(
            _(
                "%(where)s: the key “%(key)s” must start with a letter and contain only lowercase letters, "
                "digits and _ (at most 50 characters)."
            )
            % {"where": where, "key": spec["key"]}
        )
    for low, high in (("min_value", "max_value"), ("min_date", "max_date"), ("min_items", "max_items")):
        if spec.get(low) not in (None, "") and spec.get(high) not in (None, "") and spec[low] > spec[high]:
            errors.append(_("%(where)s: the minimum is greater than the maximum.") % {"where": where})
    errors += [problem % {"where": where} for problem in kind.check(spec)]
    return errors


def validate_definition(definition: Definition) -> list[str]:
    """Every problem of a definition, as sentences for the editor (empty list: the form is usable)."""
    errors: list[str] = []
    if not definition.steps:
        return [str(_("A form needs at least one step."))]
    everywhere = {spec["key"] for _index, spec in definition.fields() if spec.get("key") and field_type(spec).has_key}
    earlier: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for step_index, step in enumerate(definition.steps):
        step_where = _("Step %(step)s") % {"step": step_index + 1}
        if not step["title"]:
            errors.append(_("%(where)s: a step needs a title.") % {"where": step_where})
        if not step["fields"]:
            errors.append(_("%(where)s: a step needs at least one field.") % {"where": step_where})
        # A step's condition can only use earlier steps: its own fields are not shown yet.
        errors += _check_condition(step["condition"], where=step_where, earlier=earlier, everywhere=everywhere)
        for spec in step["fields"]:
            where = _("Step %(step)s, field “%(label)s”") % _field_name(step_index, spec)
            errors += _check_field(spec, where=where)
            errors += _check_condition(spec["condition"], where=where, earlier=earlier, everywhere=everywhere)
            if not field_type(spec).has_key:
                continue
            if spec["key"] in seen:
                errors.append(
                    _("%(where)s: the key “%(key)s” is already used by another field of this form.")
                    % {"where": where, "key": spec["key"]}
                )
            seen.add(spec["key"])
            if spec["type"] == GROUP_TYPE:
                errors += _validate_group(spec, where=where, earlier=earlier, everywhere=everywhere)
            earlier[spec["key"]] = spec
    errors += _check_prefill_targets(definition)
    errors += _check_roles(definition)
    return [str(error) for error in errors]


def _validate_group(
    group: dict[str, Any], *, where: str, earlier: dict[str, dict[str, Any]], everywhere: set[str]
) -> list[str]:
    """A group's fields: keys unique in the item; conditions on earlier fields of the item or of the form."""
    errors: list[str] = []
    inside = dict(earlier)
    item_keys: set[str] = set()
    every = everywhere | {child["key"] for child in group["fields"] if child.get("key")}
    for child in group["fields"]:
        child_where = _("%(where)s, field “%(label)s”") % {"where": where, "label": child["label"] or child["key"]}
        errors += _check_field(child, where=child_where)
        errors += _check_condition(child["condition"], where=child_where, earlier=inside, everywhere=every)
        if not field_type(child).has_key:
            continue
        if child["key"] in item_keys:
            errors.append(
                _("%(where)s: the key “%(key)s” is already used in this group.")
                % {"where": child_where, "key": child["key"]}
            )
        item_keys.add(child["key"])
        inside[child["key"]] = child
    return errors


# Roles code reads on one top-level field of a form (``Definition.field_with_role``): a second one, or one in a
# repeatable group's items, would be silently ignored.
ONE_PER_FORM = (
    roles.CHILDREN,
    roles.HOUSEHOLD_ADDRESS,
    roles.CHILD,
    roles.FAMILY_QF,
    roles.PROOF_OF_ADDRESS,
    roles.SERVICES_CHOSEN,
)


def _check_roles(definition: Definition) -> list[str]:
    """A role read on one field of the form is given to one top-level field only."""
    errors = []
    seen: set[str] = set()
    for step_index, spec, group in definition.walk():
        role = spec.get("role")
        if role not in ONE_PER_FORM:
            continue
        where = _field_name(step_index, spec)
        if group is not None:
            errors.append(
                _("Step %(step)s, field “%(label)s”: the role “%(role)s” is read outside repeatable groups only.")
                % {**where, "role": roles.LABELS[role]}
            )
        elif role in seen:
            errors.append(
                _("Step %(step)s, field “%(label)s”: the role “%(role)s” is already given to another field.")
                % {**where, "role": roles.LABELS[role]}
            )
        seen.add(role)
    return errors


def _check_prefill_targets(definition: Definition) -> list[str]:
    """Prefill blocks may only fill fields that exist in the form."""
    errors = []
    keys = definition.field_by_key()
    for step_index, spec in definition.fields():
        if spec["type"] != PrefillType.name:
            continue
        for mapping in spec.get("mappings", []):
            target = (mapping.get("target") or "").strip()
            if target and target not in keys:
                errors.append(
                    _(
                        "Step %(step)s, field “%(label)s”: the prefill fills “%(key)s”, which is not a field of this form."
                    )
                    % {**_field_name(step_index, spec), "key": target}
                )
    return errors
