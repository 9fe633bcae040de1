"""Building and rendering a form's steps, fast: what depends only on the revision is built once.

Per published revision (an immutable thing) this module keeps in process memory: the plain
``Definition``, each step's Django form classes (``StepLayout``) and the HTML of each step when it is
still empty. A request then only binds values, errors and the CSRF token. Keys hold the revision id,
so a new revision never sees stale entries and several processes need no invalidation.

``StepForm`` is one step being filled: the step's main form, one small form per item of each
repeatable group, and the display conditions (a hidden field is removed before validation, so that
its answer is ignored).
"""

import datetime
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import conditions, roles
from .definition import Definition, role_of
from .fieldtypes import GROUP_TYPE, FileToken, address_commune_error, field_type


class LRU:
    """A small thread-safe least-recently-used cache in process memory."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get_or_build(self, key, build: Callable[[], Any]):
        if key is None:
            return build()
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = build()
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.maxsize:
                self.data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


DEFINITIONS = LRU(256)
LAYOUTS = LRU(1024)
EMPTY_STEPS = LRU(1024)


def revision_key(page) -> int | None:
    """The cache key of a page's definition: its live revision, or None (preview, unpublished: no cache)."""
    if getattr(page, "is_preview", False) or not page.live or not page.live_revision_id:
        return None
    return page.live_revision_id


def definition_for(page) -> Definition:
    return DEFINITIONS.get_or_build(revision_key(page), page.build_definition)


def form_settings(page) -> dict[str, Any]:
    return {"file_types": page.file_types, "max_file_size": page.max_file_size}


# Layouts: the form classes of a step ----------------------------------------------------------


class StepBaseForm(forms.Form):
    """The base of every step's form class: widgets rendered by Django's Jinja2 form renderer (the same
    widget markup as the default one, several times faster; our own field templates stay in Django's
    template language)."""

    default_renderer = Jinja2Renderer()

    def clean(self):
        cleaned = super().clean()
        # An address's town must be a commune of its postcode (official list): residence depends on it.
        for name in list(self.fields):
            if name.endswith("__city") and name in cleaned:
                error = address_commune_error(cleaned.get(name.replace("__city", "__postcode")), cleaned[name])
                if error:
                    self.add_error(name, error)
        return cleaned


@dataclass
class Entry:
    """A top-level block of a step (or of a group item) and the form field names it owns."""

    spec: dict[str, Any]
    names: list[str]
    source_in_step: bool
    condition_json: str
    condition_text: str


@dataclass
class StepLayout:
    index: int
    step: dict[str, Any]
    form_class: type[forms.Form]
    entries: list[Entry]
    groups: dict[str, "StepLayout"] = field(default_factory=dict)

    @property
    def is_cacheable_html(self) -> bool:
        """Steps whose empty HTML never varies by request (rules show the version in force: not those)."""
        return all(field_type(entry.spec).cacheable for entry in self.entries)


DECLARED_QF_HINT = gettext_lazy(
    "A QF you type yourself counts only once an agent has checked its proof (CAF or MSA certificate, or tax "
    "notice): until then the maximum tariff applies."
)


def _entries_and_fields(
    specs: list[dict[str, Any]], settings: dict[str, Any], labels: Mapping[str, str]
) -> tuple[list[Entry], dict[str, forms.Field]]:
    entries, fields = [], {}
    local_keys: set[str] = set()
    for spec in specs:
        own = field_type(spec).form_fields(spec, settings)
        if role_of(spec) == roles.FAMILY_QF:
            for form_field in own.values():
                form_field.help_text = " ".join(filter(None, [str(form_field.help_text), str(DECLARED_QF_HINT)]))
        fields.update(own)
        condition = spec.get("condition")
        text = ""
        if condition:
            text = conditions.describe(condition, field_label=labels.get(condition["field"], condition["field"]))
        entries.append(
            Entry(
                spec=spec,
                names=list(own),
                source_in_step=bool(condition and condition["field"] in local_keys),
                condition_json=json.dumps(condition) if condition else "",
                condition_text=text,
            )
        )
        if spec.get("key"):
            local_keys.add(spec["key"])
    return entries, fields


