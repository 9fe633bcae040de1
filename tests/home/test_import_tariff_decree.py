"""`import_tariff_decree`: the grid endpoint's JSON round-trips through the command."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from home.models import DeliberationLink, TariffDecreeDeliberation, TariffDecreePage

from .conftest import make_decree, make_deliberation, make_deliberation_index

pytestmark = pytest.mark.django_db


def export(decree_id: int, host: str = "localhost") -> dict:
    response = Client(HTTP_HOST=host).get(f"/api/tarifs/{decree_id}/")
    assert response.status_code == 200
    return response.json()


def run(tmp_path, data, council: str = "valmont", *extra) -> str:
    path = tmp_path / "tarifs.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_tariff_decree", str(path), "--council", council, *extra, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_export_import_export_is_identical(council_a, tmp_path):
    index = make_deliberation_index(council_a)
    deliberation = make_deliberation(index, "2025-41")
    decree = make_decree(council_a, valid_to=date(2026, 12, 31))
    decree.deliberation_links = [
        TariffDecreeDeliberation(deliberation=deliberation, role=DeliberationLink.Role.ADOPTED)
    ]
    decree.save_revision().publish()
    first = export(decree.pk)
    assert first["deliberations"][0]["number"] == "2025-41"
    output = run(tmp_path, first)
    assert "Mis à jour" in output
    assert TariffDecreePage.objects.count() == 1
    assert export(decree.pk) == first


def test_import_creates_then_updates_by_key(council_a, council_b, tmp_path):
    source = make_decree(council_a)
    data = export(source.pk)
    output = run(tmp_path, data, "bellerive")
    assert "Créé" in output
    copy = TariffDecreePage.objects.descendant_of(council_b).get(key="tarifs-2026")
    copied = export(copy.pk, host="bellerive.localhost")
    ignored = {"id", "url", "council"}
    assert {k: v for k, v in copied.items() if k not in ignored} == {k: v for k, v in data.items() if k not in ignored}
    data["services"][0]["ceiling"] = "4.80"
    data["non_resident_surcharge"] = "10"
    run(tmp_path, data, "bellerive")
    assert TariffDecreePage.objects.descendant_of(council_b).count() == 1
    updated = export(copy.pk, host="bellerive.localhost")
    assert updated["services"][0]["ceiling"] == "4.80" and updated["non_resident_surcharge"] == "10.00"
    assert export(source.pk)["services"][0]["ceiling"] == "4.50"


def test_import_warns_about_unknown_deliberations(council_a, tmp_path):
    data = export(make_decree(council_a).pk)
    data["deliberations"] = [{"number": "1999-01", "role": "adopted"}]
    assert "1999-01" in run(tmp_path, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "autre"}, "portail-famille.tariff-decree"),
        ({"non_resident_surcharge": "20"}, "15"),
        ({"valid_from": "01/01/2026"}, "AAAA-MM-JJ"),
        ({"key": ""}, "key"),
    ],
)
def test_import_refuses_bad_files_with_a_clear_message(council_a, tmp_path, change, message):
    data = {**export(make_decree(council_a).pk), **change}
    with pytest.raises(CommandError, match=message):
        run(tmp_path, data)


def test_columns_say_which_families_they_price_and_older_files_without_it_still_import(council_a, tmp_path):
    data = export(make_decree(council_a).pk)
    columns = data["services"][2]["columns"]
    assert [c["applies_to"] for c in columns] == [["caf"], ["msa", "non_allocataire", "no_proof"]]
    for column in columns:
        del column["applies_to"]
    output = run(tmp_path, data)
    assert "alsh-journee" in output and "applies_to" in output  # the import warns
    assert "applies_to" not in export(TariffDecreePage.objects.get().pk)["services"][2]["columns"][0]
    columns[0]["applies_to"] = ["caf"]  # MSA, non-allocataire and no proof left to no column
    with pytest.raises(CommandError, match="Aucune colonne ne s'applique aux familles allocataires MSA"):
        run(tmp_path, data)


def test_import_refuses_a_tranche_grid_with_a_gap(council_a, tmp_path):
    data = export(make_decree(council_a).pk)
    data["services"][2]["tranches"][1]["qf_min"] = 402
    with pytest.raises(CommandError, match="trou"):
        run(tmp_path, data)


def test_import_needs_a_known_council_and_a_readable_file(council_a, tmp_path):
    with pytest.raises(CommandError, match="nulle-part"):
        run(tmp_path, {}, "nulle-part")
    with pytest.raises(CommandError):
        call_command("import_tariff_decree", str(tmp_path / "absent.json"), "--council", "valmont")
