"""Consents: a family reads and withdraws its own, the yearly refresh stops for it, agents read a family's
(their councils only), and each council's privacy page lists its flows of personal data from its
authorisations."""

import pytest
from django.test import Client

from connectors.models import ApiCallLog, Consent, ConsentedIdentity
from connectors.services import ConsentRequired, qf_fetch, qf_refresh_family
from tests.conftest import make_family, otp_client
from tests.forms.conftest import make_agent

from .conftest import QF_ALL, give_consent, identity_of, make_habilitation

pytestmark = pytest.mark.django_db


def family_http(user, host="localhost") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_a_family_withdraws_a_consent_and_the_yearly_refresh_skips_it(simulator, council_a, habilitation_a, family):
    consent = give_consent(family, council_a)
    result = qf_fetch(
        council=council_a, user=family, identity=identity_of("cnaf-couple-2-enfants"), scopes=QF_ALL, consent=consent
    )
    assert result.ok and ConsentedIdentity.objects.filter(user=family).exists()
    client = family_http(family)
    assert "/espace-famille/consentements/" in client.get("/espace-famille/").content.decode()
    page = client.get("/espace-famille/consentements/").content.decode()
    assert "Calculer les tarifs de la cantine" in page and "Retirer ce consentement" in page
    response = client.post(f"/espace-famille/consentements/{consent.pk}/retirer/", follow=True)
    page = response.content.decode()
    assert "Votre consentement est retiré" in page and "Retiré le" in page and "Retirer ce consentement" not in page
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not ConsentedIdentity.objects.filter(user=family).exists()  # the identity kept for the refresh goes
    calls = ApiCallLog.objects.count()
    refresh = qf_refresh_family(council=council_a, users=[family])
    assert refresh.state == "no_consent" and refresh.result is None and ApiCallLog.objects.count() == calls
    # A fetch under the withdrawn consent is refused: the next fetch must ask again.
    with pytest.raises(ConsentRequired):
        qf_fetch(
            council=council_a,
            user=family,
            identity=identity_of("cnaf-couple-2-enfants"),
            scopes=QF_ALL,
            consent=consent,
        )


def test_a_family_cannot_withdraw_another_familys_consent(council_a, habilitation_a, family, other_family):
    consent = give_consent(other_family, council_a)
    client = family_http(family)
    assert client.post(f"/espace-famille/consentements/{consent.pk}/retirer/").status_code == 404
    assert "Calculer les tarifs" not in client.get("/espace-famille/consentements/").content.decode()
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert Client().get("/espace-famille/consentements/").status_code == 302  # to the login page


def test_agents_see_a_familys_consents_of_their_council_only(council_a, council_b, habilitation_a, family):
    make_habilitation(council_b)
    mine = give_consent(family, council_a)
    give_consent(family, council_b)
    url = f"/admin/consentements/famille/{family.pk}/"
    page = otp_client(make_agent(council_a, "agent.a")).get(url).content.decode()
    assert mine.text_version in page and council_a.official_name in page
    assert council_b.official_name not in page
    stranger = otp_client(make_agent(council_b, "agent.b"), host="bellerive.localhost")
    assert mine.text_version not in stranger.get(url).content.decode()
    nobody = make_family("personne@example.fr")
    page = otp_client(make_agent(council_a, "agent.a2")).get(f"/admin/consentements/famille/{nobody.pk}/")
    assert "personne@example.fr" not in page.content.decode()  # a typed id names no one


def test_the_privacy_page_lists_the_flows_of_the_authorisations_in_force(council_a):
    from home.starter import starter_pages

    starter_pages(council_a)
    council_a.refresh_from_db()
    url = council_a.personal_data_page.url
    before = Client(HTTP_HOST="localhost").get(url).content.decode()
    assert "API Particulier" not in before and "n'obtient aucune donnée" in before
    make_habilitation(
        council_a,
        datapass_id="DP-4242",
        legal_basis_reference="Délibération 2024-12",
        dpo_email="dpo@valmont.example.fr",
    )
    page = Client(HTTP_HOST="localhost").get(url).content.decode()
    for expected in (
        "quotient familial (QF)",
        "API Particulier",
        "DP-4242",
        "Calculer les tarifs de la cantine",
        "Mission d",  # the legal basis, in French
        "Délibération 2024-12",
        "12 mois",
        "dpo@valmont.example.fr",
    ):
        assert expected in page, expected
    make_habilitation(council_a, datapass_id="DP-9999", state="revoked", token="")
    assert "DP-9999" not in Client(HTTP_HOST="localhost").get(url).content.decode()
