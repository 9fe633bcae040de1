"""Exports of dossiers: a filtered list as CSV or XLSX, streamed, and one dossier as a PDF summary.

Lists are read with ``QuerySet.iterator(chunk_size=...)`` and written row by row: memory and the number of
SQL queries do not grow with the number of dossiers. Columns: a few about the dossier, then one per field
key of the forms answered (read from the dossiers' own definitions, one per form revision); repeatable
groups are either flattened (``enfants.1.prenom``) or exploded into one row per item. Health fields are
left out unless the agent may see health data of the dossier's council and asks for them.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .definition import GROUP_TYPE, Definition
from .fieldtypes import field_type
from .models import Dossier

CHUNK_SIZE = 500
SKIPPED_TYPES = {"info", "prefill"}
# Spreadsheet software runs cells that start with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One export column: ``path`` is ``key``, ``group.N.key`` (flattened) or ``group.key`` (row per item)."""

    path: str
    spec: dict
    health: bool
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.split(".")))  # split once, read for every row


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _definitions(queryset: QuerySet[Dossier]) -> list[Definition]:
    """The definitions answered by the dossiers of ``queryset``: one query per distinct form revision."""
    revisions = queryset.order_by().values_list("form_page_id", "revision_id").distinct()
    definitions = []
    for form_page_id, revision_id in revisions:
        snapshot = (
            queryset.filter(form_page_id=form_page_id, revision_id=revision_id)
            .order_by()
            .values_list("definition", "is_health_data")
            .first()
        )
        if snapshot is not None:
            steps, is_health = snapshot
            definitions.append((Definition(steps=steps), is_health))
    return definitions


def export_columns(queryset: QuerySet[Dossier], *, include_health: bool, explode: str = "") -> tuple[list[Column], str]:
    """The answer columns of the export, in form order, and the group exploded into rows (if any)."""
    columns: dict[str, Column] = {}
    exploded = ""
    for definition, form_is_health in _definitions(queryset):
        for _index, spec in definition.fields():
            if spec["type"] in SKIPPED_TYPES or not spec.get("key"):
                continue
            health = form_is_health or spec["health"]
            if spec["type"] != GROUP_TYPE:
                if include_health or not health:
                    columns.setdefault(spec["key"], Column(spec["key"], spec, health))
                continue
            children = [c for c in spec["fields"] if c["type"] not in SKIPPED_TYPES]
            children = [c for c in children if include_health or not (health or c["health"])]
            if spec["key"] == explode:
                exploded = explode
                for child in children:
                    path = f"{spec['key']}.{child['key']}"
                    columns.setdefault(path, Column(path, child, health or child["health"]))
                continue
            for number in range(1, (spec.get("max_items") or 10) + 1):
                for child in children:
                    path = f"{spec['key']}.{number}.{child['key']}"
                    columns.setdefault(path, Column(path, child, health or child["health"]))
    return list(columns.values()), exploded


BASE_HEADERS = ["reference", "form", "status", "submitted_at", "family", "assigned_to", "qf", "qf_source", "qf_month"]


def _base_cells(dossier: Dossier) -> list[str]:
    family = dossier.family.email if dossier.family else dossier.contact_email
    assigned = dossier.assigned_to.get_username() if dossier.assigned_to else ""
    return [
        dossier.reference,
        dossier.form_page.title,
        dossier.get_status_display(),
        timezone.localtime(dossier.submitted_at).strftime("%Y-%m-%d %H:%M"),
        family,
        assigned,
        "" if dossier.qf is None else str(dossier.qf),
        dossier.qf_source,
        dossier.qf_month.strftime("%Y-%m") if dossier.qf_month else "",
    ]


def _value(answers: dict, column: Column, item: dict | None) -> str:
    parts = column.parts
    if len(parts) == 1:
        value = answers.get(parts[0])
    elif len(parts) == 2:
        value = (item or {}).get(parts[1])
    else:
        items = answers.get(parts[0]) or []
        number = int(parts[1]) - 1
        value = items[number].get(parts[2]) if number < len(items) and isinstance(items[number], dict) else None
    if value is None or (not value and not isinstance(value, int | float)):  # unanswered (0 and False are answers)
        return ""
    return field_type(column.spec).display(column.spec, value)


def export_rows(
    queryset: QuerySet[Dossier], *, include_health: bool, health_councils: set[int], explode: str = ""
) -> Iterator[list[str]]:
    """The header, then one row per dossier (or per item of the exploded group), read chunk by chunk.

    ``health_councils``: ids of the councils whose health data the agent may see (health cells of other
    councils' dossiers stay empty even when ``include_health``).
    """
    columns, exploded = export_columns(queryset, include_health=include_health, explode=explode)
    yield [*BASE_HEADERS, *(column.path for column in columns)]
    rows = (
        queryset.select_related("form_page", "family", "assigned_to")
        .only(
            "reference",
            "form_page__title",
            "status",
            "submitted_at",
            "family__email",
            "contact_email",
            "assigned_to__username",
            "qf",
            "qf_source",
            "qf_month",
            "answers",
            "council_id",
            "is_health_data",
        )
        .order_by("submitted_at", "pk")
    )
    for dossier in rows.iterator(chunk_size=CHUNK_SIZE):
        base = _base_cells(dossier)
        hidden = include_health and dossier.council_id not in health_councils
        items = (dossier.answers.get(exploded) or [None]) if exploded else [None]
        for item in items:
            cells = [
                "" if (hidden and (column.health or dossier.is_health_data)) else _value(dossier.answers, column, item)
                for column in columns
            ]
            yield [_cell(value) for value in [*base, *cells]]


