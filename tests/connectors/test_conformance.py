"""Conformance with the real API Particulier, read from ../shared/api-particulier when it is present.

1. Every answer of the simulator (each demo family with each token, each error it emits) validates against
   the OpenAPI schema of the v3 QF routes (v3_endpoints/*.yaml), status by status.
2. The client handles every upstream staging case of the QF routes (staging_payloads/*quotient_familial*/:
   status + payload) as its status and code demand. These real bodies are replayed through an httpx mock
   transport: they are upstream's own answers, so no simulator is involved.

Nothing from ../shared is copied into the project: the files are read in place, and the tests are skipped
(with the reason) when the folder is absent.
"""

import copy
import json
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

from connectors.api_particulier.client import ApiParticulierClient
from connectors.api_particulier.errors import ApiError, ErrorKind
from connectors.api_particulier.identity import Identity
from connectors.api_particulier.simulator.cases import DEMO_FAMILIES, DEMO_TOKENS
from connectors.prefill import values_from_qf

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [ROOT.parent / "shared" / "api-particulier", Path("/work/shared/api-particulier")]
REFERENCE = next((path for path in CANDIDATES if path.is_dir()), None)
pytestmark = pytest.mark.skipif(
    REFERENCE is None, reason="reference data ../shared/api-particulier is absent: conformance not checked"
)

jsonschema = pytest.importorskip("jsonschema")

ROUTES = {
    "/v3/dss/quotient_familial/identite": "v3_dss_quotient_familial_identite.yaml",
    "/v3/dss/quotient_familial/france_connect": "v3_dss_quotient_familial_france_connect.yaml",
}


