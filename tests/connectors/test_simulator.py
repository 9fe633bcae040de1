"""The simulator over real HTTP: tokens, recipient, masking, errors, headers, rate limit, 409, switches."""

import threading

import httpx
import pytest

from connectors.api_particulier.simulator.cases import DEMO_FAMILIES
from connectors.api_particulier.simulator.server import siret_is_valid

QF = "/v3/dss/quotient_familial/identite"
LAMBERT = {
    "nomNaissance": "LAMBERT", "prenoms[]": ["Camille"], "sexeEtatCivil": "F", "codeCogInseePaysNaissance": "99100",
    "codeCogInseeCommuneNaissance": "21231", "anneeDateNaissance": "1986", "recipient": "21219990500010",
}  # fmt: skip


@pytest.fixture
def sim(simulator_server):
    simulator_server.reset()
    yield simulator_server
    simulator_server.configure(hold=False)
    simulator_server.wait_idle()  # a request parked by "timeout" must not answer into the next test
    simulator_server.reset()


def get(sim, path=QF, token="demo-qf-complet", **params):
    query = {**LAMBERT, **params} if path == QF else params
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{sim.base_url}{path}", params=query, headers=headers, timeout=5)


def code_of(response) -> str:
    return response.json()["errors"][0]["code"]


def test_a_known_family_gets_every_block_with_headers(sim):
    response = get(sim)
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"allocataires", "enfants", "adresse", "quotient_familial"}
    assert data["quotient_familial"]["valeur"] == 620 and data["quotient_familial"]["fournisseur"] == "CNAF"
    assert len(data["enfants"]) == 2 and len(data["allocataires"]) == 2
    assert response.headers["X-Request-Id"]
    assert response.headers["RateLimit-Limit"] == "20"
    assert response.headers["RateLimit-Remaining"] == "19"
    assert int(response.headers["RateLimit-Reset"]) > 0


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [("nope", 401, "00101"), ("", 401, "00101"), ("demo-expire", 401, "00103"), ("demo-revoque", 401, "00105"),
     ("demo-sans-qf", 403, "00100")],
)  # fmt: skip
def test_tokens_are_checked(sim, token, status, code):
    response = get(sim, token=token)
    assert (response.status_code, code_of(response)) == (status, code)


@pytest.mark.parametrize(
    ("recipient", "code"), [("", "00203"), ("2121999050001", "00210"), ("21219990500011", "00210")]
)
def test_recipient_must_be_a_valid_siret(sim, recipient, code):
    response = get(sim, recipient=recipient)
    assert (response.status_code, code_of(response)) == (422, code)


def test_siret_luhn():
    assert siret_is_valid("21219990500010") and siret_is_valid("21219991300014")
    assert not siret_is_valid("21219990500011")
    assert siret_is_valid("35600000000048")  # La Poste's sum-of-digits rule


@pytest.mark.parametrize(
    ("token", "blocks"),
    [("demo-qf-seul", {"quotient_familial"}), ("demo-qf-enfants", {"quotient_familial", "enfants"})],
)
def test_blocks_outside_the_token_scopes_are_masked(sim, token, blocks):
    assert set(get(sim, token=token).json()["data"]) == blocks


def test_staging_mode_does_not_mask(sim):
    sim.configure(mask=False)
    assert set(get(sim, token="demo-qf-seul").json()["data"]) == {
        "allocataires",
        "enfants",
        "adresse",
        "quotient_familial",
    }


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"nomNaissance": "PETIT", "prenoms[]": ["Hugo"], "sexeEtatCivil": "M", "anneeDateNaissance": "1990"}, 404, "23003"),
        ({"nomNaissance": "GARNIER", "prenoms[]": ["Pauline"], "codeCogInseeCommuneNaissance": "21054", "anneeDateNaissance": "1988"}, 404, "10003"),
        ({"nomNaissance": "ROBIN", "prenoms[]": ["Elise"], "anneeDateNaissance": "1991"}, 422, "00355"),
        ({"nomNaissance": "INCONNU"}, 404, "35003"),
        ({"anneeDateNaissance": "1987"}, 422, "00355"),
        ({"nomNaissance": "MERCIER", "prenoms[]": ["Thomas"], "sexeEtatCivil": "M", "anneeDateNaissance": "1984"}, 422, "00355"),
        ({"sexeEtatCivil": "X"}, 422, "00366"),
        ({"codeCogInseeCommuneNaissance": ""}, 422, "00366"),
        ({"annee": "2001"}, 422, "00356"),
        ({"mois": "13"}, 422, "00354"),
    ],
)  # fmt: skip
def test_family_cases_and_parameter_errors(sim, changes, status, code):
    response = get(sim, **changes)
    assert (response.status_code, code_of(response)) == (status, code)


