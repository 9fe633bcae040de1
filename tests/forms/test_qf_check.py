"""The yearly QF check (campagne de vérification): each class against the simulator over HTTP, a campaign that
stops and resumes without asking twice, its pace, a withdrawn consent, applying a QF (household, history,
prices), councils kept apart, and the exports."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from connectors.models import ApiCallLog, ConsentedIdentity, add_months
from connectors.services import consent_withdraw
from forms.backoffice import qf_check
from forms.backoffice.qf_check_models import QFCheckClass as C
from forms.family.household import Household, HouseholdAccount, HouseholdEventKind, HouseholdGuardian
from forms.family.pricing import dossier_prices_compute
from forms.models import DossierEvent, EventKind, QFCheckCampaign
from tests.conftest import make_editor_group, make_family, make_staff, otp_client
from tests.connectors.conftest import (  # noqa: F401 (fixtures)
    give_consent,
    identity_of,
    make_habilitation,
    simulator,
    simulator_server,
)

from .conftest import famille_form, make_agent, make_decree, make_dossier

pytestmark = pytest.mark.django_db

LAMBERT = "cnaf-couple-2-enfants"  # CNAF, QF 620


@pytest.fixture(autouse=True)
def waits(monkeypatch) -> list[float]:
    """The campaign's pace, on a clock that moves only when it waits (never really slept)."""
    now = [1000.0]
    recorded: list[float] = []

    def fake_sleep(seconds: float) -> None:
        recorded.append(round(seconds, 6))
        now[0] += seconds

    monkeypatch.setattr(qf_check, "sleep", fake_sleep)
    monkeypatch.setattr(qf_check, "clock", lambda: now[0])
    return recorded


def household_of(council, name, *, qf=None, provider="", key=None, withdrawn=False):
    """A family account and its household; with ``key``, the consent and identity of a simulator family."""
    user = make_family(f"{name.lower()}@example.fr")
    household = Household.objects.create(
        council=council, qf=qf, qf_provider=provider, qf_month=timezone.localdate().replace(day=1) if qf else None
    )
    HouseholdAccount.objects.create(household=household, user=user, council=council)
    HouseholdGuardian.objects.create(household=household, last_name=name, first_name="Alex")
    if key is not None:
        consent = give_consent(user, council, ["cnaf_quotient_familial"])
        record = ConsentedIdentity(
            user=user,
            council=council,
            habilitation=consent.habilitation,
            consent=consent,
            scopes=consent.scopes,
            purge_after=add_months(timezone.now(), 12),
        )
        record.identity = identity_of(key)
        record.save()
        if withdrawn:
            consent_withdraw(consent=consent, user=user)
    return household


def every_class(council) -> dict[str, Household]:
    return {
        C.UNCHANGED: household_of(council, "Lambert", qf=620, provider="cnaf", key=LAMBERT),
        C.CHANGED: household_of(council, "Mercier", qf=350, provider="cnaf", key=LAMBERT),
        C.MSA: household_of(council, "Fontaine", qf=380, provider="cnaf", key="msa-parent-3-enfants"),
        C.NOT_FOUND: household_of(council, "Petit", qf=500, provider="cnaf", key="sans-dossier-cnaf"),
        C.IDENTITY_MISMATCH: household_of(council, "Robin", qf=450, provider="cnaf", key="identite-non-reconnue"),
        C.NO_CONSENT: household_of(council, "Roux", qf=700, provider="cnaf", key=LAMBERT, withdrawn=True),
        C.NEVER_FETCHED: household_of(council, "Blanc", qf=900, provider="tax_notice"),
        C.DECLARED: household_of(council, "Noir", qf=300),
    }


class NotEnqueued:
    """Stands for the task: the test runs the campaign itself, in pieces."""

    def enqueue(self, *args):
        return None


