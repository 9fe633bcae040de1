"""The yearly QF check in a real browser (issue 18, "Done when"): an agent runs it on the demo (households in
every class, the simulator answering), reads the report, applies two changes, and the prices of those
households change with the history saying why. The report is audited at 1280 and 390 px."""

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from forms.models import Dossier, Household, QFCheckCampaign
from tests.e2e.test_foundation_journeys import staff_login


def alsh_price(dossier: Dossier) -> Decimal:
    return next(Decimal(q["amount"]) for q in dossier.prices["quotes"] if q["service"]["key"] == "alsh-journee")


def test_an_agent_runs_the_yearly_qf_check_and_applies_two_changes(portal, journey):
    page = journey.page
    before = {name: alsh_price(Dossier.objects.get(family__username=f"foyer.{name}@example.fr")) for name in
              ("mercier", "garnier")}  # fmt: skip
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    page.goto(f"{portal.valmont}/admin/verification-qf/")
    expect(page.get_by_role("heading", name="Vérification annuelle des QF").first).to_be_visible()
    journey.audit("qf check start")
    # A month in the future is refused with a clear message, linked from the error summary.
    page.get_by_label("Mois de référence").fill("2999-01")
    page.get_by_role("button", name="Lancer la vérification").click()
    expect(page.get_by_role("link", name=re.compile("Le mois ne peut pas être dans le futur"))).to_be_visible()
    journey.audit("future month refused")
    assert not QFCheckCampaign.objects.exists()
    page.get_by_label("Mois de référence").fill(timezone.localdate().strftime("%Y-%m"))
    page.get_by_role("button", name="Lancer la vérification").click()
    expect(page.get_by_text(re.compile(r"(\d+) foyers vérifiés sur \1"))).to_be_visible()
    campaign = QFCheckCampaign.objects.get()
    assert campaign.status == "done"
    # Every class has its households (the demo's), and the commune's question is answered.
    chart = page.locator("table.qf-check-chart")
    for label in ("Inchangé", "Changé", "Inconnu de la CAF", "À la MSA", "Identité plus reconnue",
                  "Sans consentement (ou retiré)", "Jamais interrogé (voie manuelle)",
                  "Déclaré par la famille sans justificatif"):  # fmt: skip
        count = int(chart.get_by_role("row", name=re.compile(f"^{re.escape(label)}")).locator("td").first.inner_text())
        assert count >= 1, label
    expect(
        page.get_by_text(re.compile(r"Sur les 6 foyers pour lesquels la CAF ou la MSA a répondu, 5 \(83 %\)"))
    ).to_be_visible()
    journey.audit("qf check report")
    # Two changes applied together.
    page.get_by_role("checkbox", name="Alex Mercier").check()
    page.get_by_role("checkbox", name="Alex Garnier").check()
    journey.step("two changes selected")
    page.get_by_role("button", name="Appliquer les QF cochés").click()
    expect(page.get_by_text("2 nouveau(x) QF appliqué(s) : les tarifs suivent.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Alex Mercier")).get_by_text("Appliqué")).to_be_visible()
    journey.audit("two changes applied")
    assert Household.objects.get(accounts__user__username="foyer.mercier@example.fr").qf == 620
    assert Household.objects.get(accounts__user__username="foyer.garnier@example.fr").qf == 1350
    for name in ("mercier", "garnier"):
        dossier = Dossier.objects.get(family__username=f"foyer.{name}@example.fr")
        assert alsh_price(dossier) > before[name], name
    # The dossier's page: the new prices, and why (the campaign), in the prices and the household's history.
    dossier = Dossier.objects.get(family__username="foyer.garnier@example.fr")
    page.goto(f"{portal.valmont}/admin/dossiers/{dossier.pk}/")
    why = f"Vérification annuelle des QF de {campaign.month:%m/%Y} (campagne n° {campaign.pk})"
    expect(page.locator(".prices-reason")).to_contain_text(why)
    expect(page.get_by_text(re.compile("QF mis à jour par la vérification annuelle")).first).to_be_visible()
    journey.audit("dossier repriced")
    # The report on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{portal.valmont}/admin/verification-qf/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Bilan")).to_be_visible()
    journey.audit("qf check report at 390 px")
