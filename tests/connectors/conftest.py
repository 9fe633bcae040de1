"""Fixtures of the connector tests: one simulator over real HTTP for the session, habilitation builders,
a recorded (never slept) ``sleep``, and a consent helper.
"""

import json
import urllib.request
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from connectors import gateway
from connectors.api_particulier.identity import Identity
from connectors.api_particulier.simulator import start_simulator
from connectors.demo import simulator_identity as identity_of  # noqa: F401 (the tests' name for it)
from connectors.models import Habilitation, HabilitationState
from connectors.selectors import prefill_offer
from connectors.services import consent_record

QF_ALL = ["cnaf_quotient_familial", "cnaf_allocataires", "cnaf_enfants", "cnaf_adresse"]


class Simulator:
    """Handle on the session's simulator: its URL and its run-time switches."""

    def __init__(self, server, base_url: str) -> None:
        self.server = server
        self.base_url = base_url

    def configure(self, **switches) -> dict:
        return self._post("/__simulator__/config", switches)

    def reset(self) -> dict:
        return self._post("/__simulator__/reset", {})

    def journal(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.base_url}/__simulator__/journal", timeout=5) as response:  # noqa: S310
            return json.loads(response.read())["requests"]

    def wait_inflight(self, count: int) -> int:
        url = f"{self.base_url}/__simulator__/inflight?wait_for={count}&timeout=5"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["inflight"]

    def wait_idle(self) -> int:
        with urllib.request.urlopen(f"{self.base_url}/__simulator__/inflight?idle=1&timeout=5", timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["inflight"]

    def _post(self, path: str, payload: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url}{path}", data=json.dumps(payload).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())


@pytest.fixture(scope="session")
def simulator_server():
    server, base_url = start_simulator(port=0)
    yield Simulator(server, base_url)
    server.stop()


@pytest.fixture
def simulator(simulator_server, settings):
    """The simulator, reset, with the portal pointed at it; rate-limit counters cleared."""
    simulator_server.reset()
    settings.API_PARTICULIER_BASE_URL = simulator_server.base_url
    settings.API_PARTICULIER_TIMEOUT = 2.0
    cache.clear()
    yield simulator_server
    simulator_server.configure(hold=False)
    simulator_server.wait_idle()
    simulator_server.reset()


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """Every wait the connector asks for, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(gateway, "sleep", waits.append)
    return waits


def make_habilitation(council, *, token: str = "demo-qf-complet", scopes=None, **fields) -> Habilitation:
    habilitation = Habilitation(
        council=council,
        datapass_id=fields.pop("datapass_id", f"DP-{council.slug}"),
        title=fields.pop("title", "Quotient familial"),
        purpose=fields.pop("purpose", "Calculer les tarifs de la cantine"),
        scopes=list(QF_ALL if scopes is None else scopes),
        modalities=fields.pop("modalities", ["params", "france_connect"]),
        valid_from=fields.pop("valid_from", date.today() - timedelta(days=30)),
        valid_until=fields.pop("valid_until", date.today() + timedelta(days=300)),
        state=fields.pop("state", HabilitationState.ACTIVE),
        **fields,
    )
    if token:
        habilitation.set_token(token)
    habilitation.full_clean()
    habilitation.save()
    return habilitation


def give_consent(user, council, scopes=None):
    scopes = QF_ALL if scopes is None else scopes
    offer = prefill_offer(council=council, scopes=scopes)
    assert offer is not None
    return consent_record(user=user, council=council, scopes=scopes, text_version=offer.text_version)


def lambert(**changes) -> Identity:
    """The simulator's CNAF family with two children (QF 620)."""
    values = {
        "birth_name": "Lambert",
        "first_names": ("Camille",),
        "sex": "F",
        "birth_date": date(1986, 4, 12),
        "birth_commune_code": "21231",
    }
    values.update(changes)
    return Identity(**values)


@pytest.fixture
def habilitation_a(council_a):
    return make_habilitation(council_a)
