"""Issue 13, item 9: histories and acceptances are append-only in the database itself, on SQLite and
PostgreSQL; deleting an account keeps who did what; the application's PostgreSQL role cannot lift it."""

import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.db.models import ProtectedError

from forms.backoffice import workflow
from forms.models import DossierEvent
from home.models import RulesAcceptance, RulesVersion
from tests.conftest import otp_client
from tests.home.conftest import accept, make_rules

from .conftest import famille_form, make_agent, make_dossier

EVIDENCE = ["home_rulesacceptance", "home_rulesversion", "forms_dossierevent"]


@pytest.fixture
def evidence(council_a, family):
    """An acceptance, its version, and a dossier whose history has the family's and an agent's events."""
    rules = make_rules(council_a)
    acceptance = accept(rules, family)
    dossier = make_dossier(famille_form(council_a), family, {"nom": "Martin"})
    agent = make_agent(council_a, "agent.a")
    agent.first_name, agent.last_name = "Paule", "Agent"
    agent.save()
    workflow.dossier_review_start(dossier=dossier, by=agent)
    return {"acceptance": acceptance, "dossier": dossier, "agent": agent}


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error) or "permission denied" in str(error) or "must be owner" in str(error)
    return False


def test_raw_sql_and_plain_querysets_cannot_alter_evidence(evidence):
    probes = []
    for table in EVIDENCE:
        column = {"forms_dossierevent": "comment", "home_rulesversion": "title"}.get(table, "guardian_name")
        probes.append(f"UPDATE {table} SET {column} = 'changé'")  # noqa: S608 (our own tables)
        probes.append(f"DELETE FROM {table}")  # noqa: S608
    # An UPDATE that empties the actor AND changes something else is refused too.
    probes.append("UPDATE forms_dossierevent SET actor_id = NULL, comment = 'changé'")
    probes.append("UPDATE forms_dossierevent SET actor_id = NULL, to_status = 'validated'")
    held = sum(refused(sql) for sql in probes)
    # A QuerySet that is not the model's append-only one (the way the audit went around the ORM guard).
    orm_probes = [
        lambda: models.QuerySet(model=RulesAcceptance).update(guardian_name="X"),
        lambda: models.QuerySet(model=RulesVersion).update(title="X"),
        lambda: models.QuerySet(model=DossierEvent).update(comment="X"),
        lambda: models.QuerySet(model=RulesAcceptance).filter(pk=evidence["acceptance"].pk).delete(),
    ]
    for probe in orm_probes:
        try:
            with transaction.atomic():
                probe()
        except DatabaseError:
            held += 1
    assert (len(probes) + len(orm_probes), held) == (12, 12)
    assert RulesAcceptance.objects.get().guardian_name == "Camille Martin"
    assert [event.comment for event in DossierEvent.objects.all()] == ["", ""]


def test_deleting_a_staff_account_keeps_the_actor_s_name(evidence):
    dossier, agent = evidence["dossier"], evidence["agent"]
    event = DossierEvent.objects.get(actor=agent)
    assert event.actor_name == "Paule Agent"
    agent.delete()
    event = DossierEvent.objects.get(pk=event.pk)
    assert (event.actor, event.actor_name, event.to_status) == (None, "Paule Agent", "under_review")
    viewer = make_agent(evidence["dossier"].council, "agent.b")
    page = otp_client(viewer).get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    assert "Paule Agent" in page


def test_a_dossier_with_a_history_cannot_be_deleted(evidence):
    with pytest.raises(ProtectedError):
        evidence["dossier"].delete()
    assert DossierEvent.objects.filter(dossier=evidence["dossier"]).count() == 2


@pytest.mark.django_db(transaction=True)  # PostgreSQL cannot TRUNCATE inside the test's transaction
def test_flush_empties_evidence_and_keeps_its_protection(evidence, council_a, family):
    """Transactional tests end with a flush: it may empty the tables, and the triggers still hold after."""
    call_command("flush", interactive=False, verbosity=0)
    assert not RulesAcceptance.objects.exists() and not DossierEvent.objects.exists()
    from tests.conftest import make_council, make_family

    council = make_council("valmont2", hostname="valmont2.localhost", siret="21219990500010")
    accept(make_rules(council), make_family("x@example.fr"))
    assert refused("DELETE FROM home_rulesacceptance")


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)  # TRUNCATE outside the test's transaction, as in production
def test_postgresql_refuses_truncate_of_evidence(evidence):
    held = sum(refused(f"TRUNCATE {table} CASCADE") for table in EVIDENCE)
    assert (len(EVIDENCE), held) == (3, 3)
    assert RulesAcceptance.objects.count() == 1


@pytest.mark.postgres
@postgres_only
def test_the_application_role_of_the_readme_cannot_lift_the_protection(evidence):
    """The roles and grants of docs/postgresql-roles.sql: the app's role reads and writes, and cannot
    TRUNCATE, UPDATE, DELETE, disable or drop the triggers (it does not own the tables)."""
    role = f"portail_app_{uuid.uuid4().hex[:8]}"
    grants = (Path(__file__).parents[2] / "docs" / "postgresql-roles.sql").read_text()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in grants.split(";"):
            sql = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
            if sql:
                cursor.execute(sql.replace("portail_app", role))

    def as_app(sql: str) -> bool:
        return refused(f"SET LOCAL ROLE {role}; {sql}")

    probes = [f"TRUNCATE {table} CASCADE" for table in EVIDENCE]
    probes += [f"ALTER TABLE {table} DISABLE TRIGGER ALL" for table in EVIDENCE]
    probes += [f"DROP TRIGGER {table}_append_only_rows ON {table}" for table in EVIDENCE]
    probes += ["UPDATE home_rulesacceptance SET guardian_name = 'X'", "DELETE FROM forms_dossierevent"]
    probes += ["UPDATE forms_dossierevent SET comment = 'X'"]
    held = sum(as_app(sql) for sql in probes)
    assert (len(probes), held) == (12, 12)
    # What the application needs still works: read, write a new event, forget a deleted actor.
    agent_id = evidence["agent"].pk
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("SELECT count(*) FROM home_rulesacceptance")
        assert cursor.fetchone() == (1,)
        cursor.execute("UPDATE forms_dossierevent SET actor_id = NULL WHERE actor_id = %s", [agent_id])
        assert cursor.rowcount == 1
        cursor.execute("SELECT actor_name FROM forms_dossierevent WHERE actor_id IS NULL")
        assert cursor.fetchone() == ("Paule Agent",)
