"""``manage.py apiparticulier introspect|ping|quotient-familial|purge-logs``: staff diagnostics
and operations on API Particulier. Diagnostics print ONE JSON object on stdout; the exit code is 0 only on
success.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from home.models import CouncilHomePage

from ...api_particulier.errors import ApiError, ErrorKind
from ...api_particulier.identity import FRANCE_COG, Identity, IdentityError
from ...api_particulier.scopes import QF_SCOPES
from ...models import Habilitation, HabilitationState
from ...services import call_logs_purge, diagnostic_call


class Command(BaseCommand):
    help = "API Particulier diagnostics (introspect, ping, quotient-familial) and operations (purge-logs). The yearly QF check: manage.py qf_check."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("introspect", "List the scopes of the habilitation's token."),
            ("ping", "Health of the CNAF/MSA quotient familial provider."),
            ("quotient-familial", "Fetch one QF by identity (diagnostic; logged without identity)."),
        ):
            action = sub.add_parser(name, help=text)
            self._target(action, required=name != "ping")
        qf = sub.choices["quotient-familial"]
        qf.add_argument("--nom-naissance", required=True)
        qf.add_argument("--nom-usage", default="")
        qf.add_argument("--prenom", action="append", required=True, help="repeat for each first name (1 to 3)")
        qf.add_argument("--sexe", required=True, choices=["M", "F"])
        qf.add_argument("--date-naissance", type=date.fromisoformat, help="YYYY-MM-DD")
        qf.add_argument("--code-pays-naissance", default=FRANCE_COG, help="INSEE code, 99100 = France")
        qf.add_argument("--code-insee-naissance", default="", help="INSEE code of the town of birth")
        qf.add_argument("--commune-naissance", default="", help="town of birth (with --departement-naissance)")
        qf.add_argument("--departement-naissance", default="")
        qf.add_argument("--annee", type=int)
        qf.add_argument("--mois", type=int)
        qf.add_argument("--scopes", default="", help="comma-separated; default: the habilitation's QF scopes")
        sub.add_parser("purge-logs", help="Delete call logs and stored identities past their retention.")

    @staticmethod
    def _target(parser: CommandParser, *, required: bool) -> None:
        group = parser.add_mutually_exclusive_group(required=required)
        group.add_argument("--council", help="slug of the council (its active habilitation)")
        group.add_argument("--habilitation", type=int, help="id of the habilitation")

    def handle(self, *args, action: str, **options) -> None:
        if action == "purge-logs":
            deleted = call_logs_purge()
            self.stdout.write(json.dumps({"status": "ok", "deleted": deleted}))
            return None
        habilitation = self.habilitation(options)
        identity = None
        scopes = None
        if action == "quotient-familial":
            scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()] or [
                scope for scope in habilitation.scopes if scope in QF_SCOPES
            ]
            identity = self.identity(options)
        response, error = diagnostic_call(
            habilitation=habilitation,
            action=action,
            identity=identity,
            scopes=scopes,
            annee=options.get("annee"),
            mois=options.get("mois"),
        )
        if error is not None:
            self.fail(error)
        result = {"status": "ok", "http_status": response.http_status, "request_id": response.request_id}
        if action == "quotient-familial":
            result.update(scopes=scopes, data=response.data)
        elif action == "ping":
            result["ping"] = response.body  # its own "status": ok, maintenance or unknown
        else:
            result.update(response.body)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        return None

    def habilitation(self, options) -> Habilitation:
        if options.get("habilitation"):
            habilitation = Habilitation.objects.select_related("council").filter(pk=options["habilitation"]).first()
            if habilitation is None:
                self.fail(ApiError(ErrorKind.NOT_ALLOWED, detail="no such habilitation"))
            return habilitation
        if options.get("council"):
            council = CouncilHomePage.objects.filter(slug=options["council"]).first()
            if council is None:
                raise CommandError(f"No council with the slug {options['council']!r}.")
            candidates = Habilitation.objects.filter(council=council, state=HabilitationState.ACTIVE)
            habilitation = next(
                (h for h in candidates.select_related("council").order_by("-valid_from") if h.is_usable()), None
            )
            if habilitation is None:
                self.fail(ApiError(ErrorKind.NOT_ALLOWED, detail="the council has no active habilitation"))
            return habilitation
        # ping needs no token: any habilitation object carries the recipient; none is fine too.
        return Habilitation.objects.select_related("council").first() or self.fail(
            ApiError(ErrorKind.NOT_ALLOWED, detail="no habilitation to ping with")
        )

    def identity(self, options) -> Identity:
        identity = Identity(
            birth_name=options["nom_naissance"],
            usage_name=options["nom_usage"],
            first_names=tuple(options["prenom"]),
            sex=options["sexe"],
            birth_date=options.get("date_naissance"),
            born_in_france=options["code_pays_naissance"] == FRANCE_COG,
            birth_country_code=options["code_pays_naissance"],
            birth_commune_code=options["code_insee_naissance"],
            birth_commune_name=options["commune_naissance"],
            birth_department_code=options["departement_naissance"],
        )
        try:
            identity.validate()
        except IdentityError as error:
            self.fail(ApiError(ErrorKind.INVALID_INPUT, detail=str(error)))
        return identity

    def fail(self, error: ApiError):
        self.stdout.write(
            json.dumps(
                {
                    "status": "error",
                    "kind": error.kind.value,
                    "code": error.code,
                    "http_status": error.http_status,
                    "message": error.technical_message,
                    "request_id": error.request_id,
                },
                ensure_ascii=False,
            )
        )
        raise CommandError(f"API Particulier: {error.kind.value}", returncode=1)
