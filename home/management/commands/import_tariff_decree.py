"""Create or update a council's tariff decree page from a JSON file (format: docs/tariff-format.md)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from home.models import CouncilHomePage
from home.selectors import council_by_slug
from home.services import TariffImportError, tariff_decree_import


class Command(BaseCommand):
    help = "Create or update (by its key) a tariff decree page of a council from a JSON file (docs/tariff-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file, e.g. as returned by GET /api/tarifs/<id>/")
        parser.add_argument("--council", required=True, help="slug of the council's home page, e.g. valmont")
        parser.add_argument("--draft", action="store_true", help="save a draft revision instead of publishing")

    def handle(self, *args, file, council, draft, **options):
        try:
            council_page = council_by_slug(council)
        except CouncilHomePage.DoesNotExist:
            raise CommandError(_("No council has the slug “%(slug)s”.") % {"slug": council}) from None
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from None
        except json.JSONDecodeError as error:
            raise CommandError(_("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": error}) from None
        try:
            page, created, warnings = tariff_decree_import(council=council_page, data=data, publish=not draft)
        except TariffImportError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(_("The decree is not valid: %(details)s") % {"details": details}) from None
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        message = _("Created “%(title)s” (id %(id)s).") if created else _("Updated “%(title)s” (id %(id)s).")
        self.stdout.write(self.style.SUCCESS(message % {"title": page.title, "id": page.pk}))