def to_json_schema(node, components: dict):
    """OpenAPI 3.0 schema -> JSON Schema: resolve local $refs, turn ``nullable`` into a null type."""
    if isinstance(node, list):
        return [to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return to_json_schema(components[name], components)
    schema = {
        key: to_json_schema(value, components) for key, value in node.items() if key not in {"example", "nullable"}
    }
    if node.get("nullable") and "type" in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def load_spec(route: str) -> dict:
    spec = yaml.safe_load((REFERENCE / "v3_endpoints" / ROUTES[route]).read_text())
    components = spec["components"]["schemas"]
    responses = spec["paths"][route]["get"]["responses"]
    schemas = {
        int(status): to_json_schema(response["content"]["application/json"]["schema"], components)
        for status, response in responses.items()
    }
    return {"responses": schemas, "error": to_json_schema(components["Error"], components)}


@pytest.fixture(scope="module")
def specs():
    return {route: load_spec(route) for route in ROUTES}


def schema_for(spec: dict, status: int, data_blocks: set[str] | None = None) -> dict:
    schema = spec["responses"].get(status, spec["error"])
    if status == 200 and data_blocks is not None:
        # Production masks the blocks outside the token's scopes, though the spec marks all four required.
        schema = copy.deepcopy(schema)
        data = schema["properties"]["data"]
        data["required"] = [block for block in data["required"] if block in data_blocks]
    return schema


def validate(spec: dict, response: httpx.Response) -> None:
    body = response.json()
    blocks = set(body["data"]) if response.status_code == 200 else None
    jsonschema.validate(body, schema_for(spec, response.status_code, blocks))
    if response.status_code == 200:
        assert response.headers["X-Request-Id"]


def identity_params(family) -> dict:
    params = {
        "nomNaissance": family.holder.nom_naissance,
        "prenoms[]": family.first_names[:1],
        "sexeEtatCivil": family.holder.sexe,
        "codeCogInseePaysNaissance": family.birth_country,
        "anneeDateNaissance": family.holder.date_naissance[:4],
        "recipient": "21219990500010",
    }
    if family.birth_commune_code:
        params["codeCogInseeCommuneNaissance"] = family.birth_commune_code
    return params


def test_every_simulator_answer_matches_the_openapi_schema(simulator_server, specs):
    simulator_server.reset()
    identite = "/v3/dss/quotient_familial/identite"
    france_connect = "/v3/dss/quotient_familial/france_connect"
    statuses = set()
    for token in DEMO_TOKENS:
        for family in DEMO_FAMILIES:
            response = httpx.get(
                f"{simulator_server.base_url}{identite}",
                params=identity_params(family),
                headers={"Authorization": f"Bearer {token}"},
            )
            validate(specs[identite], response)
            statuses.add(response.status_code)
    for family in DEMO_FAMILIES:
        response = httpx.get(
            f"{simulator_server.base_url}{france_connect}",
            params={"recipient": "21219990500010"},
            headers={"Authorization": f"Bearer {family.france_connect_token}"},
        )
        validate(specs[france_connect], response)
    base = identity_params(DEMO_FAMILIES[0])
    variants = [{"recipient": ""}, {"recipient": "21219990500011"}, {"sexeEtatCivil": "X"}, {"annee": "1990"},
                {"mois": "13"}, {"nomNaissance": "INCONNU"}]  # fmt: skip
    for changes in variants:
        response = httpx.get(
            f"{simulator_server.base_url}{identite}",
            params={**base, **changes},
            headers={"Authorization": "Bearer demo-qf-complet"},
        )
        validate(specs[identite], response)
        statuses.add(response.status_code)
    for mode in ("409", "429", "502", "503", "504"):
        simulator_server.configure(fail=mode, fail_count=1)
        response = httpx.get(
            f"{simulator_server.base_url}{identite}", params=base, headers={"Authorization": "Bearer demo-qf-complet"}
        )
        validate(specs[identite], response)
        statuses.add(response.status_code)
    simulator_server.reset()
    assert statuses >= {200, 401, 403, 404, 409, 422, 429, 502, 503, 504}


def staging_cases():
    if REFERENCE is None:
        return []
    cases = []
    for folder in sorted((REFERENCE / "staging_payloads").glob("*quotient_familial*")):
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            case = yaml.safe_load(path.read_text())
            if not isinstance(case, dict) or "status" not in case or "payload" not in case:
                continue
            if folder.name.startswith("api_particulier_v2") and case["status"] == 200:
                continue  # legacy v2 success bodies have another shape; the connector only calls v3 routes
            cases.append(pytest.param(folder.name, case["status"], case["payload"], id=f"{folder.name}/{path.name}"))
    return cases


def client_for_payload(status: int, payload: str, sleeps: list) -> ApiParticulierClient:
    def handler(request):
        return httpx.Response(status, content=payload.encode(), headers={"Content-Type": "application/json"})

    return ApiParticulierClient(
        token="t", recipient="13002526500013", base_url="https://staging.test", transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )  # fmt: skip


EXPECTED_KINDS = {
    404: ErrorKind.NO_FILE,
    409: ErrorKind.BUSY,
    429: ErrorKind.BUSY,
    500: ErrorKind.UNAVAILABLE,
    502: ErrorKind.UNAVAILABLE,
    503: ErrorKind.UNAVAILABLE,
    504: ErrorKind.UNAVAILABLE,
}


@pytest.mark.parametrize(("folder", "status", "payload"), staging_cases())
def test_the_client_handles_every_staging_case(folder, status, payload):
    legacy_v2 = folder.startswith("api_particulier_v2")  # errors only: flat {"error", "reason", "message"}
    sleeps: list[float] = []
    client = client_for_payload(status, payload, sleeps)
    identity = Identity(birth_name="MARTIN", first_names=["AXELLE"], sex="F", birth_date=date(1989, 12, 3),
                        birth_commune_code="35238")  # fmt: skip
    call = (
        (lambda: client.quotient_familial_france_connect("fc-token"))
        if "france_connect" in folder
        else (lambda: client.quotient_familial(identity))
    )
    if status == 200:
        response = call()
        values, provenance, qf_known = values_from_qf(
            response.data, request_id=response.request_id, fetched_at="2026-01-01T00:00:00Z", route=response.route
        )
        qf = response.data["quotient_familial"]
        assert qf_known == (qf["valeur"] > 0)
        assert values["qf.fournisseur"] == qf["fournisseur"] in {"CNAF", "MSA"}
        assert len(values["enfants"]) == len(response.data["enfants"])
        assert set(provenance) == set(values)
        return
    with pytest.raises(ApiError) as caught:
        call()
    error = caught.value
    assert error.http_status == status
    assert error.kind == EXPECTED_KINDS[status]
    if not legacy_v2:
        assert error.code == json.loads(payload)["errors"][0]["code"]
    if status == 409:
        assert len(sleeps) == client.max_retries  # bounded retries, then gave up
    if status == 429:
        # No Retry-After in these cases: the client assumes a ban of RETRY_AFTER_DEFAULT seconds, longer
        # than its wait budget, so it gives up at once instead of hammering upstream.
        assert sleeps == []
