"""Prices of a dossier: the decree column follows the QF's provider, residence follows the address.

Issue 12: an MSA family (FONTAINE in the simulator, QF 410) living outside the commune was priced in the
"Allocataires CAF" column as a resident, 2,88 € instead of the published 3,00 € + 15 % = 3,45 €.
"""

import datetime
from decimal import Decimal

import pytest

from connectors.services import qf_fetch
from forms.backoffice import workflow
from forms.backoffice.workflow import TransitionRefused
from forms.family import pricing
from forms.models import DossierStatus as S
from home.demo_pages import load_council_pages
from tests.connectors.conftest import (  # noqa: F401 (fixtures)
    give_consent,
    identity_of,
    make_habilitation,
    simulator,
    simulator_server,
)

from .conftest import field, group, make_agent, make_dossier, make_form, step

pytestmark = pytest.mark.django_db

BEAUNE = {"street": "La ferme du moulin", "complement": "", "postcode": "21200", "city": "Beaune", "insee": "21054"}


def priced_form(council, **settings):
    """A dossier famille asking the household's address, the QF and the children (with their roles)."""
    return make_form(
        council,
        step(
            "Foyer",
            field("address", "adresse_du_foyer", "Adresse", role="household_address"),
            field("integer", "qf", "Quotient familial", required=False, role="family_qf"),
            group("mes_petits", field("short_text", "prenom", "Prénom"), role="children"),
        ),
        slug="dossier-famille",
        requires_qf=True,
        priced_services="alsh-journee",
        **settings,
    )


def fontaine_from_the_simulator(council, family) -> tuple[dict, dict]:
    """The answers and provenance a family gets when the simulator answers for FONTAINE (MSA, QF 410)."""
    make_habilitation(council)
    consent = give_consent(family, council)
    result = qf_fetch(
        council=council,
        user=family,
        identity=identity_of("msa-parent-3-enfants"),
        scopes=["cnaf_quotient_familial"],
        consent=consent,
    )
    assert result.ok and result.values["qf.valeur"] == 410
    return {"qf": result.values["qf.valeur"]}, {"qf": result.provenance["qf.valeur"]}


def test_msa_family_outside_the_commune_pays_the_msa_column_plus_15_percent(council_a, family, simulator):  # noqa: F811
    load_council_pages(council_a, surcharge="15")  # the real demo decree: ALSH 401-700, CAF 2.50, MSA 3.00
    page = priced_form(council_a)
    answers, provenance = fontaine_from_the_simulator(council_a, family)
    answers.update(adresse_du_foyer=BEAUNE, mes_petits=[{"prenom": "Emma"}, {"prenom": "Jules"}, {"prenom": "Rose"}])
    qf, source, month = pricing.dossier_qf_from_answers(
        definition=page.build_definition(), answers=answers, provenance=provenance
    )
    assert (qf, source) == (410, "msa")
    dossier = make_dossier(
        page, family, answers, provenance=provenance, status=S.UNDER_REVIEW, qf=qf, qf_source=source, qf_month=month
    )
    assert pricing.dossier_case_derive(dossier=dossier).value == "msa"
    assert pricing.dossier_residence_derive(dossier=dossier).value is False
    workflow.dossier_validate(dossier=dossier, by=make_agent(council_a, "agent.a"), override=True)
    dossier.refresh_from_db()
    quotes = {q["service"]["key"]: q for q in dossier.prices["quotes"]}
    alsh = quotes["alsh-journee"]
    assert Decimal(alsh["amount"]) == Decimal("3.45")
    assert alsh["column_label"] == "MSA et non-allocataires"
    assert dossier.prices["household"]["resident"] is False
    text = " ".join(alsh["explanation"])
    assert "Colonne appliquée : « MSA et non-allocataires », celle des familles allocataires MSA." in text
    assert "Beaune (21054)" in text and "majoration de 15\u00a0%, 3,00\u00a0€ × 1,15 = 3,45\u00a0€" in text
    # Three children in the group whose role is "children" (whatever its key): what the PSU rate counts.
    assert dossier.prices["household"]["children"] == 3


def test_a_family_without_caf_file_never_gets_the_caf_column(council_a, family):
    load_council_pages(council_a, surcharge="15")
    page = priced_form(council_a)
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(page, family, {"qf": 410, "adresse_du_foyer": BEAUNE}, status=S.UNDER_REVIEW, qf=410)
    # Declared, not checked: the no-proof column and its top tranche, never the CAF column.
    preview = pricing.dossier_prices_compute(dossier=dossier)
    assert preview["household"]["case"] == "no_proof" and preview["maximum_tariff"] is True
    # The agent reads the QF on a tax notice: non-allocataire, priced in the MSA/non-allocataire column.
    workflow.dossier_validate(
        dossier=dossier,
        by=agent,
        qf=410,
        qf_month=datetime.date(2026, 1, 1),
        qf_provider="tax_notice",
        override=True,
    )
    dossier.refresh_from_db()
    alsh = next(q for q in dossier.prices["quotes"] if q["service"]["key"] == "alsh-journee")
    assert (alsh["column"], alsh["amount"]) == ("msa", "3.45")
    assert dossier.events.get(kind="pricing").details["qf_provider"] == "tax_notice"


