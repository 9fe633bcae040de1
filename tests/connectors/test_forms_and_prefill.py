"""The identity form the forms app embeds, the consent box, prefill modes, and the demo loader."""

from datetime import date
from io import StringIO

import pytest

from connectors import demo
from connectors.forms import AllocataireIdentityForm, PrefillConsentForm
from connectors.models import Habilitation
from connectors.prefill import FILLABLE_FIELDS, PrefillMode, apply_mode, fillable_choices, scopes_for
from connectors.selectors import prefill_offer

BASE = {
    "birth_name": "Lambert",
    "first_name_1": "Camille",
    "first_name_2": "Anne",
    "sex": "F",
    "birth_date": "1986-04-12",
}


def test_identity_born_in_france_with_commune_and_departement():
    form = AllocataireIdentityForm(
        data={**BASE, "born_in": "france", "birth_commune_name": "Dijon", "birth_department_code": "21"}
    )
    assert form.is_valid(), form.errors
    identity = form.identity()
    assert identity.first_names == ("Camille", "Anne") and identity.birth_date == date(1986, 4, 12)
    params = identity.to_params()
    assert params["nomCommuneNaissance"] == "Dijon" and params["codeCogInseeDepartementNaissance"] == "21"
    assert params["codeCogInseePaysNaissance"] == "99100"


def test_identity_born_abroad_with_a_listed_or_typed_country():
    listed = AllocataireIdentityForm(data={**BASE, "born_in": "abroad", "birth_country": "99139"})
    assert listed.is_valid(), listed.errors
    assert listed.identity().to_params()["codeCogInseePaysNaissance"] == "99139"
    typed = AllocataireIdentityForm(
        data={**BASE, "born_in": "abroad", "birth_country": "other", "birth_country_code": "99127"}
    )
    assert typed.is_valid() and typed.identity().birth_country_code == "99127"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"born_in": "france", "birth_department_code": "21"}, "birth_commune_name"),
        ({"born_in": "france", "birth_commune_name": "Dijon", "birth_department_code": "xx"}, "birth_department_code"),
        ({"born_in": "france", "birth_commune_code": "123"}, "birth_commune_code"),
        ({"born_in": "abroad"}, "birth_country"),
        ({"born_in": "abroad", "birth_country": "other", "birth_country_code": "99100"}, "birth_country_code"),
    ],
)
def test_identity_errors_point_to_the_field(data, field):
    form = AllocataireIdentityForm(data={**BASE, **data})
    assert not form.is_valid() and field in form.errors


def test_the_form_says_whose_identity_it_wants():
    assert "allocataire" in str(AllocataireIdentityForm.intro)
    assert str(AllocataireIdentityForm().fields["birth_name"].label) == "Nom de naissance"


@pytest.mark.django_db
def test_the_consent_box_is_opt_in(council_a):
    from .conftest import make_habilitation

    make_habilitation(council_a)
    offer = prefill_offer(council=council_a, scopes=["cnaf_quotient_familial"])
    form = PrefillConsentForm(offer=offer)
    assert form.fields["consent"].initial is False and "checked" not in str(form["consent"])
    assert not PrefillConsentForm(data={"text_version": offer.text_version}, offer=offer).is_valid()
    assert PrefillConsentForm(data={"consent": "on", "text_version": offer.text_version}, offer=offer).is_valid()


@pytest.mark.parametrize(
    ("mode", "prefilled", "current", "expected"),
    [
        (PrefillMode.LOCKED, 620, 700, (620, True)),
        (PrefillMode.LOCKED, None, 700, (None, True)),
        (PrefillMode.EDITABLE, 620, None, (620, False)),
        (PrefillMode.EDITABLE, 620, 700, (700, False)),
        (PrefillMode.LOCKED_UNLESS_EMPTY, 620, 700, (620, True)),
        (PrefillMode.LOCKED_UNLESS_EMPTY, None, 700, (700, False)),
    ],
)
def test_prefill_modes(mode, prefilled, current, expected):
    assert apply_mode(mode, prefilled=prefilled, current=current) == expected


def test_fillable_fields_and_their_scopes():
    assert set(FILLABLE_FIELDS) == {
        "qf.valeur",
        "qf.fournisseur",
        "qf.annee",
        "qf.mois",
        "allocataires",
        "enfants",
        "adresse",
    }
    assert scopes_for(["enfants", "qf.valeur"]) == ["cnaf_quotient_familial", "cnaf_enfants"]
    assert dict(fillable_choices())["qf.valeur"] == "Quotient familial (QF)"


@pytest.mark.django_db
def test_demo_loader_is_idempotent(council_a, council_b):
    out = StringIO()
    demo.load(stdout=out)
    demo.load(stdout=out)
    assert Habilitation.objects.count() == 2
    valmont = Habilitation.objects.get(council=council_a)
    assert valmont.get_token() == "demo-qf-complet" and valmont.is_usable()
    assert prefill_offer(council=council_b, scopes=["cnaf_quotient_familial", "cnaf_enfants"]) is not None
    assert prefill_offer(council=council_b, scopes=["cnaf_adresse"]) is None
    assert "LAMBERT" in out.getvalue() and "demo-qf-complet" in out.getvalue()


@pytest.mark.django_db
def test_purge_task_runs(council_a):
    from connectors.tasks import purge_call_logs

    result = purge_call_logs.enqueue()
    assert result.return_value == 0


@pytest.mark.django_db
def test_the_includes_render_labelled_fieldsets_and_the_notice(council_a):
    from django.template.loader import render_to_string

    from .conftest import make_habilitation

    make_habilitation(council_a, legal_basis_reference="Délibération 2026-3")
    offer = prefill_offer(council=council_a, scopes=["cnaf_quotient_familial", "cnaf_enfants"])
    html = render_to_string(
        "connectors/includes/prefill_consent.html", {"offer": offer, "consent_form": PrefillConsentForm(offer=offer)}
    )
    assert "Délibération 2026-3" in html and "12 mois" in html and "checked" not in html
    assert "Les enfants : noms et dates de naissance" in html
    html = render_to_string("connectors/includes/identity_fieldsets.html", {"form": AllocataireIdentityForm()})
    assert html.count("<legend") == 5  # three groups, two radio groups
    assert 'for="id_birth_name"' in html
