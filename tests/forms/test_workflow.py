"""The dossier workflow: allowed transitions, history, corrections, notes, validation and prices."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from forms.backoffice import workflow
from forms.backoffice.workflow import TransitionRefused
from forms.family import pricing
from forms.models import CorrectionItem, DossierEvent, DossierStatus, NotificationLog

from .conftest import famille_form, family_client, field, make_agent, make_decree, make_dossier, make_form, step

S = DossierStatus
GENERIC_ALLOWED = {
    (S.SUBMITTED, S.UNDER_REVIEW),
    (S.SUBMITTED, S.CLOSED),
    (S.UNDER_REVIEW, S.REFUSED),
    (S.UNDER_REVIEW, S.CLOSED),
    (S.CORRECTION_REQUESTED, S.UNDER_REVIEW),
    (S.CORRECTION_REQUESTED, S.CLOSED),
    (S.VALIDATED, S.CLOSED),
}


@pytest.fixture(autouse=True)
def _commit_callbacks_run_at_once(monkeypatch):
    """Each test runs in a transaction that never commits: run the "after commit" work (emails) at once."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def simple_page(council_a):
    return make_form(council_a, step("Un", field("short_text", "nom", "Nom")), slug="simple")


@pytest.mark.parametrize("source", list(S))
def test_transition_matrix(simple_page, family, source):
    agent = make_agent(simple_page.get_parent().get_parent().specific, "agent.a")
    for target in S:
        dossier = make_dossier(simple_page, family, {"nom": "Martin"}, status=source)
        if (source, target) in GENERIC_ALLOWED:
            event = workflow.dossier_transition(dossier=dossier, to=target, by=agent, comment="Motif")
            dossier.refresh_from_db()
            assert dossier.status == target
            assert (event.from_status, event.to_status, event.actor, event.comment) == (source, target, agent, "Motif")
        else:
            with pytest.raises(TransitionRefused):
                workflow.dossier_transition(dossier=dossier, to=target, by=agent, comment="Motif")
            dossier.refresh_from_db()
            assert dossier.status == source


def test_refusal_needs_a_reason_and_history_is_recorded(simple_page, family, council_a):
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"})
    workflow.dossier_review_start(dossier=dossier, by=agent)
    with pytest.raises(TransitionRefused):
        workflow.dossier_transition(dossier=dossier, to=S.REFUSED, by=agent, comment="  ")
    workflow.dossier_transition(dossier=dossier, to=S.REFUSED, by=agent, comment="Hors délai")
    history = list(dossier.events.values_list("from_status", "to_status", "actor__username", "comment"))
    assert history == [
        ("", S.SUBMITTED, family.username, ""),
        (S.SUBMITTED, S.UNDER_REVIEW, "agent.a", ""),
        (S.UNDER_REVIEW, S.REFUSED, "agent.a", "Hors délai"),
    ]
    assert len(mail.outbox) == 1 and dossier.reference in mail.outbox[0].subject
    assert list(NotificationLog.objects.values_list("event", "status")) == [("refused", "sent")]
    assert "Martin" not in mail.outbox[0].body and "Hors délai" not in mail.outbox[0].body
    assert f"/espace-famille/dossiers/{dossier.uuid}/" in mail.outbox[0].body


def test_notes_and_assignment_are_internal(simple_page, family, council_a, council_b):
    agent, other = make_agent(council_a, "agent.a"), make_agent(council_a, "agent.a2")
    outsider = make_agent(council_b, "agent.b")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"})
    workflow.dossier_note_add(dossier=dossier, by=agent, text="Appeler la famille mardi")
    with pytest.raises(ValidationError):
        workflow.dossier_note_add(dossier=dossier, by=agent, text=" ")
    workflow.dossier_assign(dossier=dossier, to=other, by=agent)
    with pytest.raises(ValidationError):
        workflow.dossier_assign(dossier=dossier, to=outsider, by=agent)
    dossier.refresh_from_db()
    assert dossier.assigned_to == other and dossier.notes.get().text == "Appeler la famille mardi"
    assert not dossier.events.get(kind="assigned").is_public


