"""Internal rules: numbered versions frozen at publication, append-only acceptances, status, registers."""

import csv
import hashlib
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from home.models import AppendOnlyError, RulesAcceptance, RulesVersion
from home.selectors import (
    rules_acceptance_register,
    rules_acceptance_status,
    rules_pages_for_council,
    rules_version_in_force,
    rules_versions_with_periods,
)
from tests.conftest import otp_client

from .conftest import accept, make_rules, republish

pytestmark = pytest.mark.django_db


def test_publishing_freezes_a_numbered_version_with_the_sha256_of_its_text(council_a):
    rules = make_rules(council_a)
    version = RulesVersion.objects.get(rules_page=rules)
    assert version.number == 1
    assert version.effective_date == date(2025, 9, 1)
    assert "Article 1 : les familles inscrivent leurs enfants chaque année." in version.text
    assert version.text_sha256 == hashlib.sha256(version.text.encode()).hexdigest()


def test_republishing_the_same_text_makes_no_new_version_but_a_change_does(council_a):
    rules = make_rules(council_a)
    republish(rules, title=rules.title)
    assert rules.versions.count() == 1
    republish(rules, body="<p>Article 1 : nouvelle rédaction.</p>", effective_date=date(2026, 1, 1))
    republish(rules, effective_date=date(2026, 2, 1))
    assert list(rules.versions.values_list("number", "effective_date")) == [
        (1, date(2025, 9, 1)),
        (2, date(2026, 1, 1)),
        (3, date(2026, 2, 1)),
    ]
    assert rules.versions.get(number=1).text != rules.versions.get(number=2).text


def test_version_in_force_and_periods(council_a):
    rules = make_rules(council_a, effective_date=date(2023, 1, 1))
    republish(rules, body="<p>Deuxième version.</p>", effective_date=date(2025, 9, 1))
    republish(rules, body="<p>Troisième version.</p>", effective_date=date(2099, 9, 1))
    assert rules_version_in_force(rules_page=rules, on=date(2022, 12, 31)) is None
    assert rules_version_in_force(rules_page=rules, on=date(2025, 8, 31)).number == 1
    assert rules_version_in_force(rules_page=rules, on=date(2025, 9, 1)).number == 2
    assert rules_version_in_force(rules_page=rules).number == 2
    periods = [(v.number, v.valid_to, v.in_force) for v in rules_versions_with_periods(rules_page=rules)]
    assert periods == [(1, date(2025, 8, 31), False), (2, date(2099, 8, 31), True), (3, None, False)]


def test_a_new_version_cannot_start_before_the_latest(council_a):
    rules = make_rules(council_a)
    rules.effective_date = date(2024, 1, 1)
    with pytest.raises(ValidationError) as error:
        rules.full_clean()
    assert "effective_date" in error.value.message_dict


def test_each_version_has_a_stable_url_saying_when_it_was_in_force(council_a):
    rules = make_rules(council_a, effective_date=date(2023, 1, 1))
    republish(rules, body="<p>Deuxième version.</p>", effective_date=date(2025, 9, 1))
    first = rules.versions.get(number=1)
    assert first.url == f"{rules.url}version/1/"
    html = Client().get(first.url).content.decode()
    assert "Version 1, en vigueur du 1er janvier 2023 au 31 août 2025." in html
    assert "Article 1 : les familles" in html and first.text_sha256 in html
    assert Client().get(f"{rules.url}version/9/").status_code == 404
    page_html = Client().get(rules.url).content.decode()
    assert 'href="/reglement-centre-social/version/2/"' in page_html


def test_rules_accept_records_the_evidence_of_the_version_in_force(council_a, family):
    rules = make_rules(council_a)
    acceptance = accept(rules, family)
    version = rules.versions.get()
    assert acceptance.version == version
    assert acceptance.version_number == 1
    assert acceptance.text_sha256 == version.text_sha256
    assert acceptance.checkbox_label == "J'ai lu et j'accepte le règlement."
    assert acceptance.ip_address == "203.0.113.7"
    assert acceptance.user_agent == "Mozilla/5.0 (test)"
    assert acceptance.accepted_at.utcoffset().total_seconds() == 0


