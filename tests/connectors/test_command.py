"""``manage.py apiparticulier``: one JSON object per diagnostic, exit code 0 only on success."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from connectors.models import ApiCallLog

from .conftest import QF_ALL, make_habilitation

pytestmark = pytest.mark.django_db

LAMBERT = ["--nom-naissance", "Lambert", "--prenom", "Camille", "--sexe", "F", "--date-naissance", "1986-04-12",
           "--code-insee-naissance", "21231"]  # fmt: skip


def run(*args) -> tuple[dict, int]:
    out = StringIO()
    try:
        call_command("apiparticulier", *args, stdout=out)
        code = 0
    except CommandError as error:
        code = error.returncode
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0]), code


def test_quotient_familial_ok(simulator, council_a, habilitation_a):
    result, code = run("quotient-familial", "--council", "valmont", *LAMBERT)
    assert code == 0 and result["status"] == "ok"
    assert result["data"]["quotient_familial"]["valeur"] == 620 and result["request_id"]
    assert ApiCallLog.objects.get().purpose == "diagnostic"


def test_quotient_familial_is_scope_filtered(simulator, council_a, habilitation_a):
    simulator.configure(mask=False)
    result, code = run(
        "quotient-familial", "--habilitation", str(habilitation_a.pk), "--scopes", "cnaf_enfants", *LAMBERT
    )
    assert code == 0 and set(result["data"]) == {"enfants"}


def test_commune_name_and_departement(simulator, council_a, habilitation_a):
    args = ["--nom-naissance", "FONTAINE", "--prenom", "Julien", "--sexe", "M", "--date-naissance", "1982-09-03",
            "--commune-naissance", "Beaune", "--departement-naissance", "21"]  # fmt: skip
    result, code = run("quotient-familial", "--council", "valmont", *args)
    assert code == 0 and result["data"]["quotient_familial"]["fournisseur"] == "MSA"


@pytest.mark.parametrize(
    ("identity", "kind", "code", "status"),
    [
        (["--nom-naissance", "PETIT", "--prenom", "Hugo", "--sexe", "M", "--code-insee-naissance", "21231"], "no_file", "23003", 404),
        (["--nom-naissance", "GARNIER", "--prenom", "Pauline", "--sexe", "F", "--code-insee-naissance", "21054"], "no_file", "10003", 404),
        (["--nom-naissance", "ROBIN", "--prenom", "Elise", "--sexe", "F", "--code-insee-naissance", "21231"], "identity_mismatch", "00355", 422),
        ([*LAMBERT, "--annee", "1999"], "invalid_input", "00356", 422),
        (["--nom-naissance", "X", "--prenom", "Y", "--sexe", "F", "--commune-naissance", "Dijon"], "invalid_input", None, None),
    ],
)  # fmt: skip
def test_quotient_familial_errors(simulator, council_a, habilitation_a, identity, kind, code, status):
    result, exit_code = run("quotient-familial", "--council", "valmont", *identity)
    assert exit_code == 1
    assert result["status"] == "error"
    assert (result["kind"], result["code"], result["http_status"]) == (kind, code, status)
    assert result["message"]
    assert ("request_id" in result) and (status is None or result["request_id"])


@pytest.mark.parametrize(("token", "code"), [("demo-expire", "00103"), ("demo-revoque", "00105"), ("inconnu", "00101")])
def test_unauthorised_tokens(simulator, council_a, token, code):
    make_habilitation(council_a, token=token)
    result, exit_code = run("quotient-familial", "--council", "valmont", *LAMBERT)
    assert exit_code == 1 and (result["kind"], result["code"], result["http_status"]) == ("unauthorised", code, 401)


@pytest.mark.parametrize(("mode", "kind", "status"), [("503", "unavailable", 503), ("502", "unavailable", 502),
                                                       ("504", "unavailable", 504), ("malformed", "unavailable", 200),
                                                       ("429", "busy", 429), ("409", "busy", 409)])  # fmt: skip
def test_upstream_failures(simulator, slept, council_a, habilitation_a, mode, kind, status):
    simulator.configure(fail=mode)
    result, exit_code = run("quotient-familial", "--council", "valmont", *LAMBERT)
    assert exit_code == 1 and (result["kind"], result["http_status"]) == (kind, status)


def test_timeout(simulator, settings, council_a, habilitation_a):
    settings.API_PARTICULIER_TIMEOUT = 0.3
    simulator.configure(fail="timeout", timeout_s=1.0)
    result, exit_code = run("quotient-familial", "--council", "valmont", *LAMBERT)
    assert exit_code == 1 and (result["kind"], result["code"]) == ("unavailable", "timeout")


def test_no_active_habilitation(simulator, council_a):
    make_habilitation(council_a, state="revoked")
    result, exit_code = run("quotient-familial", "--council", "valmont", *LAMBERT)
    assert exit_code == 1 and result["kind"] == "not_allowed"


def test_missing_scope_for_the_explicit_habilitation(simulator, council_a):
    habilitation = make_habilitation(council_a, scopes=["cnaf_quotient_familial"])
    result, exit_code = run(
        "quotient-familial", "--habilitation", str(habilitation.pk), "--scopes", "cnaf_adresse", *LAMBERT
    )
    assert exit_code == 1 and result["kind"] == "not_allowed"
    assert simulator.journal() == []


def test_introspect_and_ping(simulator, council_a, habilitation_a):
    result, code = run("introspect", "--council", "valmont")
    assert code == 0 and result["scopes"] == QF_ALL
    result, code = run("ping", "--council", "valmont")
    assert code == 0 and result["status"] == "ok" and result["ping"]["status"] == "ok"
    simulator.configure(fail="503")
    result, code = run("ping", "--council", "valmont")
    assert code == 1 and result["kind"] == "unavailable" and result["http_status"] == 502


def test_the_command_output_holds_no_identity_in_errors(simulator, council_a, habilitation_a):
    result, _code = run("quotient-familial", "--council", "valmont", "--nom-naissance", "ROBIN", "--prenom", "Elise",
                        "--sexe", "F", "--code-insee-naissance", "21231")  # fmt: skip
    assert "ROBIN" not in json.dumps(result) and "Elise" not in json.dumps(result)


def test_purge_logs(council_a):
    result, code = run("purge-logs")
    assert code == 0 and result == {"status": "ok", "deleted": 0}
