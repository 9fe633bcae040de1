"""The household (foyer, issue 17): built from the dossier famille, verified at validation, read by prices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from forms.backoffice import workflow
from forms.family import pricing
from forms.family.household import HouseholdEvent
from forms.family.household_selectors import household_dossiers, household_for, household_is_resident
from forms.family.household_services import (
    dossier_household_changes,
    household_invitation_accept,
    household_invite,
    household_sync_submitted,
)
from forms.models import DossierStatus as S
from home.demo_pages import load_council_pages
from home.models import AppendOnlyError
from tests.conftest import make_family

from .conftest import field, group, make_agent, make_dossier, make_form, step

pytestmark = pytest.mark.django_db

BEAUNE = {"street": "La ferme du moulin", "complement": "", "postcode": "21200", "city": "Beaune", "insee": "21054"}
DIJON = {"street": "3 rue Monge", "complement": "", "postcode": "21000", "city": "Dijon", "insee": "21231"}
YEAR = datetime.date.today().year


def famille(council):
    """A dossier famille whose fields declare what they are: a guardian's names and phone, the address, the
    children (names, date of birth, AEEH), the QF."""
    return make_form(
        council,
        step(
            "Foyer",
            field("short_text", "resp_nom", "Nom", meaning="last_name"),
            field("short_text", "resp_prenom", "Prénom", meaning="first_name"),
            field("phone", "resp_tel", "Téléphone", role="guardian_phone"),
            field("address", "adresse", "Adresse", role="household_address"),
            field("integer", "qf", "Quotient familial", required=False, role="family_qf"),
            group(
                "petits",
                field("short_text", "prenom", "Prénom", meaning="first_name"),
                field("date", "naissance", "Né le"),
                field("yes_no", "aeeh", "AEEH", required=False, role="child_aeeh"),
                role="children",
            ),
        ),
        slug="dossier-famille",
        priced_services="alsh-journee",
    )


def inscription(council):
    """An enrolment: it asks for neither the QF nor the address; its prices come from the household."""
    return make_form(
        council,
        step(
            "Services",
            field(
                "multiple_choice",
                "services",
                "Services",
                choices=["Accueil de loisirs, journée"],
                role="services_chosen",
            ),
        ),
        slug="inscription",
        title="Inscription enfant",
        priced_services="alsh-journee",
    )


def answers(address=BEAUNE, **extra):
    return {
        "resp_nom": "Fontaine",
        "resp_prenom": "Julien",
        "resp_tel": "0601020304",
        "adresse": address,
        "qf": 410,
        "petits": [
            {"prenom": "Emma", "naissance": f"{YEAR - 6}-03-02", "aeeh": "non"},
            {"prenom": "Jules", "naissance": f"{YEAR - 4}-10-20", "aeeh": "oui"},
        ],
        **extra,
    }


def sent(page, family, data=None, **fields):
    dossier = make_dossier(page, family, data or answers(), **fields)
    household_sync_submitted(dossier=dossier)
    return dossier


def test_the_dossier_famille_creates_the_household_with_its_members_address_and_qf(council_a, family):
    sent(famille(council_a), family, qf=410, qf_source="msa", qf_month=datetime.date(YEAR, 1, 1))
    household = household_for(user=family, council=council_a)
    guardian = household.guardians.get()
    assert (guardian.first_name, guardian.last_name, guardian.phone) == ("Julien", "Fontaine", "0601020304")
    children = {child.first_name: child for child in household.children.all()}
    assert set(children) == {"Emma", "Jules"}
    assert children["Jules"].birth_date == datetime.date(YEAR - 4, 10, 20) and children["Jules"].aeeh
    assert list(children["Emma"].guardians.all()) == [guardian]
    assert household.address_insee == "21054" and household_is_resident(household=household) is False
    # A QF fetched from the MSA is a checked source: it is on file at once, not yet verified by an agent.
    assert (household.qf, household.qf_provider, household.qf_verified) == (410, "msa", False)
    assert [event.kind for event in household.events.all()] == ["created", "updated"]
    assert household_for(user=family, council=council_a.pk) == household


def test_a_household_belongs_to_one_council(council_a, council_b, family):
    sent(famille(council_a), family)
    assert household_for(user=family, council=council_b) is None


def test_validation_shows_before_after_and_the_agent_may_refuse_a_change_with_a_reason(council_a, family):
    page = famille(council_a)
    agent = make_agent(council_a, "agent.a")
    first = sent(page, family, status=S.UNDER_REVIEW, qf=410, qf_source="msa")
    workflow.dossier_validate(dossier=first, by=agent, override=True)
    household = household_for(user=family, council=council_a)
    assert household.qf_verified and household.guardians.get().verified and household.verified_at
    # Next dossier: a new address and a new phone. They wait for the agent; nothing changes at submit.
    second = sent(
        page, family, answers(address=DIJON, resp_tel="0699999999"), status=S.UNDER_REVIEW, qf=410, qf_source="msa"
    )
    household.refresh_from_db()
    assert household.address_city == "Beaune" and household.guardians.get().phone == "0601020304"
    changes = {change.path: change for change in dossier_household_changes(dossier=second)}
    assert set(changes) == {"address", "guardians.1.phone"}
    assert (changes["address"].before_text, changes["address"].after_text) == (
        "La ferme du moulin, 21200, Beaune",
        "3 rue Monge, 21000, Dijon",
    )
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.dossier_validate(dossier=second, by=agent, override=True, household_refused={"guardians.1.phone": " "})
    assert refused.value.code == "household_reason"
    workflow.dossier_validate(
        dossier=second, by=agent, override=True, household_refused={"guardians.1.phone": "Numéro non attribué."}
    )
    household.refresh_from_db()
    assert household.address_city == "Dijon" and household.guardians.get().phone == "0601020304"
    refusal = household.events.get(kind="refused")
    assert refusal.comment == "Numéro non attribué." and refusal.dossier == second and refusal.actor == agent
    assert refusal.changes["guardians.1.phone"]["after"] == "0699999999"
    verified = household.events.filter(kind="verified").last()
    assert verified.changes["address"]["before"] == "La ferme du moulin, 21200, Beaune"
    assert list(household_dossiers(household=household)) == [second, first]


def test_the_history_is_append_only_in_the_orm_and_in_the_database(council_a, family):
    sent(famille(council_a), family)
    event = HouseholdEvent.objects.first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        HouseholdEvent.objects.all().delete()
    # The database itself refuses (SQLite raises an IntegrityError, PostgreSQL's trigger an InternalError).
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE forms_householdevent SET comment = 'x'")


def test_an_msa_family_outside_the_commune_is_priced_from_its_household(council_a, family):
    """The enrolment asks neither QF nor address: the household gives the MSA column and the surcharge."""
    load_council_pages(council_a, surcharge="15")  # the demo decree: ALSH 401-700, CAF 2.50, MSA 3.00
    sent(famille(council_a), family, qf=410, qf_source="msa", qf_month=datetime.date(YEAR, 1, 1))
    enrolment = sent(inscription(council_a), family, {"services": ["Accueil de loisirs, journée"]})
    assert (enrolment.qf, enrolment.qf_source) == (None, "")  # made directly: the household prices it anyway
    estimate = pricing.dossier_prices_estimate(dossier=enrolment)
    alsh = estimate["quotes"][0]
    assert (alsh["column"], Decimal(alsh["amount"])) == ("msa", Decimal("3.45"))
    assert estimate["household"]["resident"] is False and "Beaune (21054)" in " ".join(alsh["explanation"])
    assert estimate["household"]["children"] == 2
    enrolment.status = S.UNDER_REVIEW
    enrolment.save()
    workflow.dossier_validate(dossier=enrolment, by=make_agent(council_a, "agent.a"), override=True)
    enrolment.refresh_from_db()
    assert (enrolment.qf, enrolment.qf_source) == (410, "msa")
    assert enrolment.prices["quotes"][0]["amount"] == "3.45"


def test_a_second_parent_invited_by_email_joins_the_household(council_a, family):
    sent(famille(council_a), family)
    household = household_for(user=family, council=council_a)
    invitation = household_invite(household=household, email="second.parent@example.fr", by=family)
    stranger = make_family("inconnu@example.fr")
    with pytest.raises(PermissionDenied):
        household_invitation_accept(token=invitation.token, user=stranger)
    second = make_family("second.parent@example.fr")
    assert household_invitation_accept(token=invitation.token, user=second) == household
    assert household_for(user=second, council=council_a) == household
    with pytest.raises(PermissionDenied):  # used once
        household_invitation_accept(token=invitation.token, user=second)
    assert [event.kind for event in household.events.all()][-2:] == ["invited", "joined"]


def test_alternating_custody_each_parent_has_a_household_with_the_same_child_priced_on_its_own_qf(council_a, family):
    load_council_pages(council_a, surcharge="15")
    page = famille(council_a)
    sent(page, family, qf=410, qf_source="msa")
    other = make_family("autre.parent@example.fr")
    other_answers = answers(address=DIJON, resp_nom="Martin", resp_prenom="Claire")
    other_answers["petits"] = other_answers["petits"][:1]  # Emma lives in both homes
    sent(page, other, other_answers, qf=1600, qf_source="cnaf")
    mine, theirs = household_for(user=family, council=council_a), household_for(user=other, council=council_a)
    assert mine != theirs
    assert mine.children.filter(first_name="Emma").exists() and theirs.children.filter(first_name="Emma").exists()
    enrolment_form = inscription(council_a)
    enrolments = [
        sent(enrolment_form, parent, {"services": ["Accueil de loisirs, journée"]}) for parent in (family, other)
    ]
    prices = [pricing.dossier_prices_estimate(dossier=dossier)["quotes"][0]["amount"] for dossier in enrolments]
    assert prices[0] == "3.45" and prices[0] != prices[1]


def test_existing_families_get_their_household_from_their_latest_validated_dossier_famille(council_a, family):
    """The data migration: built from the latest validated (else latest) dossier famille; dossiers untouched."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("forms.migrations.0015_households_of_existing_families")
    page = famille(council_a)
    # Dossiers sent before households existed: made without a family, then given to it (no household yet).
    validated = make_dossier(page, None, answers(), status=S.VALIDATED, qf=410, qf_source="msa")
    latest = make_dossier(page, None, answers(address=DIJON, resp_prenom="Jules"), status=S.SUBMITTED, qf=900)
    enrolment = make_dossier(inscription(council_a), None, {"services": []})
    validated.__class__.objects.filter(pk__in=[validated.pk, latest.pk, enrolment.pk]).update(family=family)
    validated.refresh_from_db()
    assert household_for(user=family, council=council_a) is None
    before = {d.pk: (d.answers, d.status, d.qf, d.updated_at) for d in validated.__class__.objects.all()}
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # run twice: still one household
    household = household_for(user=family, council=council_a)
    assert household.address_city == "Beaune" and (household.qf, household.qf_provider, household.qf_verified) == (
        410,
        "msa",
        True,
    )
    assert household.guardians.get().first_name == "Julien" and household.children.count() == 2
    assert household.events.get().dossier == validated
    assert enrolment in household_dossiers(household=household)
    after = {d.pk: (d.answers, d.status, d.qf, d.updated_at) for d in validated.__class__.objects.all()}
    assert after == before


