"""Demo content of the ``connectors`` app, loaded by ``manage.py load_initial_data`` (idempotent).

Each demo council gets an active API Particulier habilitation whose token is one of the simulator's demo
tokens (stored encrypted), and its editors may manage habilitations and read the call log.
"""

from datetime import date

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from common.crypto import DecryptionError
from home.demo import demo_councils
from home.staff import editor_group_ensure

from .api_particulier.identity import Identity
from .api_particulier.scopes import QF_SCOPES, SCOPE_ENFANTS, SCOPE_QF
from .api_particulier.simulator.cases import DEMO_FAMILIES, FAMILIES_BY_KEY
from .models import ConsentedIdentity, Habilitation, HabilitationState, LegalBasis, Modality, add_months
from .selectors import prefill_offer
from .services import consent_record, consent_withdraw

# Per council: the simulator token and the scopes granted (Bellerive shows masking: QF and children only).
DEMO_HABILITATIONS = {
    "valmont": ("demo-qf-complet", list(QF_SCOPES)),
    "bellerive": ("demo-qf-enfants", [SCOPE_QF, SCOPE_ENFANTS]),
}
EDITOR_PERMISSIONS = ["view_habilitation", "add_habilitation", "change_habilitation", "view_apicalllog"]


def load(*, stdout) -> None:
    """Create or update the demo habilitations and print the simulator's demo families."""
    for council in demo_councils():
        token, scopes = DEMO_HABILITATIONS.get(council.slug, ("demo-qf-complet", list(QF_SCOPES)))
        datapass_id = f"DEMO-{council.slug.upper()}"
        habilitation = Habilitation.objects.filter(council=council, datapass_id=datapass_id).first()
        if habilitation is None:
            habilitation = Habilitation(council=council, datapass_id=datapass_id)
        habilitation.title = f"Quotient familial – {council.official_name}"
        habilitation.purpose = (
            "Calculer les tarifs de la restauration scolaire, du périscolaire et de l'accueil de loisirs"
        )
        habilitation.legal_basis = LegalBasis.PUBLIC_TASK
        habilitation.legal_basis_reference = "Délibération fixant les tarifs des services à l'enfance"
        habilitation.scopes = scopes
        habilitation.modalities = [Modality.IDENTITY, Modality.FRANCE_CONNECT]
        habilitation.retention_months = 12
        # Relative dates keep the demo authorisation valid whenever the demo is loaded.
        habilitation.valid_from = date(timezone.localdate().year, 1, 1)
        habilitation.valid_until = date(timezone.localdate().year + 2, 12, 31)
        habilitation.state = HabilitationState.ACTIVE
        habilitation.dpo_email = council.dpo_email
        habilitation.technical_contact_email = council.email
        try:
            current = habilitation.get_token()
        except DecryptionError:  # the key changed since the last load
            current = ""
        if current != token:
            habilitation.set_token(token)
        habilitation.full_clean()
        habilitation.save()
        group = editor_group_ensure(council)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="connectors", codename__in=EDITOR_PERMISSIONS)
        )
        stdout.write(
            f"API Particulier: {council.official_name} uses the simulator token {token} ({', '.join(scopes)})."
        )
    stdout.write(
        "Start the simulator: python -m connectors.api_particulier.simulator --port 8001. Demo families "
        "(benefit holder; see connectors/api_particulier/simulator/README.md):"
    )
    for family in DEMO_FAMILIES:
        holder = family.holder
        place = family.birth_commune_name or f"pays {family.birth_country}"
        stdout.write(
            f"  - {holder.nom_naissance} {holder.prenoms.title()} ({holder.sexe}, {holder.date_naissance}, {place}): "
            f"{family.description}"
        )


def simulator_identity(key: str) -> Identity:
    """The identity of one of the simulator's demo families, as the family would type it."""
    family = FAMILIES_BY_KEY[key]
    return Identity(
        birth_name=family.holder.nom_naissance,
        first_names=tuple(family.first_names[:1]),
        sex=family.holder.sexe,
        birth_date=date.fromisoformat(family.holder.date_naissance),
        born_in_france=family.birth_country == "99100",
        birth_country_code=family.birth_country,
        birth_commune_code=family.birth_commune_code,
    )


@transaction.atomic
def demo_consent(*, user, council, family_key: str, withdrawn: bool = False) -> None:
    """A demo family's consent to the QF call and the identity kept for the yearly QF check (that of the
    simulator family ``family_key``), as after a fetch last year; ``withdrawn``: the family withdrew it since."""
    offer = prefill_offer(council=council, scopes=[SCOPE_QF])
    if offer is None:
        return
    consent = consent_record(user=user, council=council, scopes=[SCOPE_QF], text_version=offer.text_version)
    record = ConsentedIdentity(
        user=user,
        council=council,
        habilitation=consent.habilitation,
        consent=consent,
        scopes=list(consent.scopes),
        purge_after=add_months(timezone.now(), consent.habilitation.retention_months),
    )
    record.identity = simulator_identity(family_key)
    record.save()
    if withdrawn:
        consent_withdraw(consent=consent, user=user)
