"""The agents' desk, council staff from the admin, and consents, in a real browser (issue 18)."""

import csv
import io
import re

from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from connectors.models import Consent, Habilitation
from connectors.selectors import prefill_offer
from connectors.services import consent_record, qf_fetch
from forms.engine import roles
from forms.family.selectors import staff_councils
from forms.models import Dossier
from home.models import CouncilHomePage
from tests.conftest import make_family
from tests.connectors.conftest import lambert
from tests.e2e.conftest import BOTH_WIDTHS
from tests.e2e.test_family_journeys import PASSWORD, family_log_in
from tests.e2e.test_foundation_journeys import staff_login


def test_agent_finds_a_dossier_by_a_childs_name_filters_and_exports(portal, journey):
    page = journey.page
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    page.get_by_role("link", name="Dossiers").first.click()
    expect(page.get_by_role("heading", name="Dossiers").first).to_be_visible()
    journey.audit("desk")
    # A child's name, typed in Wagtail's search box: the family and the child are in the list.
    search = page.get_by_role("textbox", name="Terme de recherche")
    search.fill("Jules")
    search.press("Enter")
    expect(page.get_by_role("cell", name="Lambert Jules").first).to_be_visible()
    expect(page.get_by_role("cell", name="Lambert Claire").first).to_be_visible()
    journey.audit("found by a child's name")
    # Filters in the drawer: validated dossiers only.
    page.get_by_role("button", name="Afficher les filtres").click()
    page.get_by_role("button", name="Statut").click()
    page.get_by_label("Statut").select_option(label="Validé")
    expect(page).to_have_url(re.compile("status=validated"))
    expect(page.get_by_role("cell", name="Envoyé", exact=True)).to_have_count(0)
    journey.step("filtered")
    page.keyboard.press("Escape")
    rows = page.locator("table.listing tbody tr")
    shown = rows.count()
    assert shown >= 1
    # The export of the filtered list, from the header's download buttons.
    page.get_by_role("button", name="Actions", exact=True).click()
    with page.expect_download() as download:
        page.get_by_text("Télécharger en CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(lines) - 1 == shown and all(line[2] == "Validé" for line in lines[1:])


def test_superuser_adds_a_third_councils_agent_who_sees_only_that_council(portal, browser, journey):
    page = journey.page
    staff_login(journey, portal.valmont, "admin", "demo-admin-2026")
    page.goto(f"{portal.valmont}/admin/collectivites/nouvelle/")
    for name, value in {
        "name": "Commune de Lavaux",
        "hostname": "lavaux.localhost",
        "siret": "21219991300014",
        "insee_code": "21992",
        "address": "Mairie\n21992 Lavaux",
        "email": "mairie@lavaux.example.fr",
        "dpo_email": "dpo@lavaux.example.fr",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("[name=colour]").fill("#205e3b")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/"))
    lavaux = CouncilHomePage.objects.get(slug="commune-de-lavaux")
    page.goto(f"{portal.valmont}/admin/collectivites/")
    journey.audit("councils")
    page.get_by_role("link", name="Commune de Lavaux", exact=True).click()
    expect(page.get_by_text(re.compile("Manquant")).first).to_be_visible()
    journey.audit("checklist of a new council")
    page.get_by_role("link", name="Ajouter un membre du personnel").click()
    page.get_by_role("button", name=re.compile("Ajouter et envoyer")).click()  # empty: errors, nothing lost
    expect(page.locator("#error-summary")).to_be_visible()
    journey.audit("staff form errors")
    page.locator("[name=email]").fill("agent@lavaux.example.fr")
    page.locator("[name=first_name]").fill("Alex")
    page.locator("[name=last_name]").fill("Martin")
    page.get_by_label("Agents (dossiers)").check()
    page.get_by_role("button", name=re.compile("Ajouter et envoyer")).click()
    expect(page.get_by_text(re.compile("agent@lavaux.example.fr a désormais le rôle"))).to_be_visible()
    journey.audit("agent added")
    (invitation,) = [m for m in mail.outbox if "agent@lavaux.example.fr" in m.to]
    link = re.search(r"http://\S+/admin/password_reset/confirm/\S+", invitation.body).group(0)

    # The agent chooses a password from the email, enrols a second factor, and sees only Lavaux's dossiers.
    agent_page = browser.new_context(locale="fr-FR", reduced_motion="reduce").new_page()
    journey.page = agent_page
    agent_page.goto(link.replace("http://lavaux.localhost", portal.valmont))
    agent_page.locator("#id_new_password1").fill("lavaux-agent-2026!")
    agent_page.locator("#id_new_password2").fill("lavaux-agent-2026!")
    journey.step("password chosen")
    agent_page.locator("main form button[type=submit]").click()
    agent_page.goto(f"{portal.valmont}/admin/login/")
    agent_page.get_by_label(re.compile("Nom d.utilisateur", re.I)).fill("agent@lavaux.example.fr")
    agent_page.get_by_label(re.compile("Mot de passe|Password", re.I)).first.fill("lavaux-agent-2026!")
    agent_page.get_by_role("button", name="S'identifier").click()
    expect(agent_page).to_have_url(re.compile("/admin/otp/setup/"))
    journey.audit("second factor enrolment")
    user = get_user_model().objects.get(email="agent@lavaux.example.fr")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    agent_page.locator("#id_code").fill(f"{TOTP(device.bin_key).token():06d}")
    agent_page.get_by_role("button", name="Confirmer").click()
    agent_page.goto(f"{portal.valmont}/admin/dossiers/")
    expect(agent_page.get_by_role("heading", name="Dossiers").first).to_be_visible()
    journey.audit("lavaux agent desk")
    # Valmont's and Bellerive's dossiers (the demo's) are out of reach: none is listed, none opens.
    assert "DF-2026" not in agent_page.content()
    valmont_dossier = Dossier.objects.filter(council__slug="valmont").first()
    response = agent_page.goto(f"{portal.valmont}/admin/dossiers/{valmont_dossier.pk}/")
    assert response.status == 404
    assert lavaux.pk in {c.pk for c in staff_councils(user=user)} and staff_councils(user=user).count() == 1


@BOTH_WIDTHS
def test_family_withdraws_a_consent(portal, journey, viewport):
    family = make_family("famille.consent@example.fr", password=PASSWORD)
    valmont = CouncilHomePage.objects.get(slug="valmont")
    habilitation = Habilitation.objects.filter(council=valmont).first()
    consent = Consent.objects.create(
        user=family,
        council=valmont,
        habilitation=habilitation,
        scopes=list(habilitation.scopes),
        text_version="1-test",
        text="Avec votre accord, la Ville de Valmont demandera à la CAF votre quotient familial.",
    )
    page = journey.page
    family_log_in(journey, portal.valmont, family.email)
    page.goto(f"{portal.valmont}/espace-famille/")
    page.get_by_role("link", name=re.compile("Mes consentements")).click()
    expect(page.get_by_role("heading", level=1, name="Mes consentements")).to_be_visible()
    journey.audit("my consents")
    page.get_by_role("button", name=re.compile("Retirer ce consentement")).click()
    expect(page.get_by_text(re.compile("Votre consentement est retiré"))).to_be_visible()
    journey.audit("consent withdrawn")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


@BOTH_WIDTHS
def test_agent_reads_the_provenance_and_the_household_then_exports_with_provenance(portal, journey, viewport):
    # The Lambert family's dossier famille, its QF and address as the simulator gives them (real HTTP), the
    # address then corrected by the family.
    valmont = CouncilHomePage.objects.get(slug="valmont")
    dossier = Dossier.objects.filter(council=valmont, family__email="famille.lambert@example.fr").first()
    definition = dossier.get_definition()
    address = definition.field_with_role(roles.HOUSEHOLD_ADDRESS)["key"]
    qf_key = definition.key_with_role(roles.FAMILY_QF)
    scopes = ["cnaf_quotient_familial", "cnaf_adresse"]
    offer = prefill_offer(council=valmont, scopes=scopes)
    consent = consent_record(user=dossier.family, council=valmont, scopes=scopes, text_version=offer.text_version)
    result = qf_fetch(council=valmont, user=dossier.family, identity=lambert(), scopes=scopes, consent=consent)
    assert result.ok
    origin = result.provenance["qf.valeur"]
    dossier.provenance = {
        qf_key: {**origin, "raw": result.values["qf.valeur"], "value": result.values["qf.valeur"]},
        address: {**result.provenance["adresse"], "raw": result.values["adresse"]},
    }
    dossier.answers[qf_key] = result.values["qf.valeur"]
    dossier.save()
    page = journey.page
    staff_login(journey, portal.valmont, "agent.valmont", "demo-staff-2026")
    page.goto(f"{portal.valmont}/admin/dossiers/{dossier.pk}/")
    panel = page.locator("section[aria-labelledby=provenance-title]")
    panel.scroll_into_view_if_needed()
    expect(panel.get_by_text(origin["request_id"]).first).to_be_visible()
    expect(panel.get_by_text("API Particulier").first).to_be_visible()
    journey.audit("provenance panel")
    household = page.locator("section[aria-labelledby=household-panel-title]")
    household.scroll_into_view_if_needed()
    expect(household.get_by_text(re.compile("version du texte")).first).to_be_visible()
    journey.audit("household behind the dossier")
    page.get_by_role("link", name="Tous les dossiers").click()
    page.get_by_text("Autres présentations de l'export").click()
    page.get_by_label(re.compile("Avec la provenance")).check()
    journey.step("export with provenance")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter en CSV").click()
    lines = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    ours = next(row for row in rows if row["Référence"] == dossier.reference)
    label = definition.field_by_key()[qf_key]["label"]
    assert ours[f"{label} : identifiant de la requête"] == origin["request_id"]
    assert ours[f"{label} : modifié par la famille"] == "non"
