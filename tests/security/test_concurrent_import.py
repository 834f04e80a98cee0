"""Two confirmations at once: the loser gets the designed Chinese conflict message, never a 500."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from households.excel.services import confirm_batch, preview_upload
from households.models import Household
from tests.excel.helpers import workbook_bytes
from tests.excel.test_import import family, ids


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            outcomes[i] = ("ok", job())
        except ValidationError as exc:
            outcomes[i] = ("conflict", "；".join(exc.messages))
        except Exception as exc:  # noqa: BLE001 - the test reports what a 500 would have been
            import sys
            import traceback

            traceback.print_exc(file=sys.stderr)
            outcomes[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_the_same_import_one_wins_one_gets_the_conflict_message(clerk_a):
    rows = family("C001", ids(3)) + family("C002", ids(2, start=10))
    preview = preview_upload(data=workbook_bytes(rows), filename="甲村.xlsx", user=clerk_a)
    outcomes = _race([lambda: confirm_batch(batch=preview.batch, user=clerk_a)] * 2)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    message = next(text for kind, text in outcomes if kind == "conflict")
    assert "已导入" in message
    assert Household.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_file_confirmed_at_once_load_it_once(clerk_a):
    rows = family("D001", ids(3, start=30))
    first = preview_upload(data=workbook_bytes(rows), filename="甲村.xlsx", user=clerk_a)
    second = preview_upload(data=workbook_bytes(rows), filename="甲村（重传）.xlsx", user=clerk_a)
    outcomes = _race([lambda b=b: confirm_batch(batch=b, user=clerk_a) for b in (first.batch, second.batch)])
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    assert Household.objects.count() == 1
