"""Delete the drafts past their 60 days (and their files). Run daily (cron or the task worker's scheduler)."""

from django.core.management.base import BaseCommand

from forms.family.services import drafts_purge_expired


class Command(BaseCommand):
    help = "Delete expired drafts and their uploaded files."

    def handle(self, *args, **options):
        count = drafts_purge_expired()
        self.stdout.write(f"{count} expired draft(s) deleted.")