def test_the_agent_may_correct_column_and_residence_with_a_reason_kept_in_the_history(council_a, family):
    load_council_pages(council_a, surcharge="15")
    page = priced_form(council_a)
    agent = make_agent(council_a, "agent.a")
    dossier = make_dossier(
        page, family, {"qf": 410, "adresse_du_foyer": BEAUNE}, status=S.UNDER_REVIEW, qf=410, qf_source="msa"
    )
    with pytest.raises(TransitionRefused) as refused:
        workflow.dossier_validate(dossier=dossier, by=agent, resident=True, override=True)
    assert refused.value.code == "pricing_reason"
    workflow.dossier_validate(
        dossier=dossier,
        by=agent,
        resident=True,
        case="caf",
        pricing_reason="Domicilié chez ses parents à Valmont, dossier CAF transféré.",
        override=True,
    )
    dossier.refresh_from_db()
    alsh = next(q for q in dossier.prices["quotes"] if q["service"]["key"] == "alsh-journee")
    assert alsh["amount"] == "2.50"
    assert dossier.prices["household"]["case_reason"] == "décidé par un agent"
    assert "Colonne appliquée : « Allocataires CAF », celle des familles allocataires CAF." in alsh["explanation"]
    event = dossier.events.get(kind="pricing")
    assert not event.is_public
    assert event.details["corrections"] == {
        "case": {"derived": "msa", "chosen": "caf"},
        "resident": {"derived": False, "chosen": True},
    }
    assert "Domicilié chez ses parents" in event.comment


def test_a_resident_address_gets_no_surcharge(council_a, family):
    council_a.served_insee_codes = "21054, 21231"  # a council may serve several communes
    council_a.save()
    load_council_pages(council_a, surcharge="15")
    page = priced_form(council_a)
    dossier = make_dossier(page, family, {"adresse_du_foyer": BEAUNE}, qf=410, qf_source="msa")
    derived = pricing.dossier_residence_derive(dossier=dossier)
    assert derived.value is True and "Beaune (21054)" in derived.reason
    alsh = next(q for q in pricing.dossier_prices_compute(dossier=dossier)["quotes"] if q["column"])
    assert alsh["amount"] == "3.00"


def test_a_declared_qf_is_said_to_count_once_checked(council_a, family):
    load_council_pages(council_a, surcharge="15")
    page = priced_form(council_a)
    dossier = make_dossier(page, family, {"qf": 150, "adresse_du_foyer": BEAUNE}, qf=150)
    assert dossier.qf_status == "QF 150 déclaré"
    estimate = pricing.dossier_prices_estimate(dossier=dossier)
    assert estimate["maximum_tariff"] is True and estimate["declared_qf"] == 150
    alsh = next(q for q in estimate["if_confirmed"] if q["service"]["key"] == "alsh-journee")
    assert alsh["amount"] == "2.30"  # 2.00 x 1.15: the QF 150 tranche, if a CAF certificate confirms it
    from forms.family.notifications import notification_texts

    _subject, body = notification_texts(dossier=dossier, event="submitted")
    assert "Le QF 150 que vous avez déclaré ne compte qu'une fois son justificatif vérifié" in body
    dossier.qf_source = "cnaf"
    dossier.qf = 620
    assert dossier.qf_status == "QF 620 vérifié (CAF)"


def test_the_town_must_be_a_commune_of_the_postcode_and_its_insee_code_is_kept(council_a):
    from forms.engine.fieldtypes import address_commune_error, field_type

    assert address_commune_error("21200", "Beaune") == ""
    assert address_commune_error("21200", "BLIGNY LES BEAUNE") == ""
    error = address_commune_error("21200", "Dijon")
    assert "« Dijon » n'est pas une commune du code postal 21200" in error and "Bligny-lès-Beaune" in error
    assert address_commune_error("21990", "Valmont") == ""  # not in the official list: the agent decides
    spec = {"key": "adresse", "type": "address", "required": True}
    cleaned = {"adresse__street": "1 rue", "adresse__postcode": "21000", "adresse__city": "dijon"}
    assert field_type(spec).to_answer(spec, cleaned)["insee"] == "21231"