def build_layout(definition: Definition, index: int, settings: dict[str, Any]) -> StepLayout:
    step = definition.steps[index]
    labels = {key: spec["label"] for key, spec in definition.field_by_key().items()}
    entries, fields = _entries_and_fields(step["fields"], settings, labels)
    layout = StepLayout(
        index=index,
        step=step,
        form_class=type("StepForm", (StepBaseForm,), dict(fields)),
        entries=entries,
    )
    for spec in step["fields"]:
        if spec["type"] == GROUP_TYPE:
            item_labels = {**labels, **{child["key"]: child["label"] for child in spec["fields"] if child.get("key")}}
            item_entries, item_fields = _entries_and_fields(spec["fields"], settings, item_labels)
            layout.groups[spec["key"]] = StepLayout(
                index=index,
                step=spec,
                form_class=type("ItemForm", (StepBaseForm,), dict(item_fields)),
                entries=item_entries,
            )
    return layout


def layout_for(page, definition: Definition, index: int) -> StepLayout:
    key = revision_key(page)
    return LAYOUTS.get_or_build(
        None if key is None else (key, index), lambda: build_layout(definition, index, form_settings(page))
    )


# Visible steps ---------------------------------------------------------------------------


def visible_steps(definition: Definition, answers: Mapping[str, Any], *, today: datetime.date) -> list[int]:
    """Indexes of the steps shown with these answers (a step's condition uses earlier steps only)."""
    return [
        index
        for index, step in enumerate(definition.steps)
        if conditions.evaluate(step["condition"], answers, today=today)
    ]


# Filling one step ------------------------------------------------------------------------


class _Part:
    """One Django form (the step's main form or one group item) and its entries."""

    def __init__(self, layout: StepLayout, form: forms.Form, answers: Mapping[str, Any]):
        self.layout = layout
        self.form = form
        self.answers = answers
        self.visible: dict[int, bool] = {}
        # Fields of hidden entries: out of validation, but still rendered when the browser may show them.
        self.set_aside: dict[str, forms.Field] = {}

    def peek(self, entry: Entry) -> Any:
        """The value being typed for an entry (None when it does not validate): for same-step conditions."""
        if not self.form.is_bound:
            return self.answers.get(entry.spec.get("key"))
        cleaned = {}
        for name in entry.names:
            bound = self.form[name]
            try:
                value = (
                    bound.field.clean(bound.data, bound.initial)
                    if isinstance(bound.field, forms.FileField)
                    else bound.field.clean(bound.data)
                )
            except forms.ValidationError:
                return None
            cleaned[name] = value
        return field_type(entry.spec).to_answer(entry.spec, cleaned)

    def apply_conditions(self, context: dict[str, Any], today: datetime.date) -> None:
        """Decide each entry's visibility in order, and drop the fields of hidden ones."""
        self.visible = entries_visibility(self.layout, context, today=today, peek=self.peek)
        for position, entry in enumerate(self.layout.entries):
            if not self.visible[position]:
                for name in entry.names:
                    field = self.form.fields.pop(name, None)
                    if field is not None:
                        self.set_aside[name] = field


def entries_visibility(
    layout: StepLayout, context: dict[str, Any], *, today: datetime.date, peek: Callable[[Entry], Any]
) -> dict[int, bool]:
    """Whether each entry of a step is shown, in order: ``context`` (the answers so far) gets the value of
    each shown input (``peek(entry)``) and loses the hidden ones, for the conditions of the entries below."""
    visible = {}
    for position, entry in enumerate(layout.entries):
        shown = conditions.evaluate(entry.spec.get("condition"), context, today=today)
        visible[position] = shown
        key = entry.spec.get("key")
        if not shown:
            if key:
                context.pop(key, None)
        elif key and entry.spec["type"] != GROUP_TYPE and field_type(entry.spec).is_input:
            context[key] = peek(entry)
    return visible


