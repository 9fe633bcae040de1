"""Spreadsheet cells and the one CSV dialect of every export (dossiers, rules acceptance registers).

CSV files are written for French spreadsheet software: UTF-8 with a byte order mark, ``;`` between cells,
decimal comma, dates as day/month/year. Text that spreadsheet software would run as a formula is quoted.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

# Spreadsheet software runs cells that start with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_SIZE = 64 * 1024


def cell(value: Any) -> Any:
    """A cell: numbers, dates and times stay typed; text that a spreadsheet would run as a formula is quoted."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | Decimal | datetime.date):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_text(value: Any) -> Any:
    """French spreadsheet conventions: decimal comma, day/month/year."""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


class _Echo:
    """A file-like object whose ``write`` returns what it is given (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text of ``rows`` (cells made with ``cell``) in the portal's one dialect, in pieces of about 64 KB:
    one write to the network per piece rather than per line, and never more than a piece in memory."""
    writer = csv.writer(_Echo(), delimiter=";")
    piece, size = ["\ufeff"], 1  # the byte order mark, so that spreadsheet software reads UTF-8
    for row in rows:
        line = writer.writerow([csv_text(value) for value in row])
        piece.append(line)
        size += len(line)
        if size >= CSV_CHUNK_SIZE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)