def test_each_household_gets_its_class_from_the_simulator(simulator, council_a):  # noqa: F811
    make_habilitation(council_a)
    households = every_class(council_a)
    agent = make_agent(council_a, "agent.a")
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=agent)
    assert campaign.status == "done" and campaign.checked == campaign.total == 8
    got = {item.household_id: item for item in campaign.items.all()}
    assert {outcome: got[h.pk].outcome for outcome, h in households.items()} == {o: o for o in households}
    changed = got[households[C.CHANGED].pk]
    assert (changed.old_qf, changed.new_qf, changed.new_provider) == (350, 620, "cnaf") and changed.request_id
    msa = got[households[C.MSA].pk]
    assert (msa.old_provider, msa.new_qf, msa.new_provider, msa.actionable) == ("cnaf", 410, "msa", True)
    # Only the five households whose consent holds were asked, each once; the withdrawn one was not.
    assert ApiCallLog.objects.filter(purpose="qf_check").count() == 5
    assert len([row for row in simulator.journal() if "quotient_familial" in row["path"]]) == 5
    report = qf_check.qf_check_report(campaign=campaign)
    assert (report["answered"], report["wrong"], report["wrong_percent"], report["not_asked"]) == (5, 4, 80, 3)


def test_a_campaign_stopped_midway_resumes_without_asking_twice(simulator, council_a, monkeypatch, waits):  # noqa: F811
    make_habilitation(council_a)
    households = [household_of(council_a, f"Famille{n}", qf=600, provider="cnaf", key=LAMBERT) for n in range(5)]
    monkeypatch.setattr(qf_check, "qf_check_task", NotEnqueued())
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=None)
    assert campaign.status == "pending" and campaign.total == 5
    campaign = qf_check.qf_check_run(campaign=campaign, max_households=2)
    assert (campaign.status, campaign.checked) == ("running", 2)
    # A worker died just after claiming the third household, before its answer was kept.
    third = campaign.items.get(household=households[2])
    campaign.items.filter(pk=third.pk).update(fetch_started_at=timezone.now())
    campaign = qf_check.qf_check_run(campaign=campaign)
    assert (campaign.status, campaign.checked) == ("done", 5)
    outcomes = {item.household_id: item.outcome for item in campaign.items.all()}
    assert outcomes[households[2].pk] == C.ERROR  # asked once already: never again
    assert [outcomes[h.pk] for h in households[:2] + households[3:]] == [C.CHANGED] * 4
    assert ApiCallLog.objects.filter(purpose="qf_check").count() == 4
    # Within the rate limit: 15 households per second (settings.QF_CHECK_RATE), waits recorded, never slept.
    assert waits and all(wait == pytest.approx(1 / 15, abs=1e-5) for wait in waits)


def test_the_pace_follows_the_setting(simulator, council_a, settings, waits):  # noqa: F811
    make_habilitation(council_a)
    settings.QF_CHECK_RATE = 2
    for number in range(3):
        household_of(council_a, f"Famille{number}", qf=620, provider="cnaf", key=LAMBERT)
    Household.objects.create(council=council_a, qf=300)  # a paper dossier's household: no account, no call
    qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=None)
    assert waits == [0.5, 0.5]


def priced_household(council, *, qf):
    """A family whose validated dossier famille is priced on its household's QF (CAF)."""
    make_decree(council)
    page = famille_form(council)
    user = make_family("garnier@example.fr")
    dossier = make_dossier(
        page, user, {"nom": "Garnier", "quotient_familial": qf, "services": ["Accueil de loisirs, journée"]},
        status="validated", qf=qf, qf_source="cnaf",
    )  # fmt: skip
    dossier.prices = dossier_prices_compute(dossier=dossier, resident=True)
    dossier.save()
    household = Household.objects.get(accounts__user=user)
    Household.objects.filter(pk=household.pk).update(qf=qf, qf_provider="cnaf")
    consent = give_consent(user, council, ["cnaf_quotient_familial"])
    record = ConsentedIdentity(
        user=user, council=council, habilitation=consent.habilitation, consent=consent, scopes=consent.scopes,
        purge_after=add_months(timezone.now(), 12),
    )  # fmt: skip
    record.identity = identity_of(LAMBERT)
    record.save()
    return household, dossier


def alsh_price(dossier) -> Decimal:
    return next(Decimal(q["amount"]) for q in dossier.prices["quotes"] if q["service"]["key"] == "alsh-journee")