class StepForm:
    """A step being filled: validates on the server, with conditions and repeatable groups."""

    def __init__(
        self,
        layout: StepLayout,
        *,
        answers: Mapping[str, Any],
        data: MultiValueDict | None = None,
        files: MultiValueDict | None = None,
        file_names: Mapping[str, str] | None = None,
        today: datetime.date,
        locked: Mapping[str, Any] | None = None,
    ):
        self.layout = layout
        self.answers = dict(answers)
        self.file_names = dict(file_names or {})
        self.today = today
        self.locked = dict(locked or {})
        self.is_bound = data is not None
        self.main = _Part(
            layout, layout.form_class(data=data, files=files, initial=self._initial(layout, answers)), answers
        )
        self.items: dict[str, list[_Part]] = {}
        self.group_errors: dict[str, list[str]] = {}
        self._lock_fields()
        context = dict(answers)
        self.main.apply_conditions(context, today)
        for position, entry in enumerate(layout.entries):
            if entry.spec["type"] != GROUP_TYPE:
                continue
            key = entry.spec["key"]
            item_layout = layout.groups[key]
            stored = answers.get(key) if isinstance(answers.get(key), list) else None
            count = self._item_count(entry.spec, data, stored)
            parts = []
            for item in range(count):
                item_answers = stored[item] if stored and item < len(stored) else {}
                form = item_layout.form_class(
                    data=data, files=files, prefix=f"{key}-{item}", initial=self._initial(item_layout, item_answers)
                )
                part = _Part(item_layout, form, item_answers)
                if self.main.visible[position]:
                    part.apply_conditions({**context, **item_answers}, today)
                parts.append(part)
            self.items[key] = parts
        self._valid: bool | None = None

    def _lock_fields(self) -> None:
        """Prefilled values the family may not change: disabled fields, whose posted data Django ignores."""
        form = self.main.form
        for entry in self.layout.entries:
            key = entry.spec.get("key")
            if key not in self.locked or entry.spec["type"] == GROUP_TYPE:
                continue
            for name, value in field_type(entry.spec).to_initial(entry.spec, self.locked[key]).items():
                if name in form.fields:
                    form.fields[name].disabled = True
                    form.initial[name] = value

    @staticmethod
    def _initial(layout: StepLayout, answers: Mapping[str, Any]) -> dict[str, Any]:
        initial = {}
        for entry in layout.entries:
            key = entry.spec.get("key")
            if key and entry.spec["type"] != GROUP_TYPE and key in answers:
                initial.update(field_type(entry.spec).to_initial(entry.spec, answers[key]))
        return initial

    @staticmethod
    def _item_count(spec: dict[str, Any], data, stored: list | None) -> int:
        high = spec.get("max_items") or 10
        if data is not None and f"{spec['key']}-count" in data:
            try:
                return max(0, min(high, int(data[f"{spec['key']}-count"])))
            except ValueError:
                pass
        if stored is not None:
            return min(high, len(stored))
        return min(high, max(spec.get("min_items") or 0, 1))

    # Validation ---------------------------------------------------------------------------

    def is_valid(self) -> bool:
        if self._valid is None:
            valid = self.main.form.is_valid()
            for position, entry in enumerate(self.layout.entries):
                if entry.spec["type"] != GROUP_TYPE or not self.main.visible[position]:
                    continue
                parts = self.items[entry.spec["key"]]
                for part in parts:
                    valid = part.form.is_valid() and valid
                errors = self._count_errors(entry.spec, len(parts))
                if errors:
                    self.group_errors[entry.spec["key"]] = errors
                    valid = False
            self._valid = valid
        return self._valid

    @staticmethod
    def _count_errors(spec: dict[str, Any], count: int) -> list[str]:
        low, high = spec.get("min_items") or 0, spec.get("max_items") or 10
        if spec["required"] and low == 0:
            low = 1
        name = spec.get("item_label") or _("item")
        if count < low:
            return [_("Add at least %(count)s × %(name)s.") % {"count": low, "name": name}]
        if count > high:
            return [_("You can add at most %(count)s × %(name)s.") % {"count": high, "name": name}]
        return []

    def _part_answers(self, part: _Part) -> tuple[dict[str, Any], set[str]]:
        """Answers of the valid entries of a part, and keys of its hidden entries."""
        answers, hidden = {}, set()
        cleaned = getattr(part.form, "cleaned_data", {})
        for position, entry in enumerate(part.layout.entries):
            spec, key = entry.spec, entry.spec.get("key")
            if not key or not field_type(spec).is_input:
                continue
            if not part.visible.get(position, True):
                hidden.add(key)
                continue
            if spec["type"] == GROUP_TYPE:
                answers[key] = [self._part_answers(item)[0] for item in self.items[key]]
            elif all(name in cleaned for name in entry.names):
                answers[key] = field_type(spec).to_answer(spec, cleaned)
        return answers, hidden

    def answers_and_hidden(self) -> tuple[dict[str, Any], set[str]]:
        """What this step contributes to the draft: valid answers (even if others are not) and hidden keys."""
        self.is_valid()
        answers, hidden = self._part_answers(self.main)
        for key, value in self.locked.items():
            if key in answers:
                answers[key] = value
        return answers, hidden

    def uploads(self) -> list[tuple[str, forms.Form, str, Any]]:
        """New uploads that passed their checks: (answer path, form, field name, upload)."""
        self.is_valid()
        found = []
        parts = [("", self.main)] + [
            (f"{key}.{index}.", part) for key, parts in self.items.items() for index, part in enumerate(parts)
        ]
        for path, part in parts:
            cleaned = getattr(part.form, "cleaned_data", {})
            for entry in part.layout.entries:
                if not field_type(entry.spec).holds_file:
                    continue
                name = entry.names[0]
                value = cleaned.get(name)
                if value is not None and not isinstance(value, str):
                    found.append((f"{path}{entry.spec['key']}", part.form, name, value))
        return found

    def upload_refused(self, form: forms.Form, name: str, error) -> None:
        """An upload that passed its checks could not be stored (draft full, storage full): the field says why."""
        form.add_error(name, error)
        self._valid = False

    def use_stored_file(self, form: forms.Form, name: str, token: str, original_name: str) -> None:
        """After an upload is stored, the field holds its token (so an invalid step keeps the file)."""
        form.cleaned_data[name] = FileToken(token)
        form.initial[name] = token
        self.file_names[token] = original_name

    # Errors -------------------------------------------------------------------------------

    def error_list(self) -> list[dict[str, str]]:
        """Every error, in page order, for the summary at the top: ``{"id", "label", "message"}``."""
        if not self.is_bound:
            return []
        self.is_valid()
        items = []
        self._part_errors(self.main, "", items)
        for key, parts in self.items.items():
            for message in self.group_errors.get(key, []):
                items.append({"id": f"group-{key}", "label": self._label(key), "message": message})
            spec = self.layout.groups[key].step
            for index, part in enumerate(parts):
                self._part_errors(part, f"{spec.get('item_label') or ''} {index + 1} – ", items)
        return items

    def _label(self, key: str) -> str:
        for entry in self.layout.entries:
            if entry.spec.get("key") == key:
                return entry.spec["label"]
        return key

    @staticmethod
    def _part_errors(part: _Part, label_prefix: str, items: list) -> None:
        for message in part.form.non_field_errors():
            items.append({"id": "", "label": "", "message": message})
        for entry in part.layout.entries:
            for name in entry.names:
                if name in part.form.errors:
                    bound = part.form[name]
                    label = entry.spec["label"]
                    if bound.label != label:
                        label = f"{label} – {bound.label}"
                    for message in bound.errors:
                        items.append(
                            {
                                "id": bound.id_for_label or bound.auto_id,
                                "label": f"{label_prefix}{label}",
                                "message": message,
                            }
                        )

    # Rendering ---------------------------------------------------------------------------

    def render(self, *, extra: Mapping[str, Any] | None = None, show_errors: bool = True) -> SafeString:
        """The step's fields as HTML (without the <form> tag, the CSRF token and the buttons)."""
        context = {"entries": self._entry_contexts(self.main, show_errors, extra or {}), "show_errors": show_errors}
        return mark_safe(render_to_string("forms/includes/step_fields.html", context))

    def _entry_contexts(self, part: _Part, show_errors: bool, extra: Mapping[str, Any]) -> list[dict[str, Any]]:
        contexts = []
        for position, entry in enumerate(part.layout.entries):
            visible = part.visible.get(position, True)
            if not visible and not entry.source_in_step:
                continue
            spec = entry.spec
            template = field_type(spec).template_for(spec)
            # Fresh bound fields: a stored upload may have changed a field's initial value since validation.
            bound = [
                part.form.fields[name].get_bound_field(part.form, name)
                for name in entry.names
                if name in part.form.fields
            ]
            if not visible:
                # A field whose condition depends on this very step: rendered (hidden by the browser
                # script, explained without it) so that it appears when the answer above changes.
                bound = [
                    part.set_aside[name].get_bound_field(part.form, name)
                    for name in entry.names
                    if name in part.set_aside
                ]
            context = {
                "spec": spec,
                "template": template,
                "fields": bound,
                "field": bound[0] if bound else None,
                "condition_json": entry.condition_json if entry.source_in_step else "",
                "condition_text": entry.condition_text if entry.source_in_step else "",
                "has_errors": show_errors and any(b.errors for b in bound),
                "show_errors": show_errors,
                "locked": spec.get("key") in self.locked and part is self.main,
                **extra.get(spec.get("key") or "", {}),
            }
            if field_type(spec).holds_file and bound:
                token = bound[0].initial if isinstance(bound[0].initial, str) else ""
                context["current_file"] = self.file_names.get(token, "") if token else ""
            if spec["type"] == GROUP_TYPE:
                context.update(self._group_context(spec, show_errors, extra))
            contexts.append(context)
        return contexts

    def _group_context(self, spec: dict[str, Any], show_errors: bool, extra) -> dict[str, Any]:
        key = spec["key"]
        parts = self.items.get(key, [])
        low, high = spec.get("min_items") or 0, spec.get("max_items") or 10
        return {
            "items": [
                {
                    "legend": f"{spec.get('item_label') or ''} {index + 1}",
                    "remove_value": f"{key}-{index}",
                    "entries": self._entry_contexts(part, show_errors, extra),
                }
                for index, part in enumerate(parts)
            ],
            "count": len(parts),
            "can_add": len(parts) < high,
            "can_remove": len(parts) > low,
            "group_errors": self.group_errors.get(key, []) if show_errors else [],
        }


def answers_as_data(layout: StepLayout, answers: Mapping[str, Any]) -> MultiValueDict:
    """Stored answers as form data, to validate a step again without the family (at submit)."""
    data = MultiValueDict()

    def put(part_layout: StepLayout, part_answers: Mapping[str, Any], prefix: str) -> None:
        for entry in part_layout.entries:
            spec, key = entry.spec, entry.spec.get("key")
            if not key or key not in part_answers:
                continue
            if spec["type"] == GROUP_TYPE:
                items = part_answers[key] or []
                data[f"{key}-count"] = str(len(items))
                for index, item in enumerate(items):
                    put(layout.groups[key], item, f"{key}-{index}-")
                continue
            for name, value in field_type(spec).to_initial(spec, part_answers[key]).items():
                if field_type(spec).holds_file:
                    continue
                if isinstance(value, list):
                    data.setlist(f"{prefix}{name}", [str(item) for item in value])
                elif isinstance(value, bool):
                    if value:
                        data[f"{prefix}{name}"] = "on"
                elif value is not None:
                    data[f"{prefix}{name}"] = str(value)

    put(layout, answers, "")
    return data
