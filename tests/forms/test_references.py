"""References stay unique when many dossiers are sent at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections, transaction

from forms.family.services import reference_next


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions")
def test_concurrent_references_are_unique(council_a):
    results: list[str] = []
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(5):
                with transaction.atomic():
                    results.append(reference_next(council=council_a, prefix="DF", year=2026))
        except BaseException as error:  # reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"DF-2026-{n:06d}" for n in range(1, 31)]