def test_applying_a_new_qf_updates_the_household_its_history_and_its_prices(simulator, council_a):  # noqa: F811
    make_habilitation(council_a)
    household, dossier = priced_household(council_a, qf=350)
    assert alsh_price(dossier) == Decimal("2.00")  # tranche 0-400
    agent = make_agent(council_a, "agent.a")
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=agent)
    item = campaign.items.get(household=household)
    assert item.outcome == C.CHANGED
    client = otp_client(agent)
    response = client.post(f"/admin/verification-qf/{campaign.pk}/decider/", {"action": f"apply:{item.pk}"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.qf, household.qf_provider, household.qf_verified) == (620, "cnaf", True)
    assert household.qf_provenance["campaign"] == campaign.pk and household.qf_provenance["request_id"]
    event = household.events.get(kind=HouseholdEventKind.QF_CHECKED)
    assert event.actor == agent and f"n° {campaign.pk}" in event.comment
    assert "350" in event.changes["qf"]["before"] and "620" in event.changes["qf"]["after"]
    dossier.refresh_from_db()
    assert alsh_price(dossier) == Decimal("2.50")  # tranche 401-700
    assert dossier.qf == 620 and dossier.prices["from_month"] and dossier.prices["reason"]
    pricing = DossierEvent.objects.get(dossier=dossier, kind=EventKind.PRICING)
    assert pricing.details["qf_check"] == campaign.pk and pricing.comment == dossier.prices["reason"]
    # Decided once: applying again changes nothing; the dossier's page says why the price changed.
    client.post(f"/admin/verification-qf/{campaign.pk}/decider/", {"action": f"apply:{item.pk}"})
    assert household.events.filter(kind=HouseholdEventKind.QF_CHECKED).count() == 1
    page = client.get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    assert "620" in page


def test_an_agent_starts_the_check_reads_the_report_and_decides_in_bulk(simulator, council_a):  # noqa: F811
    make_habilitation(council_a)
    households = every_class(council_a)
    other = household_of(council_a, "Durand", qf=380, provider="cnaf", key=LAMBERT)
    agent = make_agent(council_a, "agent.a")
    client = otp_client(agent)
    assert "/admin/verification-qf/" in client.get("/admin/").content.decode()  # in the menu
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    page = client.post("/admin/verification-qf/", {"council": council_a.pk, "month": future}).content.decode()
    assert "Le mois ne peut pas être dans le futur." in page and 'href="#id_month"' in page
    assert not QFCheckCampaign.objects.exists()
    response = client.post(
        "/admin/verification-qf/", {"council": council_a.pk, "month": timezone.localdate().strftime("%Y-%m")}
    )
    campaign = QFCheckCampaign.objects.get()
    assert response.url == f"/admin/verification-qf/{campaign.pk}/"
    page = client.get(response.url).content.decode()
    assert "9 foyers vérifiés sur 9" in page and "http-equiv" not in page  # done: no more reloading
    assert "Sur les 6 foyers" in page and "5 (83 %)" in page
    ids = [campaign.items.get(household=h).pk for h in (households[C.CHANGED], other)]
    client.post(f"/admin/verification-qf/{campaign.pk}/decider/", {"action": "apply", "items": ids})
    assert {Household.objects.get(pk=h.pk).qf for h in (households[C.CHANGED], other)} == {620}
    ignored = campaign.items.get(household=households[C.MSA])
    client.post(f"/admin/verification-qf/{campaign.pk}/decider/", {"action": f"ignore:{ignored.pk}"})
    ignored.refresh_from_db()
    assert ignored.decision == "ignored" and Household.objects.get(pk=households[C.MSA].pk).qf == 380


def test_staff_of_another_council_or_without_the_agent_role_cannot_see_or_start_it(simulator, council_a, council_b):  # noqa: F811
    make_habilitation(council_a)
    household_of(council_a, "Lambert", qf=600, provider="cnaf", key=LAMBERT)
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=None)
    item = campaign.items.get()
    agent_b = otp_client(make_agent(council_b, "agent.b"))
    for url in (f"/admin/verification-qf/{campaign.pk}/", f"/admin/verification-qf/{campaign.pk}/export.csv"):
        assert agent_b.get(url).status_code == 404
    assert (
        agent_b.post(f"/admin/verification-qf/{campaign.pk}/decider/", {"action": f"apply:{item.pk}"}).status_code
        == 404
    )
    page = agent_b.post("/admin/verification-qf/", {"council": council_a.pk, "month": "2026-01"})
    assert page.status_code == 200 and QFCheckCampaign.objects.count() == 1  # not a choice: refused
    assert council_a.official_name not in agent_b.get("/admin/verification-qf/").content.decode()
    item.refresh_from_db()
    assert item.decision == ""
    editor = otp_client(make_staff("editor.a", groups=[make_editor_group(council_a)]))
    assert editor.get("/admin/verification-qf/").status_code == 302  # Wagtail's "no permission": to the dashboard
    assert "/admin/verification-qf/" not in editor.get("/admin/").content.decode()
    billing = otp_client(make_agent(council_a, "billing.a", role="billing"))
    assert billing.get(f"/admin/verification-qf/{campaign.pk}/").status_code == 404
    assert otp_client(make_agent(council_a, "agent.a")).get(f"/admin/verification-qf/{campaign.pk}/").status_code == 200