def test_the_family_space_is_a_dashboard_of_the_household_of_the_site_council(council_a, council_b, family, mailoutbox):
    from .conftest import family_client

    load_council_pages(council_a, surcharge="15")
    sent(famille(council_a), family, qf=410, qf_source="msa", qf_month=datetime.date(YEAR, 1, 1))
    elsewhere = make_dossier(
        make_form(council_b, step("Foyer", field("short_text", "nom")), slug="autre", reference_prefix="BEL"),
        family,
        {"nom": "x"},
    )
    client = family_client(family)
    page = client.get("/espace-famille/").content.decode()
    assert "Mon foyer" in page and "Julien Fontaine" in page and "Emma" in page and "Jules" in page
    assert "Beaune (21054)" in page and "hors des communes" in page and "Quotient familial 410 (MSA)" in page
    assert elsewhere.reference not in page  # another council's dossier belongs to that council's space
    assert (
        elsewhere.reference
        in family_client(family, host="bellerive.localhost").get("/espace-famille/").content.decode()
    )
    # The other parent is invited by email and joins with their own account.
    response = client.post("/espace-famille/foyer/inviter/", {"email": "claire@example.fr"})
    assert response.status_code == 302 and len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/rejoindre/" in line)
    claire = make_family("claire@example.fr")
    path = link.split("localhost", 1)[1].lstrip(":0123456789")
    joined = family_client(claire).post(path)
    assert joined.status_code == 302
    assert "Julien Fontaine" in family_client(claire).get("/espace-famille/").content.decode()
    bad = client.post("/espace-famille/foyer/inviter/", {"email": "pas-une-adresse"}, follow=True).content.decode()
    assert "Saisissez une adresse de courriel valide." in bad


