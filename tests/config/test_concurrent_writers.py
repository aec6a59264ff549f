"""Several writers at once on the real database file: they wait for each other
instead of failing with "database is locked" (SQLite) or losing writes."""

import threading

import pytest
from django.db import connection, transaction

from stores.models import Branch

WRITERS = 6
TRANSACTIONS_EACH = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_read_then_write_transactions_all_commit():
    start = threading.Barrier(WRITERS)
    errors = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for n in range(TRANSACTIONS_EACH):
                # Read, then write in the same transaction: on SQLite's default
                # deferred BEGIN two such writers deadlock on upgrading their lock.
                with transaction.atomic():
                    seen = Branch.objects.count()
                    Branch.objects.create(code=f"W{number}-{n}", name=f"W{number}-{n} after {seen}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Branch.objects.filter(code__startswith="W").count() == WRITERS * TRANSACTIONS_EACH
