"""Where each prefilled value of a dossier came from, and whether the family changed it afterwards.

A dossier keeps, per answer filled for the family (``Dossier.provenance``), either what API Particulier sent
(source, provider, period, request id, the value as sent and as filled in) or the household's value on file
(a form about one child). The dossier page, its PDF and the exports read the same rows from here. Health
fields (and every field of a health form) appear only to whoever may see health data of the council.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from connectors.providers import provider_for

from ..engine.definition import Definition
from ..engine.fieldtypes import ADDRESS_PARTS, GROUP_TYPE, PrefillType, field_type
from ..family.child_forms import HOUSEHOLD_PROVIDER
from ..family.services import prefill_converted
from ..models import Dossier

PROVIDER_LABELS = {"CNAF": "CAF", "MSA": "MSA"}


@dataclass(frozen=True)
class Provenance:
    """One prefilled answer: ``label`` of its field, where it came from, and ``before`` (the value filled in)
    and ``after`` (the answer sent, corrections included) as the agent reads them."""

    key: str
    label: str
    source: str
    provider: str
    period: str
    request_id: str
    fetched_at: str
    before: str
    after: str
    changed: bool


def _text(spec: dict, value: Any) -> str:
    """An answer as a line of text: a group's items by their fields, an address's parts, else the field's own."""
    if value in (None, "", [], {}):
        return ""
    if spec["type"] == GROUP_TYPE and isinstance(value, list):
        fields = [child for child in spec.get("fields") or [] if child.get("key") and not child.get("health")]
        items = []
        for item in value:
            if isinstance(item, dict):
                parts = [_text(child, item.get(child["key"])) for child in fields]
                items.append(" ".join(part for part in parts if part))
        return " ; ".join(item for item in items if item)
    if isinstance(value, dict):  # an address: its parts in the order people write them (PostgreSQL's jsonb
        # keeps the keys in its own order)
        order = [part for part, *_rest in ADDRESS_PARTS]
        keys = sorted(value, key=lambda key: order.index(key) if key in order else len(order))
        return ", ".join(str(value[key]) for key in keys if value[key] not in (None, ""))
    return field_type(spec).display(spec, value)


def _same(filled: Any, answer: Any) -> bool:
    """Whether ``answer`` still holds what was filled in: what the family added beside it (an item's other
    fields, the address's INSEE code) is not a change."""
    if isinstance(filled, dict):
        return isinstance(answer, dict) and all(_same(value, answer.get(key)) for key, value in filled.items())
    if isinstance(filled, list):
        return (
            isinstance(answer, list)
            and len(filled) == len(answer)
            and all(_same(one, other) for one, other in zip(filled, answer, strict=True))
        )
    if filled in (None, "") or answer in (None, ""):
        return filled in (None, "") and answer in (None, "")
    return str(filled).strip() == str(answer).strip()


def _period(value: str) -> str:
    """``2026-09`` -> ``09/2026`` (the month the QF applies to)."""
    year, _sep, month = (value or "").partition("-")
    return f"{month}/{year}" if year and month else value or ""


def prefilled_keys(definition: Definition) -> dict[str, str]:
    """``{target key: provider name}`` of the definition's prefill blocks (the answers they fill)."""
    providers = {}
    for _step, spec in definition.fields():
        if spec["type"] == PrefillType.name:
            for mapping in spec.get("mappings") or []:
                providers.setdefault(mapping.get("target"), spec.get("provider") or "")
    return providers


def _filled_value(origin: dict, spec: dict, provider_name: str) -> Any:
    """The value filled in: kept since prefill stores it, else converted again from the value as sent."""
    if "value" in origin:
        return origin["value"]
    if "known" in origin:
        return origin["known"]
    if origin.get("raw") is None:
        return None
    return prefill_converted(provider_for(provider_name), origin["raw"], spec)


def dossier_provenance(
    *, dossier: Dossier, include_health: bool, definition: Definition | None = None
) -> list[Provenance]:
    """The prefilled answers of ``dossier``, in form order (health ones only when ``include_health``);
    ``definition``: the dossier's own, when the caller has it already."""
    if dossier.is_health_data and not include_health:
        return []
    origins = {key: origin for key, origin in (dossier.provenance or {}).items() if isinstance(origin, dict)}
    if not origins:
        return []
    definition = definition or dossier.get_definition()
    providers = prefilled_keys(definition)
    rows = []
    for _step, spec in definition.fields():
        key = spec.get("key")
        origin = origins.get(key)
        if origin is None or (spec.get("health") and not include_health):
            continue
        household = origin.get("provider") == HOUSEHOLD_PROVIDER
        filled = _filled_value(origin, spec, providers.get(key, ""))
        answer = dossier.answers.get(key)
        provider = origin.get("provider") or ""
        rows.append(
            Provenance(
                key=key,
                label=spec.get("label") or key,
                source=_("Household on file") if household else origin.get("source") or "",
                provider="" if household else PROVIDER_LABELS.get(provider, provider),
                period=_period(origin.get("period") or ""),
                request_id=origin.get("request_id") or "",
                fetched_at=origin.get("fetched_at") or "",
                before=_text(spec, filled),
                after=_text(spec, answer),
                changed=not _same(filled, answer),
            )
        )
    return rows
