"""The public surface the forms app uses: offer, consent, qf_fetch (real HTTP to the simulator), audit log."""

import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone

from connectors.models import ApiCallLog, Consent, ConsentedIdentity, Habilitation, HabilitationState
from connectors.selectors import habilitation_for, prefill_offer
from connectors.services import ConsentRequired, call_logs_purge, consent_record, qf_fetch, qf_fetch_france_connect

from .conftest import QF_ALL, give_consent, identity_of, lambert, make_habilitation

pytestmark = pytest.mark.django_db


# Authorisation checks ------------------------------------------------------------------------------


def test_an_active_habilitation_granting_the_scopes_is_found(council_a, habilitation_a):
    assert habilitation_for(council=council_a, scopes=["cnaf_quotient_familial"]) == habilitation_a


@pytest.mark.parametrize(
    "changes",
    [
        {"state": HabilitationState.REVOKED},
        {"state": HabilitationState.OBSOLETE},
        {"valid_until": date.today() - timedelta(days=1), "valid_from": date.today() - timedelta(days=400)},
        {"valid_from": date.today() + timedelta(days=1), "valid_until": None},
        {"scopes": ["cnaf_enfants"]},
        {"token": ""},
    ],
)
def test_no_offer_without_an_active_unexpired_habilitation_granting_the_scopes(council_a, changes):
    make_habilitation(council_a, **changes)
    assert prefill_offer(council=council_a, scopes=["cnaf_quotient_familial"]) is None


def test_another_councils_habilitation_does_not_count(council_a, council_b):
    make_habilitation(council_b)
    assert prefill_offer(council=council_a, scopes=["cnaf_quotient_familial"]) is None


def test_the_offer_tells_the_family_what_who_why_how_long_and_its_rights(council_a, habilitation_a):
    offer = prefill_offer(council=council_a, scopes=["cnaf_enfants", "cnaf_quotient_familial"])
    assert offer.scopes == ("cnaf_quotient_familial", "cnaf_enfants")
    text = offer.text
    assert "Ville de Valmont" in text
    assert "CAF" in text and "MSA" in text
    assert "Calculer les tarifs de la cantine" in text
    assert "12" in text and "L114-8" in text
    assert council_a.dpo_email in text
    assert "quotient familial" in text.lower()
    assert offer.text_version and offer.checkbox_label


def test_consent_is_recorded_with_its_text_and_version(council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    assert Consent.objects.get() == consent
    assert consent.user == family and consent.council == council_a and consent.habilitation == habilitation_a
    assert consent.scopes == QF_ALL and consent.text.startswith("Avec votre accord")


def test_consent_to_a_stale_notice_is_refused(council_a, habilitation_a, family):
    with pytest.raises(ConsentRequired):
        consent_record(user=family, council=council_a, scopes=QF_ALL, text_version="0-old")


# qf_fetch ------------------------------------------------------------------------------------------


def test_no_call_without_consent(simulator, council_a, habilitation_a, family):
    with pytest.raises(ConsentRequired):
        qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=None)
    assert simulator.journal() == []


def test_another_familys_consent_does_not_cover_the_call(simulator, council_a, habilitation_a, family, other_family):
    consent = give_consent(other_family, council_a)
    with pytest.raises(ConsentRequired):
        qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert simulator.journal() == []


def test_a_consent_for_fewer_scopes_does_not_cover_more(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a, ["cnaf_quotient_familial"])
    with pytest.raises(ConsentRequired):
        qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)


def test_a_withdrawn_consent_does_not_cover_the_call(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    consent.withdrawn_at = timezone.now()
    consent.save()
    with pytest.raises(ConsentRequired):
        qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)


def test_success_prefills_values_with_provenance_and_logs_the_call(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert result.ok and result.kind is None and not result.manual_route
    values = result.values
    assert values["qf.valeur"] == 620 and values["qf.fournisseur"] == "CNAF"
    today = date.today()
    assert (values["qf.annee"], values["qf.mois"]) == (today.year, today.month)
    assert [child["prenoms"] for child in values["enfants"]] == ["LOU", "NOE PAUL"]
    assert values["adresse"]["code_postal_ville"] == "21990 VALMONT"
    provenance = result.provenance["qf.valeur"]
    assert provenance["source"] == "API Particulier" and provenance["provider"] == "CNAF"
    assert provenance["period"] == f"{today.year:04d}-{today.month:02d}"
    assert provenance["request_id"] == result.request_id and provenance["fetched_at"]
    log = ApiCallLog.objects.get()
    assert (log.council, log.habilitation, log.user, log.outcome, log.http_status) == (
        council_a, habilitation_a, family, "ok", 200,
    )  # fmt: skip
    assert log.route == "/v3/dss/quotient_familial/identite" and log.scopes == sorted(QF_ALL)
    assert log.request_id == result.request_id and log.latency_ms is not None
    assert log.purge_after > timezone.now() + timedelta(days=300)


def test_only_the_requested_blocks_are_returned_even_when_upstream_sends_more(
    simulator, council_a, habilitation_a, family
):
    simulator.configure(mask=False)  # as staging: every block comes back
    scopes = ["cnaf_quotient_familial"]
    consent = give_consent(family, council_a, scopes)
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=scopes, consent=consent)
    assert set(result.values) == {"qf.valeur", "qf.fournisseur", "qf.annee", "qf.mois"}


