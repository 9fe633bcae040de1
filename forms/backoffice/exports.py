"""Exports of dossiers: a filtered list as CSV or XLSX, streamed, and one dossier as a PDF summary.

Lists are read with ``QuerySet.iterator(chunk_size=...)`` and written row by row: memory and the number of
SQL queries do not grow with the number of dossiers. Columns, headed by what the agent reads (labels): a
few about the dossier, then one per field of the forms answered (read from the dossiers' own definitions,
one per form revision), then the prices of the services of the councils' decrees in force; repeatable
groups are either flattened ("Prénom (Enfant 1)", as many items as the fullest dossier has) or exploded
into one row per item. Numbers and dates stay typed (XLSX cells; French conventions in CSV). Health fields are
left out unless the agent may see health data of the dossier's council and asks for them.
"""

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Func, IntegerField, Max, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common import spreadsheet
from home.models import CouncilHomePage
from home.selectors import decree_in_force
from home.tariffs import UNIT_LABELS_FR, format_date_fr, format_euros

from ..engine.definition import Definition
from ..engine.fieldtypes import GROUP_TYPE, field_type
from ..family.child_forms import child_fields, child_spec
from ..models import Dossier
from . import names
from .provenance import Provenance, dossier_provenance, prefilled_keys

CHUNK_SIZE = 500


@dataclass(frozen=True)
class Column:
    """One export column: ``path`` is ``key``, ``group.N.key`` (flattened) or ``group.key`` (row per item);
    ``label`` is its header, as the agent reads it (the field's label, numbered for a group's items)."""

    path: str
    spec: dict
    health: bool
    label: str = ""
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.split(".")))  # split once, read for every row


def definitions_by_revision(queryset: QuerySet[Dossier]) -> dict[tuple[int, int | None], tuple[Definition, bool]]:
    """``{(form page id, revision id): (definition, is health form)}`` answered by the dossiers of
    ``queryset``: one query per distinct form revision."""
    revisions = queryset.order_by().values_list("form_page_id", "revision_id").distinct()
    definitions = {}
    for form_page_id, revision_id in revisions:
        snapshot = (
            queryset.filter(form_page_id=form_page_id, revision_id=revision_id)
            .order_by()
            .values_list("definition", "is_health_data")
            .first()
        )
        if snapshot is not None:
            steps, is_health = snapshot
            definitions[(form_page_id, revision_id)] = (Definition(steps=steps), is_health)
    return definitions


def answered_definitions(queryset: QuerySet[Dossier]) -> list[tuple[Definition, bool]]:
    """The definitions answered by the dossiers of ``queryset``: one query per distinct form revision."""
    return list(definitions_by_revision(queryset).values())


class JSONArrayLength(Func):
    """The length of a JSON array (``NULL`` when absent): PostgreSQL's and SQLite's own functions."""

    function = "jsonb_array_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="json_array_length", **extra_context)


def _items_needed(queryset: QuerySet[Dossier], key: str) -> int:
    """How many items of group ``key`` the most filled dossier has: the numbered columns the data needs."""
    longest = queryset.order_by().aggregate(longest=Max(JSONArrayLength(KeyTransform(key, "answers"))))["longest"]
    return int(longest or 0)