def test_correction_request_only_names_answers_of_the_dossier(simple_page, family, council_a):
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"}, status=S.UNDER_REVIEW)
    with pytest.raises(TransitionRefused):
        workflow.dossier_request_correction(dossier=dossier, by=agent, items=[])
    with pytest.raises(TransitionRefused):
        workflow.dossier_request_correction(dossier=dossier, by=agent, items=[("inconnu", "missing")])
    correction = workflow.dossier_request_correction(
        dossier=dossier, by=agent, items=[("nom", "incorrect")], message="Nom mal orthographié"
    )
    item = CorrectionItem.objects.get(request=correction)
    assert item.before == {"value": "Martin", "text": "Martin"} and item.label == "Nom"
    dossier.refresh_from_db()
    assert dossier.status == S.CORRECTION_REQUESTED
    assert dossier.reference in mail.outbox[-1].subject
    assert NotificationLog.objects.filter(dossier=dossier, event="correction_requested", status="sent").exists()
    body = mail.outbox[-1].body
    assert "Message du service :\nNom mal orthographié" in body
    assert "À corriger :\n- Nom : incorrect" in body
    assert "Martin" not in body  # the answer itself stays in the family space


def test_health_answers_cannot_be_named_without_health_access(council_a, family):
    page = famille_form(council_a)
    dossier = make_dossier(page, family, {"nom": "M", "enfants": [{"prenom": "Léa", "allergie": True}]})
    paths = [t.path for t in workflow.correction_targets(dossier=dossier, include_health=False)]
    assert "enfants.0.prenom" in paths and "enfants.0.allergie" not in paths
    paths = [t.path for t in workflow.correction_targets(dossier=dossier, include_health=True)]
    assert "enfants.0.allergie" in paths


def test_validation_conditions_block_until_met_or_overridden(council_a, family):
    from tests.forms.test_submit import make_rules

    rules = make_rules(council_a)
    page = famille_form(council_a, rules=rules, priced_services="")
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(page, family, {"nom": "M", "quotient_familial": 650}, status=S.UNDER_REVIEW, qf=650)
    checks = {check.key: check.ok for check in workflow.validation_checks(dossier=dossier)}
    assert checks == {"rules": False, "proof_of_address": False, "qf": False}
    with pytest.raises(TransitionRefused) as refused:
        workflow.dossier_validate(dossier=dossier, by=agent)
    assert {check.key for check in refused.value.missing} == {"rules", "proof_of_address", "qf"}
    dossier.refresh_from_db()
    assert dossier.status == S.UNDER_REVIEW
    # The agent confirms the QF read on the proof and validates despite the rest, which is recorded.
    workflow.dossier_validate(
        dossier=dossier, by=agent, qf=640, qf_month=datetime.date(2026, 1, 1), qf_provider="cnaf", override=True
    )
    dossier.refresh_from_db()
    assert dossier.status == S.VALIDATED and (dossier.qf, dossier.qf_source) == (640, "cnaf")
    override = dossier.events.get(kind="override")
    assert not override.is_public and set(override.details["missing"]) == {"rules", "proof_of_address"}


def test_prices_computed_at_validation_with_qf_source_and_month(council_a, family):
    make_decree(council_a)
    page = famille_form(council_a, services_chosen=True)
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(
        page,
        family,
        {"nom": "M", "quotient_familial": 1000, "services": ["Restauration scolaire"]},
        status=S.UNDER_REVIEW,
        qf=1000,
        qf_source="cnaf",
        qf_month=datetime.date(2026, 1, 1),
    )
    workflow.dossier_validate(dossier=dossier, by=agent, override=True)
    dossier.refresh_from_db()
    prices = dossier.prices
    assert prices["household"] == {
        "qf": 1000,
        "qf_source": "cnaf",
        "qf_month": "2026-01-01",
        "resident": True,
        "proof": True,
        "case": "caf",
        "case_label": "Allocataires CAF",
        "case_reason": "QF obtenu auprès de la CAF (CNAF).",
        "children": 1,
        "residence": "commune de l'adresse absente de la liste officielle",
    }
    assert [q["service"]["key"] for q in prices["quotes"]] == ["cantine"]
    cantine = prices["quotes"][0]
    assert Decimal(cantine["amount"]) == Decimal("3.60")
    assert any("CNAF" in line and "janvier 2026" in line for line in cantine["explanation"])
    assert NotificationLog.objects.filter(dossier=dossier, event="validated", status="sent").exists()


