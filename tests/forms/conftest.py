"""Builders for form tests: a form page made of plain steps and fields, published under a council."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forms.engine.rendering import DEFINITIONS, EMPTY_STEPS, LAYOUTS
from forms.family.services import private_storage
from forms.models import DossierFile, FormIndexPage, FormPage

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def field(type_, key, label=None, *, required=True, condition=None, **options):
    """A field block as stored by the StreamField."""
    return {
        "type": type_,
        "value": {
            "label": label or key.replace("_", " ").capitalize(),
            "key": key,
            "help_text": "",
            "required": required,
            "condition": condition or {"field": "", "operator": "equals", "value": "", "reference_date": None},
            "health": options.pop("health", False),
            **options,
        },
    }


def when(key, operator="equals", value="oui", reference_date=None):
    return {"field": key, "operator": operator, "value": value, "reference_date": reference_date}


def step(title, *fields, condition=None):
    return {
        "type": "step",
        "value": {
            "title": title,
            "intro": "",
            "condition": condition or {"field": "", "operator": "equals", "value": "", "reference_date": None},
            "fields": list(fields),
        },
    }


def group(key, *fields, min_items=1, max_items=3, item_label="Enfant", required=True, **options):
    return field(
        "group",
        key,
        required=required,
        **options,
        item_label=item_label,
        min_items=min_items,
        max_items=max_items,
        add_label="",
        remove_label="",
        fields=list(fields),
    )


def make_form(council, *steps, slug="dossier", **settings) -> FormPage:
    index = FormIndexPage.objects.child_of(council).first()
    if index is None:
        index = FormIndexPage(title="Démarches", slug="demarches")
        council.add_child(instance=index)
        index.save_revision().publish()
    page = FormPage(
        title=settings.pop("title", "Dossier famille"), slug=slug, steps=json.dumps(list(steps)), **settings
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def family_client(user, host="localhost") -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def pdf(name="attestation.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def step_url(page, number):
    return f"{page.url}etape/{number}/"


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    """Each test starts with empty render caches and its own private storage folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    # Changing settings.STORAGES makes Django forget the storages it built (its setting_changed signal).
    for cache in (DEFINITIONS, LAYOUTS, EMPTY_STEPS):
        cache.clear()
    yield


def make_agent(council, username, *, role="agent"):
    """A staff member of ``council`` in ``role`` (agent, health, billing), through the role's group."""
    from forms.backoffice.roles import council_group_ensure
    from tests.conftest import make_staff

    return make_staff(username, groups=[council_group_ensure(council=council, role=role)])


def stored_pdf(dossier, key="justificatif_domicile", name="facture.pdf") -> DossierFile:
    """A PDF stored in the private storage as the file of ``dossier``'s field ``key`` (not yet in its answers)."""
    path = private_storage().save(f"forms/test/{name}", ContentFile(PDF))
    return DossierFile.objects.create(
        dossier=dossier,
        key=key,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        path=path,
    )


def make_dossier(page, family=None, answers=None, *, status="submitted", **fields):
    """A dossier of ``page`` made directly (no HTTP), with its definition snapshot and a first event."""
    from forms.engine.rendering import definition_for
    from forms.family.household_services import household_sync_submitted
    from forms.family.services import reference_next
    from forms.models import Dossier, DossierEvent
    from home.selectors import council_for_page

    council = council_for_page(page)
    dossier = Dossier.objects.create(
        reference=reference_next(council=council, prefix=page.reference_prefix, year=2026),
        form_page=page,
        revision_id=page.live_revision_id,
        definition=definition_for(page).as_json(),
        answers=answers or {},
        family=family,
        council=council,
        status=status,
        is_health_data=page.is_health_data,
        **fields,
    )
    DossierEvent.objects.create(dossier=dossier, actor=family, kind="submitted", to_status="submitted")
    household_sync_submitted(dossier=dossier)  # as ``dossier_submit`` does: the family's household (issue 17)
    return dossier


DECREE = {
    "format": "portail-famille.tariff-decree",
    "format_version": 1,
    "key": "tarifs-test",
    "title": "Tarifs 2026",
    "reference": "Arrêté du maire n° 2025-112 du 30 juin 2025",
    "valid_from": "2025-01-01",
    "valid_to": None,
    "currency": "EUR",
    "non_resident_surcharge": "15.00",
    "no_proof": "maximum",
    "rounding": {"mode": "half_up", "quantum": "0.01"},
    "deliberations": [],
    "services": [
        {
            "key": "cantine",
            "kind": "effort_rate",
            "label": "Restauration scolaire",
            "unit": "meal",
            "rate": "0.36",
            "floor": "2.60",
            "ceiling": "4.50",
        },
        {
            "key": "alsh-journee",
            "kind": "tranches",
            "label": "Accueil de loisirs, journée",
            "unit": "day",
            "columns": [{"key": "caf", "label": "Allocataires CAF"}],
            "tranches": [
                {"qf_min": 0, "qf_max": 400, "prices": {"caf": "2.00"}},
                {"qf_min": 401, "qf_max": 700, "prices": {"caf": "2.50"}},
                {"qf_min": 701, "qf_max": None, "prices": {"caf": "14.00"}},
            ],
        },
    ],
}


def make_decree(council):
    from home.services import tariff_decree_import

    page, _created, _warnings = tariff_decree_import(council=council, data=DECREE, publish=True)
    return page


def famille_form(council, *, rules=None, slug="dossier-famille", services_chosen=False, **settings):
    """A small "dossier famille": name, QF, proof of address (expires), children, services (priced only when
    chosen if ``services_chosen``: the field then has that role), optional rules."""
    steps = [
        step(
            "Foyer",
            field("short_text", "nom", "Nom", meaning="last_name"),
            field("integer", "quotient_familial", "Quotient familial", required=False, role="family_qf"),
            field("file", "justificatif_domicile", "Justificatif de domicile", expires=True, role="proof_of_address"),
            field("file", "assurance", "Attestation d'assurance", required=False),
            field(
                "multiple_choice",
                "services",
                "Services",
                required=False,
                choices=["Restauration scolaire", "Accueil de loisirs, journée"],
                **({"role": "services_chosen"} if services_chosen else {}),
            ),
            group(
                "enfants",
                field("short_text", "prenom", "Prénom", meaning="first_name"),
                field("yes_no", "allergie", "Allergie", health=True),
            ),
        )
    ]
    if rules is not None:
        steps.append(step("Règlement", field("rules", "reglement", "Règlement intérieur", rules_page=rules.pk)))
    options = {
        "reference_prefix": "DF",
        "requires_rules_accepted": rules is not None,
        "requires_qf": True,
        "priced_services": "cantine, alsh-journee",
        "renewable": True,
        **settings,
    }
    return make_form(council, *steps, slug=slug, **options)