def test_rules_accept_refuses_without_a_version_in_force_or_with_another_page_s_version(council_a, family):
    future = make_rules(council_a, slug="futur", effective_date=date(2099, 1, 1))
    with pytest.raises(ValidationError) as error:
        accept(future, family)
    assert error.value.code == "no_version"
    other = make_rules(council_a, slug="autre")
    with pytest.raises(ValidationError):
        accept(future, family, version=other.versions.get())
    with pytest.raises(ValidationError):
        accept(other, family, guardian_name="  ")


def test_acceptances_and_versions_are_append_only_through_the_orm(council_a, family):
    rules = make_rules(council_a)
    acceptance = accept(rules, family)
    acceptance.guardian_name = "Quelqu'un d'autre"
    with pytest.raises(AppendOnlyError):
        acceptance.save()
    with pytest.raises(AppendOnlyError):
        acceptance.delete()
    with pytest.raises(AppendOnlyError):
        RulesAcceptance.objects.filter(pk=acceptance.pk).update(guardian_name="X")
    with pytest.raises(AppendOnlyError):
        RulesAcceptance.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        RulesAcceptance.objects.bulk_update([acceptance], ["guardian_name"])
    version = rules.versions.get()
    with pytest.raises(AppendOnlyError):
        RulesVersion.objects.filter(pk=version.pk).update(text="autre")
    with pytest.raises(AppendOnlyError):
        version.delete()
    stored = RulesAcceptance.objects.get()
    assert stored.guardian_name == "Camille Martin"


