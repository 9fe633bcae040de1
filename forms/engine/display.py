"""Answers as rows to read back: the "check your answers" page, the family's dossier, the agents' view."""

from collections.abc import Callable, Mapping
from typing import Any

from .definition import Definition
from .fieldtypes import GROUP_TYPE, field_type


def summary(
    definition: Definition,
    answers: Mapping[str, Any],
    *,
    steps: list[int],
    file_names: Mapping[str, str],
    file_url: Callable[[str], str] | None = None,
    include_health: bool = True,
) -> list[dict[str, Any]]:
    """Per shown step: ``{"index", "number", "title", "rows"}``; a row is ``{"label", "value", "file",
    "items"}`` (``items``: one list of rows per item of a repeatable group). Health rows are left out
    unless ``include_health``."""

    def rows_for(specs: list[dict[str, Any]], values: Mapping[str, Any], health_parent: bool) -> list[dict]:
        rows = []
        for spec in specs:
            key = spec.get("key")
            if not key or not field_type(spec).is_input or key not in values:
                continue
            if (spec.get("health") or health_parent) and not include_health:
                continue
            answer = values[key]
            row: dict[str, Any] = {
                "key": key,
                "label": spec["label"],
                "value": "",
                "file": None,
                "items": [],
                "note": "",
            }
            if spec["type"] == GROUP_TYPE:
                row["items"] = [
                    {
                        "legend": f"{spec.get('item_label') or ''} {number}",
                        "rows": rows_for(spec["fields"], item, spec["health"]),
                    }
                    for number, item in enumerate(answer or [], start=1)
                ]
            elif field_type(spec).holds_file and answer:
                row["file"] = {"name": file_names.get(answer, ""), "url": file_url(answer) if file_url else ""}
            else:
                row["value"] = field_type(spec).display(spec, answer)
            rows.append(row)
        return rows

    return [
        {
            "index": index,
            "number": position,
            "title": definition.steps[index]["title"],
            "rows": rows_for(definition.steps[index]["fields"], answers, False),
        }
        for position, index in enumerate(steps, start=1)
    ]
