"""Every CSV export of the portal opens the same way in a French spreadsheet, and none can run a formula."""

import csv
import datetime
import io
from decimal import Decimal

from common.spreadsheet import CSV_CHUNK_SIZE, cell, csv_chunks


def read(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")  # spreadsheet software then reads UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_text_a_spreadsheet_would_run_is_quoted_and_values_stay_typed():
    assert [cell(v) for v in ("=1+1", "+33 6", "-2", "@SUM(A1)", "Dupont")] == [
        "'=1+1",
        "'+33 6",
        "'-2",
        "'@SUM(A1)",
        "Dupont",
    ]
    assert cell(None) == cell("") == ""
    assert cell(0) == 0 and cell(Decimal("12.50")) == Decimal("12.50")


def test_one_dialect_semicolons_decimal_comma_and_french_dates():
    rows = [["Nom", "Montant", "Le"], [cell("Dupont; Martin"), cell(Decimal("12.50")), cell(datetime.date(2026, 9, 1))]]
    assert read(csv_chunks(rows)) == [["Nom", "Montant", "Le"], ["Dupont; Martin", "12,50", "01/09/2026"]]


def test_a_long_export_comes_in_pieces_and_loses_no_line():
    rows = [[cell(f"famille {number}"), cell(number)] for number in range(5000)]
    chunks = list(csv_chunks(rows))
    assert len(chunks) > 1 and all(len(chunk) <= CSV_CHUNK_SIZE + 100 for chunk in chunks)
    assert read(chunks) == [[f"famille {number}", str(number)] for number in range(5000)]
