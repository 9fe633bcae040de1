"""With the production settings, a family's submit stores the confirmation email as a task; the worker
(``manage.py db_worker``) sends it afterwards, so a slow mail server never slows down the submit."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from forms.models import Dossier, NotificationLog, NotificationStatus

from .conftest import family_client, field, make_form, step, step_url


@pytest.fixture
def database_tasks(settings):
    """The tasks backend of the production settings (django_tasks reloads its backends on this change)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)  # the worker closes database connections between tasks
def test_the_worker_sends_the_confirmation_after_the_submit(council_a, family, database_tasks):
    page = make_form(council_a, step("Responsable", field("short_text", "nom", "Nom")))
    client = family_client(family)
    client.post(page.url)
    client.post(step_url(page, 1), {"nom": "Martin"})
    response = client.post(f"{page.url}verifier/")
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert mail.outbox == []
    assert NotificationLog.objects.get(dossier=dossier).status == NotificationStatus.PENDING
    assert DBTaskResult.objects.filter(task_path="forms.family.notifications.notification_send").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert NotificationLog.objects.get(dossier=dossier).status == NotificationStatus.SENT
    assert [message.to for message in mail.outbox] == [[family.email]]
    assert dossier.reference in mail.outbox[0].subject + mail.outbox[0].body


def test_production_settings_use_the_database_worker():
    from tests.site.test_settings import GOOD_SECRET, run_with_production_settings

    result = run_with_production_settings(
        "import django; django.setup(); from django.conf import settings; print(settings.TASKS['default']['BACKEND'])",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="portail.example.fr",
    )
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr
