"""``manage.py qf_check --council valmont [--month 2026-02]``: start the yearly QF check of a council, as an
agent does from the admin (Yearly QF check), and print its counts per class as one JSON object;
``--resume ID`` continues a campaign that stopped. The report, its exports and the decisions are in the admin.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from home.models import CouncilHomePage

from ...backoffice.qf_check import qf_check_report, qf_check_run, qf_check_start
from ...models import QFCheckCampaign


class Command(BaseCommand):
    help = "Start (or resume) the yearly QF check of a council; the report is in the admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", help="the council's slug")
        parser.add_argument("--month", help="reference month, YYYY-MM (default: this month)")
        parser.add_argument("--resume", type=int, help="the number of a campaign to continue")

    def handle(self, *args, **options) -> None:
        if options.get("resume"):
            campaign = QFCheckCampaign.objects.filter(pk=options["resume"]).first()
            if campaign is None:
                raise CommandError(f"No campaign number {options['resume']}.")
            campaign = qf_check_run(campaign=campaign)
        else:
            council = CouncilHomePage.objects.filter(slug=options.get("council") or "").first()
            if council is None:
                raise CommandError(f"No council with the slug {options.get('council')!r}.")
            try:
                month = (
                    datetime.date.fromisoformat(f"{options['month']}-01")
                    if options.get("month")
                    else timezone.localdate().replace(day=1)
                )
            except ValueError as error:
                raise CommandError("--month is YYYY-MM, e.g. 2026-02.") from error
            campaign = qf_check_start(council=council, month=month, by=None)
        report = qf_check_report(campaign=campaign)
        counts = {row["outcome"]: row["count"] for row in report["classes"]}
        self.stdout.write(
            json.dumps(
                {"status": campaign.status, "campaign": campaign.pk, "total": campaign.total,
                 "checked": campaign.checked, "wrong_percent": report["wrong_percent"], **counts}
            )
        )  # fmt: skip
