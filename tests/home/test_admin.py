"""Staff edit council pages in the Wagtail admin: the editing forms of every new page type render."""

import pytest
from django.urls import reverse

from home.models import RulesVersion
from tests.conftest import otp_client

from .conftest import make_decree, make_deliberation, make_deliberation_index, make_rules

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        ("deliberationindexpage", "council"),
        ("rulespage", "council"),
        ("tariffdecreepage", "council"),
        ("deliberationpage", "index"),
    ],
)
def test_add_forms_render(council_a, editor_a, model, parent):
    index = make_deliberation_index(council_a)
    parent_page = council_a if parent == "council" else index
    response = otp_client(editor_a).get(reverse("wagtailadmin_pages:add", args=["home", model, parent_page.pk]))
    assert response.status_code == 200


def test_edit_forms_render(council_a, editor_a):
    index = make_deliberation_index(council_a)
    client = otp_client(editor_a)
    for page in (index, make_deliberation(index, "2025-01"), make_rules(council_a), make_decree(council_a)):
        assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200


def test_publishing_from_the_admin_freezes_a_new_rules_version(council_a, editor_a):
    rules = make_rules(council_a)
    client = otp_client(editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[rules.pk])
    form = client.get(url).context["form"]
    data = {field.name: field.value() for field in form if field.value() is not None}
    data.update(
        {
            "title": rules.title,
            "slug": rules.slug,
            "effective_date": "2026-09-01",
            "body": '{"blocks":[{"key":"a","type":"unstyled","depth":0,"text":"Nouveau texte.","inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
            "articles-count": "0",
            "deliberation_links-TOTAL_FORMS": "0",
            "deliberation_links-INITIAL_FORMS": "0",
            "deliberation_links-MIN_NUM_FORMS": "0",
            "deliberation_links-MAX_NUM_FORMS": "1000",
            "action-publish": "publish",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    latest = RulesVersion.objects.filter(rules_page=rules).order_by("-number").first()
    assert latest.number == 2 and "Nouveau texte." in latest.text


def test_rules_with_versions_cannot_be_deleted_from_the_admin(council_a, editor_a):
    rules = make_rules(council_a)
    client = otp_client(editor_a)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[rules.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_pages:edit", args=[rules.pk])
    assert RulesVersion.objects.filter(rules_page=rules).exists()
    assert type(rules).objects.filter(pk=rules.pk).exists()
