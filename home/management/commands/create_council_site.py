"""Create a new council's starter site: home page, Site, news, agenda, FAQ, contact, legal pages, menus."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from home.starter import council_site_create


class Command(BaseCommand):
    help = "Create a council's starter site (safe to run again: what exists is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Official name, e.g. « Commune de Valmont ».")
        parser.add_argument("--hostname", required=True, help="The site's hostname, e.g. portail.valmont.fr.")
        parser.add_argument("--port", type=int, default=80)
        parser.add_argument("--slug", default="")
        parser.add_argument("--siret", required=True)
        parser.add_argument("--insee-code", required=True)
        parser.add_argument("--address", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--dpo-email", required=True)
        parser.add_argument("--colour", default="#1d4f91", help="Primary colour, #RRGGBB (contrast 4.5:1 with white).")

    def handle(self, *args, **options):
        try:
            council = council_site_create(
                name=options["name"],
                hostname=options["hostname"],
                port=options["port"],
                slug=options["slug"],
                siret=options["siret"],
                insee_code=options["insee_code"],
                address=options["address"].replace("\\n", "\n"),
                email=options["email"],
                dpo_email=options["dpo_email"],
                colour=options["colour"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{council.official_name}: starter site at {council.url_path}"))
