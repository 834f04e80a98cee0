"""户编号 assigned on entry: the village's 12-digit code + a 4-digit sequence (e.g. 2112231000010007).

Imported households keep the numbers of their source system. Race-safe without a lock table: the
next number is the village's highest + 1 (archived households count, so a number is never given
twice), and the county-wide unique constraint on 户编号 decides between two clerks saving at once;
the loser takes the next number and saves again.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from households.models import Household

SEQUENCE_DIGITS = 4
ATTEMPTS = 5
CONSTRAINT = "household_no_unique_in_county"


def next_household_no(village_code: str) -> str:
    pattern = rf"^{village_code}[0-9]{{{SEQUENCE_DIGITS}}}$"
    highest = Household.objects.filter(village_id=village_code, household_no__regex=pattern).aggregate(
        n=Max("household_no")
    )["n"]
    sequence = int(highest[-SEQUENCE_DIGITS:]) + 1 if highest else 1
    return f"{village_code}{sequence:0{SEQUENCE_DIGITS}d}"


def save_with_new_number(household: Household) -> Household:
    """Give a new household the village's next 户编号 and save it (inside the caller's transaction)."""
    for attempt in range(ATTEMPTS):
        household.household_no = next_household_no(household.village_id)
        try:
            with transaction.atomic():
                household.save()
        except IntegrityError as exc:
            if CONSTRAINT not in str(exc) or attempt == ATTEMPTS - 1:
                raise
        else:
            return household
    raise AssertionError("unreachable")
