"""Audit items 6 and 7, against the real simulator over HTTP: every call has a total deadline and a
maximum reply size, and a 429's Retry-After is remembered per token (in the shared cache) until it ends.

The tests count their probes (upstream calls asked for / calls that reached upstream) so that the audit's
figures can be read from their output (`-s`)."""

import email.utils
import time
import tracemalloc

import pytest

from connectors import gateway
from connectors.api_particulier.client import RETRY_AFTER_DEFAULT, RETRY_AFTER_MAX, retry_after_delay
from connectors.api_particulier.errors import ApiError
from connectors.models import ApiCallLog
from connectors.services import qf_fetch

from .conftest import QF_ALL, give_consent, lambert

pytestmark = pytest.mark.django_db


def fetch(council, family, consent):
    return qf_fetch(council=council, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)


# Item 6: total deadline, reply size, nested JSON -------------------------------------------------------


def test_a_reply_trickling_byte_by_byte_stops_at_the_deadline(simulator, settings, council_a, habilitation_a, family):
    # Each byte comes well within the per-read timeout, so only a total deadline can stop the call.
    settings.API_PARTICULIER_TIMEOUT = 2.0
    settings.API_PARTICULIER_DEADLINE = 1.0
    simulator.configure(fail="trickle", trickle_interval_s=0.1, trickle_s=30)
    consent = give_consent(family, council_a)
    started = time.monotonic()
    result = fetch(council_a, family, consent)
    held = time.monotonic() - started
    print(f"trickle: 1 call, held {held:.1f} s (upstream would have trickled for 30 s)")
    assert (result.kind, result.code) == ("unavailable", "deadline")
    assert result.manual_route and "brouillon" in result.family_message
    assert ApiCallLog.objects.get().code == "deadline"


def test_a_huge_reply_is_never_read_into_memory(simulator, settings, council_a, habilitation_a, family):
    simulator.configure(fail="huge", huge_mb=50)
    consent = give_consent(family, council_a)
    tracemalloc.start()
    try:
        result = fetch(council_a, family, consent)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"huge: a 50 MB reply, peak memory of the call {peak / 1e6:.1f} MB")
    assert (result.kind, result.code) == ("unavailable", "reply_too_large")
    assert result.manual_route
    assert peak < 2 * settings.API_PARTICULIER_MAX_REPLY_BYTES + 2_000_000


def test_a_deeply_nested_reply_gives_the_manual_route_not_a_crash(simulator, council_a, habilitation_a, family):
    simulator.configure(fail="nested")
    consent = give_consent(family, council_a)
    result = fetch(council_a, family, consent)
    assert (result.kind, result.code) == ("unavailable", "malformed_json")
    assert result.manual_route


# Item 7: Retry-After remembered per token --------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "ban"), [("120", 120.0), ("-5", RETRY_AFTER_DEFAULT), ("abc", RETRY_AFTER_DEFAULT)]
)
def test_after_a_429_no_call_reaches_upstream_until_the_ban_ends(
    simulator, slept, monkeypatch, council_a, habilitation_a, family, retry_after, ban
):
    now = [10_000.0]
    monkeypatch.setattr(gateway, "clock", lambda: now[0])
    simulator.configure(fail="429", retry_after=retry_after)
    consent = give_consent(family, council_a)
    results = [fetch(council_a, family, consent) for _ in range(10)]
    reached = len(simulator.journal())
    print(f"429 Retry-After {retry_after!r}: 10 prefills tried, {reached} reached upstream")
    assert reached == 1
    assert all(r.kind == "busy" and r.manual_route for r in results)
    assert slept == []  # the family got the manual route at once: nobody waited for the ban
    assert ApiCallLog.objects.filter(code="retry_after").count() == 9

    simulator.configure(fail=None)
    now[0] += ban - 1
    assert fetch(council_a, family, consent).kind == "busy" and len(simulator.journal()) == 1
    now[0] += 2
    assert fetch(council_a, family, consent).ok and len(simulator.journal()) == 2


def test_the_ban_is_shared_through_the_cache_and_is_per_token(simulator, council_a, habilitation_a, council_b, family):
    from .conftest import make_habilitation

    habilitation_b = make_habilitation(council_b, token="demo-qf-seul")
    ban_until = email.utils.formatdate(time.time() + 300, usegmt=True)
    simulator.configure(fail="429", retry_after=ban_until, fail_count=1)
    with gateway.client_for(habilitation_a) as first, pytest.raises(ApiError, match="code 00429"):
        first.introspect()
    # Another process builds its own client: the ban comes from the shared cache, not from memory.
    with gateway.client_for(habilitation_a) as second, pytest.raises(ApiError, match="code retry_after"):
        second.introspect()
    with gateway.client_for(habilitation_b) as other_token:
        assert other_token.introspect().http_status == 200
    assert len(simulator.journal()) == 2


def test_retry_after_is_validated_and_clamped():
    now = 1_000_000.0
    assert retry_after_delay("120", now=now) == 120.0
    assert retry_after_delay(email.utils.formatdate(now + 90, usegmt=True), now=now) == pytest.approx(90.0)
    assert retry_after_delay("0", now=now) == 1.0  # never hammer upstream
    assert retry_after_delay(email.utils.formatdate(now - 60, usegmt=True), now=now) == 1.0
    for invalid in ("-5", "nan", "inf", "soon", "", None):
        assert retry_after_delay(invalid, now=now) == RETRY_AFTER_DEFAULT
    assert retry_after_delay("99999999999", now=now) == RETRY_AFTER_MAX  # an absurd ban is cut to a day
