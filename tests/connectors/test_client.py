"""The client alone (no Django), against httpx mock transports: parameters, retries, limits, failures."""

import json
import logging
from datetime import date

import httpx
import pytest

from connectors.api_particulier.client import ApiParticulierClient, parse_retry_after
from connectors.api_particulier.errors import ApiError, ErrorKind
from connectors.api_particulier.identity import Identity
from connectors.api_particulier.ratelimit import MemoryCounterStore, WindowRateLimiter

QF_BODY = {
    "data": {
        "quotient_familial": {
            "fournisseur": "CNAF", "valeur": 620, "annee": 2026, "mois": 5, "annee_calcul": 2026, "mois_calcul": 5,
        }
    },
    "links": {},
    "meta": {},
}  # fmt: skip
IDENTITY = Identity(
    birth_name="Dupontel", first_names=("Jeanne", "Marie"), sex="F", birth_date=date(1985, 3, 9),
    birth_commune_name="Saint-Étienne", birth_department_code="42",
)  # fmt: skip


def error_body(code: str) -> dict:
    return {"errors": [{"code": code, "title": "t", "detail": "d", "source": None, "meta": {}}]}


def make_client(handler, *, sleeps=None, limiter=None, **kwargs) -> ApiParticulierClient:
    return ApiParticulierClient(
        token="secret-token",
        recipient="21219990500010",
        base_url="https://api.test",
        transport=httpx.MockTransport(handler),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        rate_limiter=limiter,
        **kwargs,
    )


def test_identity_parameters_bearer_and_recipient_are_sent():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["path"] = request.url.path
        seen["params"] = request.url.params
        seen["auth"] = request.headers["Authorization"]
        return httpx.Response(200, json=QF_BODY, headers={"X-Request-Id": "rid-42"})

    response = make_client(handler).quotient_familial(IDENTITY, annee=2026, mois=5)
    params = seen["params"]
    assert seen["path"] == "/v3/dss/quotient_familial/identite"
    assert seen["auth"] == "Bearer secret-token"
    assert params["recipient"] == "21219990500010"
    assert params.get_list("prenoms[]") == ["Jeanne", "Marie"]
    assert params["nomCommuneNaissance"] == "Saint-Étienne"
    assert params["codeCogInseeDepartementNaissance"] == "42"
    assert params["anneeDateNaissance"] == "1985"
    assert params["codeCogInseePaysNaissance"] == "99100"
    assert "codeCogInseeCommuneNaissance" not in params
    assert (params["annee"], params["mois"]) == ("2026", "5")
    assert response.request_id == "rid-42"
    assert response.data["quotient_familial"]["valeur"] == 620


def test_born_abroad_sends_the_country_and_no_commune():
    seen = {}

    def handler(request):
        seen["params"] = request.url.params
        return httpx.Response(200, json=QF_BODY)

    abroad = Identity(
        birth_name="Da Silva", first_names=["Ana"], sex="F", born_in_france=False, birth_country_code="99139"
    )
    make_client(handler).quotient_familial(abroad)
    assert seen["params"]["codeCogInseePaysNaissance"] == "99139"
    assert "nomCommuneNaissance" not in seen["params"]


@pytest.mark.parametrize("status", [409, 429])
def test_busy_answers_are_retried_after_retry_after(status):
    answers = [httpx.Response(status, json=error_body("00015" if status == 409 else "00429"), headers={"Retry-After": "3"}),
               httpx.Response(200, json=QF_BODY)]  # fmt: skip
    sleeps: list[float] = []
    response = make_client(lambda request: answers.pop(0), sleeps=sleeps).quotient_familial(IDENTITY)
    assert response.attempts == 2
    assert sleeps == [3.0]


def test_retries_are_bounded_then_busy():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(429, json=error_body("00429"), headers={"Retry-After": "1"})

    sleeps: list[float] = []
    with pytest.raises(ApiError) as caught:
        make_client(handler, sleeps=sleeps, max_retries=2).quotient_familial(IDENTITY)
    assert caught.value.kind == ErrorKind.BUSY and caught.value.code == "00429"
    assert len(calls) == 3 and sleeps == [1.0, 1.0]