def test_commune_name_with_departement_and_year_identifies(sim):
    response = get(
        sim, codeCogInseeCommuneNaissance="", nomCommuneNaissance="dijon", codeCogInseeDepartementNaissance="21"
    )
    assert response.status_code == 200


def test_every_demo_family_with_a_file_answers(sim):
    for family in DEMO_FAMILIES:
        response = httpx.get(
            f"{sim.base_url}/v3/dss/quotient_familial/france_connect",
            params={"recipient": "21219990500010"},
            headers={"Authorization": f"Bearer {family.france_connect_token}"},
        )
        assert response.status_code == (
            200 if family.outcome == "ok" else (404 if "no_file" in family.outcome else 422)
        )
        if family.outcome == "ok":
            assert response.json()["data"]["quotient_familial"]["valeur"] == family.qf


def test_rate_limit_answers_429_with_retry_after(sim):
    sim.configure(rate_limit=3, rate_window_s=3600)
    assert [get(sim).status_code for _ in range(3)] == [200, 200, 200]
    last = get(sim)
    assert last.status_code == 429 and code_of(last) == "00429"
    assert get(sim, token="demo-qf-seul").status_code == 200  # the limit is per token
    assert int(last.headers["Retry-After"]) >= 1
    assert last.headers["RateLimit-Remaining"] == "0"


def test_an_identical_request_in_flight_gets_409(sim):
    sim.configure(hold=True)
    first: list = []
    thread = threading.Thread(target=lambda: first.append(get(sim)))
    thread.start()
    assert sim.wait_inflight(1) == 1
    second = get(sim)
    sim.configure(hold=False)
    thread.join(timeout=10)
    assert (second.status_code, code_of(second)) == (409, "00015")
    assert first[0].status_code == 200
    assert get(sim).status_code == 200  # once the first one is done, the same request goes through


@pytest.mark.parametrize(
    ("mode", "status", "code"), [("503", 503, "37001"), ("502", 502, "37999"), ("504", 504, "37002")]
)
def test_failure_switches(sim, mode, status, code):
    sim.configure(fail=mode, fail_count=1)
    response = get(sim)
    assert (response.status_code, code_of(response)) == (status, code)
    assert get(sim).status_code == 200  # fail_count ran out


def test_timeout_switch_keeps_the_client_waiting(sim):
    sim.configure(fail="timeout", timeout_s=0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{sim.base_url}{QF}", params=LAMBERT, headers={"Authorization": "Bearer demo-qf-complet"}, timeout=0.2
        )


def test_malformed_and_500_switches(sim):
    sim.configure(fail="malformed", fail_count=1)
    response = get(sim)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    sim.configure(fail="500", fail_count=1)
    assert get(sim).status_code == 500


def test_introspect_and_pings(sim):
    introspect = get(sim, path="/api/introspect")
    assert introspect.json()["scopes"] == [
        "cnaf_quotient_familial",
        "cnaf_allocataires",
        "cnaf_enfants",
        "cnaf_adresse",
    ]
    assert get(sim, path="/api/introspect", token="", token_param=None).status_code == 401
    assert httpx.get(f"{sim.base_url}/api/introspect", params={"token": "demo-qf-seul"}).json()["scopes"] == [
        "cnaf_quotient_familial"
    ]
    assert httpx.get(f"{sim.base_url}/api/cnaf_msa_quotient_familial/ping").json()["status"] == "ok"
    assert "cnaf_msa_quotient_familial" in httpx.get(f"{sim.base_url}/api/pings").json()
    sim.configure(fail="503")
    assert httpx.get(f"{sim.base_url}/api/cnaf_msa_quotient_familial/ping").status_code == 502


def test_journal_holds_no_identity(sim):
    get(sim)
    assert sim.journal() == [{"path": QF, "status": 200, "code": None}]