def test_without_qf_the_maximum_tariff_applies_and_is_said(council_a, family):
    make_decree(council_a)
    page = famille_form(council_a)
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(page, family, {"nom": "M"}, status=S.UNDER_REVIEW)
    with pytest.raises(TransitionRefused):
        workflow.dossier_validate(dossier=dossier, by=agent)
    workflow.dossier_validate(dossier=dossier, by=agent, maximum_tariff=True, resident=False, override=True)
    dossier.refresh_from_db()
    assert dossier.prices["maximum_tariff"] is True
    amounts = {q["service"]["key"]: Decimal(q["amount"]) for q in dossier.prices["quotes"]}
    assert amounts == {"cantine": Decimal("5.18"), "alsh-journee": Decimal("16.10")}
    assert any("Sans justificatif" in line for line in dossier.prices["quotes"][0]["explanation"])
    assert set(dossier.events.get(kind="override").details["missing"]) == {"proof_of_address"}


def test_notifications_use_council_template_and_are_retried(simple_page, family, council_a, monkeypatch):
    from forms.models import NotificationTemplate

    NotificationTemplate.objects.create(
        council=council_a, event="refused", subject="Refus {reference}", body="Voir {link} – {council} {inconnu}"
    )
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"}, status=S.UNDER_REVIEW)
    calls = {"n": 0}
    real_send = mail.EmailMessage.send

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", flaky)
    workflow.dossier_transition(dossier=dossier, to=S.REFUSED, by=agent, comment="Motif")
    log = NotificationLog.objects.get(dossier=dossier)
    assert (log.status, log.attempts, log.last_error) == ("sent", 2, "ConnectionError")
    assert mail.outbox[-1].subject == f"Refus {dossier.reference}"
    assert "{inconnu}" in mail.outbox[-1].body and "Ville de Valmont" in mail.outbox[-1].body


def test_notifications_give_up_after_bounded_attempts(simple_page, family, council_a, monkeypatch):
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"}, status=S.UNDER_REVIEW)

    def broken(self, *args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(mail.EmailMessage, "send", broken)
    workflow.dossier_transition(dossier=dossier, to=S.REFUSED, by=agent, comment="Motif")
    log = NotificationLog.objects.get(dossier=dossier)
    assert (log.status, log.attempts) == ("failed", 3)
    assert DossierEvent.objects.filter(dossier=dossier, to_status=S.REFUSED).exists()


def test_family_sees_estimated_prices_before_validation(council_a, family):
    """Sent, not yet validated: prices are estimated from the decree in force. A QF fetched from the CAF
    counts; a QF the family typed does not until an agent checks it (the maximum tariff shows)."""
    make_decree(council_a)
    page = famille_form(council_a)
    typed = make_dossier(page, family, {"nom": "M", "quotient_familial": 1000})
    estimate = pricing.dossier_prices_estimate(dossier=typed)
    assert estimate["estimate"] is True and estimate["maximum_tariff"] is True
    assert Decimal(estimate["quotes"][0]["amount"]) == Decimal("4.50")

    fetched = make_dossier(page, family, {"nom": "M", "quotient_familial": 1000})
    fetched.provenance = {"quotient_familial": {"provider": "CNAF", "period": "2026-01"}}
    estimate = pricing.dossier_prices_estimate(dossier=fetched)
    assert estimate["maximum_tariff"] is False
    assert Decimal(estimate["quotes"][0]["amount"]) == Decimal("3.60")
    assert not fetched.prices  # nothing is saved before validation

    client = family_client(family)
    body = client.get(f"/espace-famille/dossiers/{typed.uuid}/").content.decode()
    assert "tarif maximum" in body


def test_a_council_correction_text_still_carries_what_to_correct(simple_page, family, council_a):
    from forms.models import NotificationTemplate

    NotificationTemplate.objects.create(
        council=council_a, event="correction_requested", subject="Correction {reference}", body="Voir {link}"
    )
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(simple_page, family, {"nom": "Martin"}, status=S.UNDER_REVIEW)
    workflow.dossier_request_correction(dossier=dossier, by=agent, items=[("nom", "missing")], message="Merci")
    body = mail.outbox[-1].body
    assert body.startswith("Voir http://localhost/espace-famille/dossiers/")
    assert body.endswith("Message du service :\nMerci\n\nÀ corriger :\n- Nom : manquant")