def test_the_admin_offers_no_way_to_edit_or_delete_an_acceptance(council_a, editor_a, family):
    rules = make_rules(council_a)
    acceptance = accept(rules, family)
    for name in ("edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"wagtailsnippets_home_rulesacceptance:{name}", args=[acceptance.pk])
    client = otp_client(editor_a)
    for url in (
        reverse("home_rules_register", args=[rules.pk]),
        reverse("home_rules_register_csv", args=[rules.pk]),
        reverse("home_rules_receipt_admin", args=[acceptance.reference]),
    ):
        assert client.post(url, {"guardian_name": "X"}).status_code == 405
    assert RulesAcceptance.objects.get().guardian_name == "Camille Martin"


def test_acceptance_status_never_accepted_outdated(council_a, family, other_family):
    rules = make_rules(council_a, effective_date=date(2023, 1, 1))
    assert rules_acceptance_status(rules_page=rules, user=family) == "never"
    accept(rules, family)
    assert rules_acceptance_status(rules_page=rules, user=family) == "accepted"
    republish(rules, body="<p>Nouvelle version.</p>", effective_date=date(2025, 9, 1))
    assert rules_acceptance_status(rules_page=rules, user=family) == "outdated"
    accept(rules, family)
    assert rules_acceptance_status(rules_page=rules, user=family) == "accepted"
    assert rules_acceptance_status(rules_page=rules, user=other_family) == "never"


def test_rules_pages_for_council_lists_only_that_council_s_live_rules(council_a, council_b):
    mine = make_rules(council_a)
    make_rules(council_b)
    draft = make_rules(council_a, slug="brouillon")
    draft.unpublish()
    assert list(rules_pages_for_council(council=council_a)) == [mine]


def test_register_counts_who_accepted_and_who_has_not_yet(council_a, family, other_family):
    rules = make_rules(council_a, effective_date=date(2023, 1, 1))
    accept(rules, family)
    accept(rules, other_family)
    republish(rules, body="<p>Nouvelle version.</p>", effective_date=date(2025, 9, 1))
    accept(rules, family)
    accept(rules, family, guardian_name="Alex Martin")
    register = rules_acceptance_register(rules_page=rules, version=rules.versions.get(number=2))
    assert register["accepted_count"] == 1 and register["pending_count"] == 1
    assert register["accepted"][0].guardian_name == "Alex Martin"
    assert register["pending"] == [other_family]


def test_staff_register_and_csv_are_visible_only_to_staff_of_that_council(council_a, editor_a, editor_b, family):
    rules = make_rules(council_a)
    accept(rules, family, guardian_name="=HYPERLINK(1)")
    register_url = reverse("home_rules_register", args=[rules.pk])
    csv_url = reverse("home_rules_register_csv", args=[rules.pk])
    mine = otp_client(editor_a)
    response = mine.get(register_url)
    assert response.status_code == 200
    assert family.email in response.content.decode()
    assert rules.title in mine.get(reverse("home_rules_registers")).content.decode()
    theirs = otp_client(editor_b)
    for url in (register_url, csv_url):
        refused = theirs.get(url)  # Wagtail turns the refusal into a redirect to the dashboard
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert rules.title not in theirs.get(reverse("home_rules_registers")).content.decode()
    assert Client().get(csv_url).status_code == 302  # to the admin login


def test_csv_export_is_the_evidence_register(council_a, editor_a, family):
    rules = make_rules(council_a)
    acceptance = accept(rules, family, guardian_name="=HYPERLINK(1)")
    response = otp_client(editor_a).get(reverse("home_rules_register_csv", args=[rules.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1] == [
        str(acceptance.reference),
        rules.title,
        "1",
        acceptance.text_sha256,
        family.email,
        "'=HYPERLINK(1)",
        "J'ai lu et j'accepte le règlement.",
        acceptance.accepted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "203.0.113.7",
        "Mozilla/5.0 (test)",
    ]
    other_version = otp_client(editor_a).get(reverse("home_rules_register_csv", args=[rules.pk]) + "?version=2")
    assert len(list(csv.reader(io.StringIO(other_version.content.decode("utf-8-sig")), delimiter=";"))) == 1


def test_read_and_accept_page_for_logged_in_families(council_a, family):
    rules = make_rules(council_a)
    url = f"{rules.url}accepter/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    client = Client()
    client.force_login(family)
    page = client.get(url)
    assert "Article 1 : les familles" in page.content.decode()
    refused = client.post(url, {"guardian_name": "Camille Martin"})
    assert refused.status_code == 200 and not RulesAcceptance.objects.exists()
    assert 'href="#id_accept"' in refused.content.decode()
    response = client.post(
        url,
        {"guardian_name": "Camille Martin", "accept": "on"},
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="198.51.100.4",
    )
    acceptance = RulesAcceptance.objects.get()
    assert response["Location"] == reverse("home:rules_receipt", args=[acceptance.reference])
    assert acceptance.checkbox_label.startswith("J'ai lu la version 1 de « Règlement intérieur du centre social »")
    assert (acceptance.ip_address, acceptance.user_agent, acceptance.user) == ("198.51.100.4", "Firefox/140", family)
    receipt = client.get(response["Location"]).content.decode()
    assert acceptance.text_sha256 in receipt and acceptance.checkbox_label.replace("'", "&#x27;") in receipt


def test_receipts_are_shown_to_their_family_and_to_that_council_s_staff_only(
    council_a, family, other_family, editor_a, editor_b
):
    rules = make_rules(council_a)
    acceptance = accept(rules, family)
    url = reverse("home:rules_receipt", args=[acceptance.reference])
    owner = Client()
    owner.force_login(family)
    assert owner.get(url).status_code == 200
    stranger = Client()
    stranger.force_login(other_family)
    assert stranger.get(url).status_code == 404
    admin_url = reverse("home_rules_receipt_admin", args=[acceptance.reference])
    assert otp_client(editor_a).get(admin_url).status_code == 200
    refused = otp_client(editor_b).get(admin_url)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")


@pytest.mark.postgres
def test_postgresql_itself_refuses_to_alter_evidence(council_a, family):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    acceptance = accept(make_rules(council_a), family)
    for sql in ("UPDATE home_rulesacceptance SET guardian_name = 'X'", "DELETE FROM home_rulesversion"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert RulesAcceptance.objects.get(pk=acceptance.pk).guardian_name == "Camille Martin"


def test_the_accept_page_lists_the_family_s_own_receipts(council_a, family, other_family):
    rules = make_rules(council_a)
    mine = accept(rules, family)
    theirs = accept(rules, other_family)
    client = Client()
    client.force_login(family)
    html = client.get(f"{rules.url}accepter/").content.decode()
    assert reverse("home:rules_receipt", args=[mine.reference]) in html
    assert reverse("home:rules_receipt", args=[theirs.reference]) not in html