def test_msa_family_gets_msa_provenance(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch(
        council=council_a, user=family, identity=identity_of("msa-parent-3-enfants"), scopes=QF_ALL, consent=consent
    )
    assert result.values["qf.fournisseur"] == "MSA" and result.values["qf.valeur"] == 410
    assert len(result.values["enfants"]) == 3 and result.provenance["enfants"]["provider"] == "MSA"


def test_qf_zero_is_unknown_and_offers_the_manual_route(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch(
        council=council_a, user=family, identity=identity_of("cnaf-qf-inconnu"), scopes=QF_ALL, consent=consent
    )
    assert result.ok and result.kind == "qf_unknown" and result.manual_route
    assert "qf.valeur" not in result.values and len(result.values["enfants"]) == 1
    assert "attestation" in result.family_message
    assert ApiCallLog.objects.get().outcome == "qf_unknown"


@pytest.mark.parametrize(
    ("family_key", "kind", "code", "words"),
    [
        ("sans-dossier-cnaf", "no_file", "23003", "allocataire"),
        ("sans-dossier-msa", "no_file", "10003", "allocataire"),
        ("identite-non-reconnue", "identity_mismatch", "00355", "lieu de naissance"),
    ],
)
def test_failures_explain_and_offer_the_manual_route(
    simulator, council_a, habilitation_a, family, family_key, kind, code, words
):
    consent = give_consent(family, council_a)
    result = qf_fetch(council=council_a, user=family, identity=identity_of(family_key), scopes=QF_ALL, consent=consent)
    assert not result.ok and result.kind == kind and result.code == code and result.manual_route
    assert words in result.family_message and "avis d'imposition" in result.family_message
    log = ApiCallLog.objects.get()
    assert (log.outcome, log.code, log.http_status) == (kind, code, 404 if kind == "no_file" else 422)


def test_an_unknown_family_gets_the_no_file_explanation(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch(
        council=council_a, user=family, identity=lambert(birth_name="Inconnu"), scopes=QF_ALL, consent=consent
    )
    assert (result.kind, result.code) == ("no_file", "35003")


def test_an_expired_token_alerts_staff_and_gives_the_family_the_manual_route(simulator, council_a, family, caplog):
    make_habilitation(council_a, token="demo-expire")
    consent = give_consent(family, council_a)
    with caplog.at_level(logging.ERROR, logger="connectors"):
        result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert result.kind == "unauthorised" and result.code == "00103"
    assert any(record.levelno == logging.ERROR and "00103" in record.getMessage() for record in caplog.records)
    assert "démo" not in result.family_message.lower()


@pytest.mark.parametrize(
    ("mode", "kind"), [("503", "unavailable"), ("malformed", "unavailable"), ("timeout", "unavailable")]
)
def test_outages_are_unavailable(simulator, settings, council_a, habilitation_a, family, mode, kind):
    settings.API_PARTICULIER_TIMEOUT = 0.3
    simulator.configure(fail=mode, timeout_s=1.0)
    consent = give_consent(family, council_a)
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert not result.ok and result.kind == kind
    assert "brouillon" in result.family_message


def test_busy_upstream_is_retried_after_retry_after_then_succeeds(simulator, slept, council_a, habilitation_a, family):
    simulator.configure(fail="429", fail_count=1)
    consent = give_consent(family, council_a)
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert result.ok
    assert slept == [1.0]
    assert [entry["status"] for entry in simulator.journal()] == [429, 200]


def test_busy_upstream_gives_up_after_bounded_retries(simulator, slept, council_a, habilitation_a, family):
    simulator.configure(fail="409")
    consent = give_consent(family, council_a)
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)
    assert result.kind == "busy" and result.code == "00015"
    assert len(simulator.journal()) == 3 and len(slept) == 2


def test_without_habilitation_the_call_is_refused_and_logged(simulator, council_a, family):
    result = qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=None)
    assert result.kind == "not_allowed" and result.manual_route
    assert simulator.journal() == []
    assert ApiCallLog.objects.get().outcome == "not_allowed"


def test_france_connect_variant(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch_france_connect(
        council=council_a, user=family, france_connect_token="fc-demo-fontaine", scopes=QF_ALL, consent=consent
    )
    assert result.values["qf.valeur"] == 410
    assert ApiCallLog.objects.get().route == "/v3/dss/quotient_familial/france_connect"


# Secrets and personal data ---------------------------------------------------------------------------


def test_identity_never_lands_in_logs_audit_or_database_in_clear(simulator, council_a, habilitation_a, family, caplog):
    caplog.set_level(logging.DEBUG)
    consent = give_consent(family, council_a)
    identity = lambert(first_names=("Camille", "Anne"))
    qf_fetch(council=council_a, user=family, identity=identity, scopes=QF_ALL, consent=consent)
    qf_fetch(
        council=council_a, user=family, identity=identity_of("identite-non-reconnue"), scopes=QF_ALL, consent=consent
    )
    texts = [caplog.text]
    texts += [str(row) for row in ApiCallLog.objects.values()]
    texts += [str(row) for row in ConsentedIdentity.objects.values()]
    for text in texts:
        for secret in ("Lambert", "LAMBERT", "Camille", "21231", "1986", "ROBIN", "demo-qf-complet"):
            assert secret not in text
    stored = ConsentedIdentity.objects.get()
    assert stored.identity.birth_name == "Lambert" and stored.last_qf_value == 620


def test_the_token_is_stored_encrypted(council_a, habilitation_a):
    assert "demo-qf-complet" not in habilitation_a.token_encrypted
    assert habilitation_a.get_token() == "demo-qf-complet"
    assert "demo-qf-complet" not in repr(habilitation_a) and "demo-qf-complet" not in str(habilitation_a)


def test_the_token_may_come_from_the_environment(council_a, monkeypatch):
    monkeypatch.setenv("API_PARTICULIER_TOKEN_VALMONT", "demo-qf-seul")
    habilitation = make_habilitation(council_a, token="", token_env_var="API_PARTICULIER_TOKEN_VALMONT")
    assert habilitation.get_token() == "demo-qf-seul" and habilitation.token_encrypted == ""


def test_a_variable_without_the_token_prefix_is_never_read(council_a, monkeypatch):
    # A row saved before the rule (or by a script, bypassing the form) must not leak another secret.
    monkeypatch.setenv("DJANGO_SECRET_KEY", "the-secret-key")
    habilitation = make_habilitation(council_a, token="")
    Habilitation.objects.filter(pk=habilitation.pk).update(token_env_var="DJANGO_SECRET_KEY")
    habilitation.refresh_from_db()
    assert habilitation.get_token() == ""


# Rate limit and purge --------------------------------------------------------------------------------


def test_the_rate_limit_is_shared_through_the_cache(settings, monkeypatch):
    from connectors import gateway

    settings.API_PARTICULIER_RATE_LIMIT = 2
    monkeypatch.setattr(gateway, "clock", lambda: 5000.5)
    first, second = gateway.rate_limiter(), gateway.rate_limiter()  # as two processes would build them
    assert first.acquire("token-a") == 0 and second.acquire("token-a") == 0
    assert second.acquire("token-a") == pytest.approx(0.5)
    assert first.acquire("token-b") == 0  # per token


def test_the_client_waits_for_the_shared_limit_then_gives_up_beyond_its_budget(
    simulator, settings, monkeypatch, council_a, habilitation_a, family
):
    from connectors import gateway

    now = [7000.2]
    waits: list[float] = []

    def fake_sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(gateway, "clock", lambda: now[0])
    monkeypatch.setattr(gateway, "sleep", fake_sleep)
    settings.API_PARTICULIER_RATE_LIMIT = 1
    consent = give_consent(family, council_a)

    def fetch():
        return qf_fetch(council=council_a, user=family, identity=lambert(), scopes=QF_ALL, consent=consent)

    assert fetch().ok and fetch().ok
    assert waits == [pytest.approx(0.8)]
    settings.API_PARTICULIER_MAX_WAIT = 0.0
    result = fetch()
    assert result.kind == "busy"
    assert len(simulator.journal()) == 2  # the third call never left the portal
    assert ApiCallLog.objects.filter(outcome="busy", code="local_rate_limit").count() == 1


def test_purge_deletes_logs_past_retention(council_a, habilitation_a):
    now = timezone.now()
    ApiCallLog.objects.create(council=council_a, route="/x", outcome="ok", purge_after=now - timedelta(days=1))
    kept = ApiCallLog.objects.create(council=council_a, route="/x", outcome="ok", purge_after=now + timedelta(days=1))
    assert call_logs_purge() == 1
    assert list(ApiCallLog.objects.all()) == [kept]
