"""Builders for form tests: a form page made of plain steps and fields, published under a council."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forms.models import FormIndexPage, FormPage
from forms.rendering import DEFINITIONS, EMPTY_STEPS, LAYOUTS

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


def group(key, *fields, min_items=1, max_items=3, item_label="Enfant", required=True):
    return field(
        "group",
        key,
        required=required,
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
    from django.core.files.storage import storages

    storages._storages.pop("private", None)
    for cache in (DEFINITIONS, LAYOUTS, EMPTY_STEPS):
        cache.clear()
    yield
    storages._storages.pop("private", None)