def export_columns(queryset: QuerySet[Dossier], *, include_health: bool, explode: str = "") -> tuple[list[Column], str]:
    """The answer columns of the export, in form order, and the group exploded into rows (if any)."""
    columns: dict[str, Column] = {}
    exploded = ""
    needed: dict[str, int] = {}
    for definition, form_is_health in answered_definitions(queryset):
        for _index, spec in definition.fields():
            if not field_type(spec).exported or not spec.get("key"):
                continue
            health = form_is_health or spec["health"]
            if spec["type"] != GROUP_TYPE:
                if include_health or not health:
                    columns.setdefault(spec["key"], Column(spec["key"], spec, health, spec["label"] or spec["key"]))
                continue
            children = [c for c in spec["fields"] if field_type(c).exported]
            children = [c for c in children if include_health or not (health or c["health"])]
            item = spec.get("item_label") or spec["label"]
            if spec["key"] == explode:
                exploded = explode
                for child in children:
                    path = f"{spec['key']}.{child['key']}"
                    label = f"{child['label']} ({item})"
                    columns.setdefault(path, Column(path, child, health or child["health"], label))
                continue
            if spec["key"] not in needed:
                needed[spec["key"]] = min(_items_needed(queryset, spec["key"]), spec.get("max_items") or 10)
            for number in range(1, needed[spec["key"]] + 1):
                for child in children:
                    path = f"{spec['key']}.{number}.{child['key']}"
                    label = f"{child['label']} ({item} {number})"
                    columns.setdefault(path, Column(path, child, health or child["health"], label))
    return list(columns.values()), exploded


BASE_HEADERS = [
    gettext_noop("Reference"),
    gettext_noop("Form"),
    gettext_noop("Status"),
    gettext_noop("Sent on"),
    gettext_noop("Family"),
    gettext_noop("Assigned agent"),
    gettext_noop("QF"),
    gettext_noop("QF source"),
    gettext_noop("QF month"),
]


def base_headers() -> list[str]:
    return [_(label) for label in BASE_HEADERS]


def price_services(queryset: QuerySet[Dossier]) -> list[tuple[str, str]]:
    """``(service key, header)`` of the services priced by the decrees in force of the dossiers' councils."""
    services: dict[str, str] = {}
    council_ids = queryset.order_by().values("council_id").distinct()
    for council in CouncilHomePage.objects.filter(pk__in=council_ids).order_by("pk"):
        decree = decree_in_force(council=council)
        for rule in decree.grid().services if decree else ():
            header = _("Price: %(service)s (€ %(unit)s)") % {"service": rule.label, "unit": UNIT_LABELS_FR[rule.unit]}
            services.setdefault(rule.key, header)
    return list(services.items())


def _base_cells(dossier: Dossier) -> list[Any]:
    family = dossier.family.email if dossier.family else dossier.contact_email
    assigned = dossier.assigned_to.get_username() if dossier.assigned_to else ""
    return [
        dossier.reference,
        dossier.form_page.title,
        dossier.get_status_display(),
        timezone.localtime(dossier.submitted_at).replace(tzinfo=None, second=0, microsecond=0),
        family,
        assigned,
        dossier.qf,
        dossier.qf_source,
        dossier.qf_month.strftime("%m/%Y") if dossier.qf_month else "",
    ]


def _value(answers: dict, column: Column, item: dict | None) -> Any:
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
    return field_type(column.spec).export_cell(column.spec, value)


def _prices(dossier: Dossier, services: list[tuple[str, str]]) -> list[Any]:
    amounts = {}
    for quote in (dossier.prices or {}).get("quotes") or []:
        try:
            amounts[quote["service"]["key"]] = Decimal(str(quote["amount"]))
        except (KeyError, TypeError, ArithmeticError):
            continue
    return [amounts.get(key, "") for key, _header in services]


PROVENANCE_HEADERS = [
    gettext_noop("%(field)s: source"),
    gettext_noop("%(field)s: provider"),
    gettext_noop("%(field)s: period"),
    gettext_noop("%(field)s: request id"),
    gettext_noop("%(field)s: value filled in"),
    gettext_noop("%(field)s: changed by the family"),
]


def prefilled_fields(definitions, *, include_health: bool) -> list[tuple[str, str]]:
    """``(key, label)`` of the answers the forms fill for the family (from API Particulier or the household
    on file), in form order: the provenance columns of an export."""
    fields: dict[str, str] = {}
    for definition, form_is_health in definitions:
        targets = set(prefilled_keys(definition)) | set(child_fields(definition))
        for _index, spec in definition.fields():
            if spec.get("key") in targets and (include_health or not (form_is_health or spec.get("health"))):
                fields.setdefault(spec["key"], spec.get("label") or spec["key"])
    return list(fields.items())