def child_form(council):
    return make_form(
        council,
        step(
            "L'enfant",
            field("short_text", "prenom", "Prénom de l'enfant", meaning="first_name", role="child"),
            field("date", "naissance", "Date de naissance", role="birth_date"),
            field("yes_no", "sorties", "Sorties autorisées"),
        ),
        slug="autorisations",
        title="Autorisations",
    )


def test_a_form_about_a_child_starts_from_a_child_of_the_household_once_per_child(council_a, family):
    from forms.family.child_forms import dossier_child_uuid
    from forms.family.services import dossier_submit
    from forms.models import Draft

    from .conftest import family_client

    sent(famille(council_a), family, qf=410, qf_source="msa")
    household = household_for(user=family, council=council_a)
    emma = household.children.get(first_name="Emma")
    page = child_form(council_a)
    client = family_client(family)
    start = client.get(page.url).content.decode()
    assert "Pour quel enfant" in start and "Emma" in start and "Jules" in start
    response = client.post(page.url, {"child": str(emma.uuid)}, follow=True)
    assert "Déjà connu pour Emma" in response.content.decode()
    draft = Draft.objects.get(form_page=page, user=family)
    assert draft.answers["prenom"] == "Emma" and draft.answers["naissance"] == emma.birth_date.isoformat()
    # The family corrects the date of birth: the correction goes to the agent, before/after.
    draft.answers.update(naissance=f"{YEAR - 6}-03-12", sorties="oui")
    draft.save()
    dossier = dossier_submit(draft=draft, request_meta={"ip_address": "127.0.0.1", "user_agent": "test"})
    assert dossier_child_uuid(dossier) == str(emma.uuid)
    emma.refresh_from_db()
    assert emma.birth_date == datetime.date(YEAR - 6, 3, 2)  # unchanged until an agent validates
    change = {c.path: c for c in dossier_household_changes(dossier=dossier)}[f"children.{emma.uuid}.birth_date"]
    assert (change.before_text, change.after_text) == (f"02/03/{YEAR - 6}", f"12/03/{YEAR - 6}")
    again = client.get(page.url).content.decode()
    assert "Emma : déjà envoyé pour cette période" in again and f'value="{emma.uuid}"' not in again
    page_html = client.get("/espace-famille/").content.decode()
    assert dossier.reference in page_html.split("Emma", 1)[1].split("Jules", 1)[0]  # listed under Emma
    assert "Autorisations – Emma" in page_html  # and named in the list of dossiers sent
    from tests.conftest import otp_client

    listing = otp_client(make_agent(council_a, "agent.a")).get("/admin/dossiers/").content.decode()
    row = listing.split(dossier.reference, 1)[1].split("</tr>", 1)[0]
    assert "Emma" in row and "Autorisations" in row  # the agents' list names the child of the dossier


