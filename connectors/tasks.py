"""Background tasks of the connector (Django's tasks API): purge past retention, yearly QF refresh."""

from django_tasks import task

from home.models import CouncilHomePage

from .services import call_logs_purge, qf_refresh_council


@task()
def purge_call_logs() -> int:
    """Delete call log entries and stored identities past their retention (schedule daily)."""
    return call_logs_purge()


@task()
def refresh_qf(council_id: int) -> dict:
    """Fetch again the QF of every consenting family of a council; returns the report without its rows."""
    report = qf_refresh_council(council=CouncilHomePage.objects.get(pk=council_id)).as_dict()
    report.pop("rows")
    return report