def _provenance_cells(origins: list[Provenance], fields: list[tuple[str, str]]) -> list[Any]:
    by_key = {origin.key: origin for origin in origins}
    cells: list[Any] = []
    for key, _label in fields:
        origin = by_key.get(key)
        if origin is None:
            cells.extend([""] * len(PROVENANCE_HEADERS))
            continue
        changed = _("yes") + f" ({origin.after})" if origin.changed else _("no")
        cells.extend([origin.source, origin.provider, origin.period, origin.request_id, origin.before, changed])
    return cells


def export_rows(
    queryset: QuerySet[Dossier],
    *,
    include_health: bool,
    health_councils: set[int],
    explode: str = "",
    with_provenance: bool = False,
) -> Iterator[list[Any]]:
    """The header, then one row per dossier (or per item of the exploded group), read chunk by chunk.

    ``health_councils``: ids of the councils whose health data the agent may see (health cells of other
    councils' dossiers stay empty even when ``include_health``). A form about one child has the child's
    name in its own column. ``with_provenance``: for each prefilled answer, where it came from and whether
    the family changed it.
    """
    definitions = definitions_by_revision(queryset)
    columns, exploded = export_columns(queryset, include_health=include_health, explode=explode)
    services = price_services(queryset)
    about_a_child = any(child_spec(definition) is not None for definition, _health in definitions.values())
    prefilled = prefilled_fields(definitions.values(), include_health=include_health) if with_provenance else []
    yield [
        *base_headers(),
        *([_("Child")] if about_a_child else []),
        *(column.label for column in columns),
        *(header for _key, header in services),
        *(_(header) % {"field": label} for _key, label in prefilled for header in PROVENANCE_HEADERS),
    ]
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
            "prices",
            "council_id",
            "is_health_data",
            "revision",
            *(["provenance"] if with_provenance else []),
        )
        .order_by("submitted_at", "pk")
    )
    for dossier in rows.iterator(chunk_size=CHUNK_SIZE):
        definition, _health = definitions[(dossier.form_page_id, dossier.revision_id)]
        base = _base_cells(dossier)
        if about_a_child:
            base.append(names.child_name_in(definition, dossier.answers))
        prices = _prices(dossier, services)
        hidden = include_health and dossier.council_id not in health_councils
        if prefilled:
            origins = dossier_provenance(
                dossier=dossier, include_health=include_health and not hidden, definition=definition
            )
            prices = [*prices, *_provenance_cells(origins, prefilled)]
        items = (dossier.answers.get(exploded) or [None]) if exploded else [None]
        for item in items:
            cells = [
                "" if (hidden and (column.health or dossier.is_health_data)) else _value(dossier.answers, column, item)
                for column in columns
            ]
            yield [spreadsheet.cell(value) for value in [*base, *cells, *prices]]