class _Echo:
    """A file-like object whose ``write`` returns what it is given (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


CSV_CHUNK_SIZE = 64 * 1024


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text (with a BOM so that spreadsheet software reads UTF-8), in pieces of about 64 KB: one
    write to the network per piece rather than per line, and never more than a piece in memory."""
    writer = csv.writer(_Echo(), delimiter=";")
    piece, size = ["\ufeff"], 1
    for row in rows:
        line = writer.writerow(row)
        piece.append(line)
        size += len(line)
        if size >= CSV_CHUNK_SIZE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def xlsx_chunks(rows: Iterable[list[str]], *, title: str) -> Iterator[bytes]:
    """An XLSX file built with openpyxl's write-only workbook (rows go to a temporary file, not memory),
    then read back in chunks. The ZIP is only complete at the end, so the bytes come after the last row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        while chunk := buffer.read(64 * 1024):
            yield chunk


# PDF summary -------------------------------------------------------------------------------


def dossier_pdf(*, dossier: Dossier, steps: list[dict], files: list, events: list, corrections: list) -> bytes:
    """A PDF summary of one dossier: answers, files, history, acceptance evidence and prices (fpdf2)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = "Helvetica"
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: Any) -> str:
        # The core fonts know Latin-1 only: other characters (e.g. emojis, typographic apostrophes) are replaced.
        return str(value).replace("\u2019", "'").replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")

    def line(label: str, value: Any = "", *, size: int = 10, bold: bool = False) -> None:
        pdf.set_font(font, "B" if bold else "", size)
        body = f"{label} : {value}" if value not in ("", None) else label
        pdf.multi_cell(width, 5, text(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(title: str) -> None:
        pdf.ln(3)
        line(title, size=12, bold=True)

    line(f"{dossier.form_page.title} - {dossier.reference}", size=14, bold=True)
    line(_("Council"), dossier.council.official_name)
    line(_("Status"), dossier.get_status_display())
    line(_("Sent on"), timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y %H:%M"))
    family = dossier.family.email if dossier.family else dossier.contact_email
    line(_("Family"), family)
    if dossier.submitted_by_agent:
        line(_("Filed by an agent at the counter"))
    for step in steps:
        heading(step["title"])
        for row in step["rows"]:
            if row["items"]:
                for item in row["items"]:
                    line(f"{row['label']} - {item['legend']}", bold=True)
                    for sub in item["rows"]:
                        line(f"  {sub['label']}", sub["file"]["name"] if sub["file"] else sub["value"])
            else:
                line(row["label"], row["file"]["name"] if row["file"] else row["value"])
    heading(_("Files"))
    for stored in files:
        replaced = f" ({_('replaced')})" if stored.replaced_at else ""
        line(f"{stored.original_name}{replaced}", f"{stored.key}, SHA-256 {stored.sha256[:16]}…")
    if not files:
        line(_("No file."))
    evidence = [
        value
        for value in dossier.answers.values()
        if isinstance(value, dict) and value.get("accepted") and value.get("acceptance")
    ]
    if evidence:
        heading(_("Rules acceptance (evidence)"))
        for value in evidence:
            line(
                _("Accepted by %(name)s, version %(version)s")
                % {"name": value.get("guardian_name", ""), "version": value.get("version", "")},
                _("receipt %(reference)s") % {"reference": value["acceptance"]},
            )
    if dossier.prices.get("quotes"):
        heading(_("Prices"))
        for quote in dossier.prices["quotes"]:
            line(quote["service"]["label"], f"{quote['amount']} EUR {quote['unit_label']}", bold=True)
            for sentence in quote["explanation"]:
                line(f"  {sentence}")
    heading(_("History"))
    for event in events:
        when = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M")
        actor = event.actor.get_username() if event.actor else event.actor_name
        comment = f" - {event.comment}" if event.comment else ""
        line(f"{when} {event.get_to_status_display()} ({event.get_kind_display()}) {actor}{comment}")
    for correction in corrections:
        heading(_("Correction requested on %(date)s") % {"date": correction.requested_at.strftime("%d/%m/%Y")})
        for item in correction.items.all():
            before = (item.before or {}).get("text", "")
            after = (item.after or {}).get("text", "") if item.after else _("not corrected yet")
            line(item.label, f"{item.get_reason_display()}: {before} -> {after}")
    return bytes(pdf.output())
