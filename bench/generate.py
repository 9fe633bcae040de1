"""Bulk data of the benchmark: dossiers by the hundred thousand, consented families (and their households) for the yearly QF check.

``generate_dossiers`` writes with PostgreSQL's COPY (about 10x faster than ``bulk_create``); every column
of ``forms.Dossier`` is filled from the model itself (its defaults for fields it does not know), so that
it keeps working when the back-office adds columns. Also a command: ``python -m bench generate --count N``.
"""

import datetime
import random
import uuid

from django.db import connection, transaction
from django.utils import timezone

from . import fixtures

STATUS_WEIGHTS = {
    "submitted": 30,
    "under_review": 20,
    "correction_requested": 10,
    "validated": 30,
    "refused": 5,
    "closed": 5,
}


def generate_dossiers(*, count: int, forms: list, families: int = 2_000, seed: int = 8) -> int:
    """Insert ``count`` submitted dossiers of ``forms`` (council of each form), spread over a year."""
    from forms.models import Dossier
    from home.selectors import council_for_page

    from .fixtures import fill_draft

    rng = random.Random(seed)  # noqa: S311 (sample data, not secrets)
    users = fixtures.families("f4", families)
    samples = []
    for number, page in enumerate(forms):
        answers = fill_draft(page, fixtures.families(f"f4t{number}", 1)[0], steps=None)
        definition = page.build_definition().as_json()
        samples.append((page, council_for_page(page), definition, answers))
    statuses = [status for status, weight in STATUS_WEIGHTS.items() for _ in range(weight)]
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    start = Dossier.objects.count()
    with transaction.atomic(), connection.cursor() as cursor:
        table = connection.ops.quote_name(Dossier._meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for number in range(start, start + count):
                page, council, definition, answers = samples[number % len(samples)]
                user = users[number % len(users)]
                submitted = now - datetime.timedelta(seconds=rng.randrange(365 * 24 * 3600))
                known = {
                    "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "reference": f"BG-{submitted.year}-{number + 1:07d}",
                    "form_page": page.pk,
                    "revision": page.live_revision_id,
                    "definition": definition,
                    "answers": answers,
                    "provenance": {},
                    "family": user.pk,
                    "contact_email": user.email,
                    "council": council.pk,
                    "status": rng.choice(statuses),
                    "created_at": submitted,
                    "submitted_at": submitted,
                    "updated_at": submitted,
                }
                copy.write_row(
                    [
                        f.get_db_prep_save(known[f.name] if f.name in known else f.get_default(), connection)
                        for f in fields
                    ]
                )
    # What autovacuum does soon after such a load in production (PostgreSQL vacuums after many inserts): the
    # planner's statistics, and the visibility map that lets a COUNT read the index alone. VACUUM cannot run
    # inside a transaction: within one (a test), statistics only.
    table = connection.ops.quote_name(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}" if connection.in_atomic_block else f"VACUUM ANALYZE {table}")
    return count


def consented_families(*, council, count: int, identity) -> int:
    """``count`` families of ``council`` who consented to the QF call, each with a stored identity.

    Identities cycle through the simulator's demo families (found, not found, mismatch: every call counts).
    """
    from connectors.api_particulier.scopes import SCOPE_QF
    from connectors.api_particulier.simulator.cases import DEMO_FAMILIES
    from connectors.models import Consent, ConsentedIdentity, add_months
    from connectors.selectors import habilitation_for, prefill_offer
    from forms.models import Household, HouseholdAccount

    scopes = [SCOPE_QF]
    offer = prefill_offer(council=council, scopes=scopes)
    habilitation = habilitation_for(council=council, scopes=scopes)
    users = fixtures.families("f5", count)
    now = timezone.now()
    with transaction.atomic():
        consents = Consent.objects.bulk_create(
            [
                Consent(
                    user=user,
                    council=council,
                    habilitation=habilitation,
                    scopes=list(offer.scopes),
                    text_version=offer.text_version,
                    text=offer.text,
                    created_at=now,
                )
                for user in users
            ],
            batch_size=1000,
        )
        identities = [identity(family.key) for family in DEMO_FAMILIES]
        records = []
        for number, (user, consent) in enumerate(zip(users, consents, strict=True)):
            record = ConsentedIdentity(
                user=user,
                council=council,
                habilitation=habilitation,
                consent=consent,
                scopes=list(offer.scopes),
                purge_after=add_months(now, habilitation.retention_months),
            )
            record.identity = identities[number % len(identities)]
            records.append(record)
        ConsentedIdentity.objects.bulk_create(records, batch_size=1000)
        # The yearly QF check works on households: each family has its own.
        households = Household.objects.bulk_create([Household(council=council) for _user in users], batch_size=1000)
        HouseholdAccount.objects.bulk_create(
            [
                HouseholdAccount(household=h, user=user, council=council)
                for h, user in zip(households, users, strict=True)
            ],
            batch_size=1000,
        )
    return count