def test_renewal_starts_from_the_household_and_keeps_a_proof_of_address_still_valid(council_a, family):
    from django.utils import timezone

    from forms.family.household import DocumentKind, HouseholdDocument
    from forms.models import Draft

    from .conftest import famille_form, family_client, stored_pdf

    page = famille_form(council_a, opens_at=timezone.now() - datetime.timedelta(days=1))
    last_year = make_dossier(page, family, {"nom": "Martin", "quotient_familial": 650}, status=S.VALIDATED)
    last_year.submitted_at = timezone.now() - datetime.timedelta(days=366)
    last_year.save()
    household_sync_submitted(dossier=last_year)
    household = household_for(user=family, council=council_a)
    guardian = household.guardians.get()
    assert guardian.last_name == "Martin"
    guardian.last_name = "Martin-Durand"  # changed since (e.g. verified by an agent on another dossier)
    guardian.save()
    stored = stored_pdf(last_year)
    HouseholdDocument.objects.create(
        household=household,
        kind=DocumentKind.PROOF_OF_ADDRESS,
        label="Justificatif de domicile",
        file=stored,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    response = family_client(family).post(f"/espace-famille/renouveler/{page.pk}/")
    assert response.status_code == 302
    draft = Draft.objects.get(user=family)
    assert draft.answers["nom"] == "Martin-Durand"  # from the household, not from last year's answers
    kept = draft.files.get(key="justificatif_domicile")
    assert kept.original_name == "facture.pdf" and draft.answers["justificatif_domicile"] == str(kept.uuid)


def test_agents_see_the_household_behind_a_dossier_and_refuse_a_change_in_the_validation_form(council_a, family):
    from tests.conftest import otp_client

    page = famille(council_a)
    agent = make_agent(council_a, "agent.a")
    first = sent(page, family, status=S.UNDER_REVIEW, qf=410, qf_source="msa", qf_month=datetime.date(YEAR, 1, 1))
    workflow.dossier_validate(dossier=first, by=agent, override=True)
    second = sent(page, family, answers(resp_tel="0699999999"), status=S.UNDER_REVIEW, qf=620, qf_source="cnaf")
    client = otp_client(agent)
    html = client.get(f"/admin/dossiers/{second.pk}/").content.decode()
    panel = html.split('id="household-panel-title"', 1)[1]
    assert "Julien Fontaine" in panel and "Emma" in panel and "Jules" in panel and "AEEH" in panel
    assert first.reference in panel and second.reference in panel  # all the household's dossiers
    assert "410 (MSA" in panel and "620 (CAF" in panel  # the QF history with its sources
    assert "Ce que la validation change dans le foyer" in html and "0601020304" in html and "0699999999" in html
    response = client.post(
        f"/admin/dossiers/{second.pk}/validate/",
        {"household_refuse__guardians.1.phone": "1", "household_reason__guardians.1.phone": "Numéro non attribué."},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == S.VALIDATED
    household = household_for(user=family, council=council_a)
    assert household.guardians.get().phone == "0601020304" and household.qf == 620
    assert household.events.get(kind="refused").comment == "Numéro non attribué."
