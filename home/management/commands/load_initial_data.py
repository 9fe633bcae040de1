"""Build (or refresh) the demo: councils, pages, staff, forms... Safe to run again."""

import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_otp.plugins.otp_totp.models import TOTPDevice

from home.demo import DEMO_COUNCILS, DEMO_PASSWORD_ADMIN, DEMO_PASSWORD_STAFF, demo_backup_codes, demo_port


class Command(BaseCommand):
    help = "Create or update the demo content of every app (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-published-credentials",
            action="store_true",
            help="Load the demo even with settings that do not allow it (production settings): it creates "
            "'admin' and staff accounts whose passwords and second factors are published in the README.",
        )

    def handle(self, *args, **options):
        # The demo accounts' passwords and TOTP secrets are public: never create them on a real installation
        # by mistake (production settings run with DEBUG off and without PORTAIL_DEMO_ALLOWED).
        if not (settings.DEBUG or settings.PORTAIL_DEMO_ALLOWED or options["allow_published_credentials"]):
            raise CommandError(
                "Refused: these settings are not for development or tests, and the demo creates accounts whose "
                "passwords are published (admin / demo-admin-2026). Pass --allow-published-credentials only "
                "on a throwaway installation (a benchmark, a demo server)."
            )
        for dotted_path in settings.PORTAIL_DEMO_LOADERS:
            import_string(dotted_path)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Sites: " + ", ".join(f"http://{c.hostname}:{demo_port()}/ ({c.official_name})" for c in DEMO_COUNCILS)
        )
        self.stdout.write(
            f"Staff (admin at /admin/, second factor required): password {DEMO_PASSWORD_ADMIN} for admin, "
            f"{DEMO_PASSWORD_STAFF} for the others"
        )
        for device in TOTPDevice.objects.filter(name="demo").select_related("user").order_by("user__username"):
            secret = base64.b32encode(device.bin_key).decode()
            codes = ", ".join(demo_backup_codes(device.user.username))
            self.stdout.write(f"  {device.user.username:<20} TOTP secret {secret}  backup codes {codes}")