def test_the_report_exports_as_csv_and_xlsx(simulator, council_a):  # noqa: F811
    make_habilitation(council_a)
    every_class(council_a)
    agent = make_agent(council_a, "agent.a")
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=agent)
    client = otp_client(agent)
    response = client.get(f"/admin/verification-qf/{campaign.pk}/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Foyer", "Famille", "Classe", "QF connu"] and len(rows) == 9
    mercier = next(row for row in rows if "Mercier" in row[1])
    assert mercier[2] == "Changé" and mercier[3] == "350" and mercier[6] == "620" and mercier[7] == "CAF"
    response = client.get(f"/admin/verification-qf/{campaign.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert len(values) == 9 and any(row[1] == "Alex Fontaine" and row[2] == "À la MSA" for row in values)


def test_operators_start_and_resume_the_check_with_a_command(simulator, council_a):  # noqa: F811
    make_habilitation(council_a)
    household_of(council_a, "Lambert", qf=620, provider="cnaf", key=LAMBERT)
    household_of(council_a, "Noir", qf=300)
    output = io.StringIO()
    call_command("qf_check", "--council", council_a.slug, stdout=output)
    result = json.loads(output.getvalue())
    assert (result["status"], result["checked"], result["unchanged"], result["declared"]) == ("done", 2, 1, 1)
    output = io.StringIO()
    call_command("qf_check", "--resume", str(result["campaign"]), stdout=output)
    assert json.loads(output.getvalue())["checked"] == 2
    assert ApiCallLog.objects.filter(purpose="qf_check").count() == 1  # resuming a finished check asks nothing
    with pytest.raises(CommandError):
        call_command("qf_check", "--council", council_a.slug, "--month", "février")


def test_a_running_check_shows_its_progress_and_resumes_from_its_page(council_a, monkeypatch):
    Household.objects.create(council=council_a, qf=300)  # no account: classified without a call
    monkeypatch.setattr(qf_check, "qf_check_task", NotEnqueued())  # the worker has not taken it yet
    agent = make_agent(council_a, "agent.a")
    campaign = qf_check.qf_check_start(council=council_a, month=timezone.localdate().replace(day=1), by=agent)
    monkeypatch.undo()
    client = otp_client(agent)
    page = client.get(f"/admin/verification-qf/{campaign.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page  # reloads by itself, no script needed
    assert "0 foyer vérifié sur 1" in page and 'value="0"' in page and "Reprendre la vérification" in page
    client.post(f"/admin/verification-qf/{campaign.pk}/reprendre/")
    page = client.get(f"/admin/verification-qf/{campaign.pk}/").content.decode()
    assert "1 foyer vérifié sur 1" in page and "http-equiv" not in page
    campaign.refresh_from_db()
    assert campaign.status == "done" and campaign.items.get().outcome == "declared"