def test_a_retry_after_longer_than_the_wait_budget_is_not_waited():
    sleeps: list[float] = []
    handler = lambda request: httpx.Response(429, json=error_body("00429"), headers={"Retry-After": "3600"})  # noqa: E731
    with pytest.raises(ApiError) as caught:
        make_client(handler, sleeps=sleeps, max_wait=10).quotient_familial(IDENTITY)
    assert caught.value.kind == ErrorKind.BUSY
    assert sleeps == []


def test_retry_after_as_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now=1445412480.0) == 5.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("2") == 2.0


@pytest.mark.parametrize(
    ("exception", "code"),
    [(httpx.ReadTimeout("read timed out"), "timeout"), (httpx.ConnectError("refused"), "connection_error")],
)
def test_network_failures_are_unavailable_without_chained_url(exception, code):
    def handler(request):
        raise exception

    with pytest.raises(ApiError) as caught:
        make_client(handler).quotient_familial(IDENTITY)
    error = caught.value
    assert error.kind == ErrorKind.UNAVAILABLE and error.code == code
    assert error.__context__ is None and error.__cause__ is None
    assert "Dupontel" not in str(error)


@pytest.mark.parametrize("content", [b"<html>oops</html>", b'{"data": ', b"[1, 2]", b'{"links": {}}'])
def test_malformed_answers_are_unavailable(content):
    with pytest.raises(ApiError) as caught:
        make_client(lambda request: httpx.Response(200, content=content)).quotient_familial(IDENTITY)
    assert caught.value.kind == ErrorKind.UNAVAILABLE and caught.value.code == "malformed_json"


def test_an_error_body_gives_kind_code_and_request_id():
    handler = lambda request: httpx.Response(404, json=error_body("10003"), headers={"X-Request-Id": "r-9"})  # noqa: E731
    with pytest.raises(ApiError) as caught:
        make_client(handler).quotient_familial(IDENTITY)
    assert (caught.value.kind, caught.value.code, caught.value.http_status, caught.value.request_id) == (
        ErrorKind.NO_FILE, "10003", 404, "r-9",
    )  # fmt: skip


def test_an_incomplete_identity_fails_before_any_request():
    calls = []
    client = make_client(lambda request: calls.append(request) or httpx.Response(200, json=QF_BODY))
    with pytest.raises(ApiError) as caught:
        client.quotient_familial(Identity(birth_name="X", first_names=["Y"], sex="F", birth_commune_name="Dijon"))
    assert caught.value.kind == ErrorKind.INVALID_INPUT
    assert calls == []


def test_identity_never_reaches_logs_or_reprs(caplog):
    caplog.set_level(logging.DEBUG)

    def handler(request):
        return httpx.Response(422, json=error_body("00355"))

    client = make_client(handler)
    with pytest.raises(ApiError) as caught:
        client.quotient_familial(IDENTITY)
    logging.getLogger("httpx").info("HTTP Request: GET %s", "https://api.test/v3/x?nomNaissance=Dupontel")
    texts = [caplog.text, str(caught.value), repr(caught.value), repr(IDENTITY), str(IDENTITY), repr(client)]
    for text in texts:
        for secret in ("Dupontel", "Jeanne", "Saint-Étienne", "1985", "secret-token"):
            assert secret not in text


def test_the_rate_limiter_makes_the_client_wait_within_the_budget():
    now = [1000.0]
    limiter = WindowRateLimiter(limit=2, store=MemoryCounterStore(), clock=lambda: now[0])
    sleeps: list[float] = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    client = ApiParticulierClient(
        token="t", recipient="21219990500010", base_url="https://api.test", rate_limiter=limiter, sleep=fake_sleep,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=QF_BODY)),
    )  # fmt: skip
    for _ in range(3):
        client.quotient_familial(IDENTITY)
    assert sleeps == [pytest.approx(1.0)]


def test_introspect_and_pings_need_no_recipient():
    seen = []

    def handler(request):
        seen.append((request.url.path, dict(request.url.params), request.headers.get("Authorization")))
        body = (
            {"_id": "x", "name": "n", "scopes": ["cnaf_quotient_familial"]}
            if "introspect" in request.url.path
            else {"status": "ok"}
        )
        return httpx.Response(200, content=json.dumps(body))

    client = make_client(handler)
    assert client.introspect().body["scopes"] == ["cnaf_quotient_familial"]
    assert client.ping().body["status"] == "ok"
    assert seen[0] == ("/api/introspect", {}, "Bearer secret-token")
    assert seen[1] == ("/api/cnaf_msa_quotient_familial/ping", {}, None)
