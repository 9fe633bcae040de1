"""Background tasks of the connector (Django's tasks API): purge past retention. The yearly QF check is a
task of ``forms.backoffice.qf_check`` (it works on households)."""

from django_tasks import task

from .services import call_logs_purge


@task()
def purge_call_logs() -> int:
    """Delete call log entries and stored identities past their retention (schedule daily)."""
    return call_logs_purge()