def xlsx_chunks(rows: Iterable[list[Any]], *, title: str) -> Iterator[bytes]:
    """An XLSX file built with openpyxl's write-only workbook (rows go to a temporary file, not memory),
    then read back in chunks. The ZIP is only complete at the end, so the bytes come after the last row.
    Numbers are numbers, dates are dates (shown day/month/year), the header row is bold and frozen."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    header = []
    for label in next(rows, []):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy"
            else:
                cell = value
            cells.append(cell)
        sheet.append(cells)
    with tempfile.TemporaryFile() as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        while chunk := buffer.read(64 * 1024):
            yield chunk


# PDF summary -------------------------------------------------------------------------------

FONTS_DIR = Path(__file__).resolve().parents[1] / "fonts"  # forms/fonts


def french_date(moment: datetime.datetime) -> str:
    """``1er septembre 2026`` (in the portal's time zone)."""
    return format_date_fr(timezone.localtime(moment).date())


def french_datetime(moment: datetime.datetime) -> str:
    """``1er septembre 2026 à 09:05`` (in the portal's time zone)."""
    return _("%(date)s at %(time)s") % {"date": french_date(moment), "time": f"{timezone.localtime(moment):%H:%M}"}


def dossier_pdf(
    *,
    dossier: Dossier,
    steps: list[dict],
    files: list,
    events: list,
    corrections: list,
    provenance: list[Provenance] = (),
    child: str = "",
) -> bytes:
    """A PDF summary of one dossier: answers, prefilled values' provenance, files, history, acceptance
    evidence and prices (fpdf2)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    # An embedded Unicode font (shipped in forms/fonts/): the core PDF fonts know Latin-1 only ("€" -> "?").
    font = "DejaVuSans"
    pdf.add_font(font, "", FONTS_DIR / "DejaVuSans.ttf")
    pdf.add_font(font, "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_fallback_fonts([font])
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(label: str, value: Any = "", *, size: int = 10, bold: bool = False) -> None:
        pdf.set_font(font, "B" if bold else "", size)
        body = f"{label}\u00a0: {value}" if value not in ("", None) else label
        pdf.multi_cell(width, 5, str(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(title: str) -> None:
        pdf.ln(3)
        line(title, size=12, bold=True)

    line(f"{dossier.form_page.title} – {dossier.reference}", size=14, bold=True)
    line(_("Council"), dossier.council.official_name)
    line(_("Status"), dossier.get_status_display())
    line(_("Sent on"), french_datetime(dossier.submitted_at))
    family = dossier.family.email if dossier.family else dossier.contact_email
    line(_("Family"), family)
    if child:
        line(_("Child"), child)
    if dossier.submitted_by_agent:
        line(_("Filed by an agent at the counter"))
    for step in steps:
        heading(step["title"])
        for row in step["rows"]:
            if row["items"]:
                for item in row["items"]:
                    line(f"{row['label']} – {item['legend']}", bold=True)
                    for sub in item["rows"]:
                        line(f"  {sub['label']}", sub["file"]["name"] if sub["file"] else sub["value"])
            else:
                line(row["label"], row["file"]["name"] if row["file"] else row["value"])
    if provenance:
        heading(_("Prefilled values and their provenance"))
        for origin in provenance:
            line(origin.label, origin.before or "—", bold=True)
            facts = [
                f"{_('Source')}\u00a0: {origin.source}",
                *([f"{_('Provider')}\u00a0: {origin.provider}"] if origin.provider else []),
                *([f"{_('Period')}\u00a0: {origin.period}"] if origin.period else []),
                *([f"{_('Request id')}\u00a0: {origin.request_id}"] if origin.request_id else []),
            ]
            line(f"  {', '.join(facts)}")
            if origin.changed:
                line(f"  {_('Changed by the family')}", f"{origin.before or '—'} → {origin.after or '—'}")
            else:
                line(f"  {_('Changed by the family')}", _("no"))
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
            amount = format_euros(Decimal(str(quote["amount"])))
            line(quote["service"]["label"], f"{amount} {quote['unit_label']}".strip(), bold=True)
            for sentence in quote["explanation"]:
                line(f"  {sentence}")
    heading(_("History"))
    for event in events:
        when = french_datetime(event.at)
        actor = event.actor.get_username() if event.actor else event.actor_name
        comment = f" – {event.comment}" if event.comment else ""
        line(f"{when} {event.get_to_status_display()} ({event.get_kind_display()}) {actor}{comment}")
    for correction in corrections:
        heading(_("Correction requested on %(date)s") % {"date": french_date(correction.requested_at)})
        for item in correction.shown_items:  # without health items unless allowed (correction_changes)
            before = (item.before or {}).get("text", "")
            after = (item.after or {}).get("text", "") if item.after else _("not corrected yet")
            line(item.label, f"{item.get_reason_display()}\u00a0: {before} → {after}")
    return bytes(pdf.output())
