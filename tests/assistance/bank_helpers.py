"""The bank's side of the tests: a confirmed roll of a few lines, a county layout from a preset, and
the 回盘 a bank would send back for a batch (the demo's simulated bank, devdata.bank)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from assistance.banking.layouts import create_from_preset
from assistance.choices import Program
from assistance.models import PaymentLine, PaymentRoll
from assistance.services import rolls
from core.choices import ReviewState
from devdata.bank import bank_return
from households.choices import Relation
from tests.factories import HouseholdFactory, MemberFactory

MONTH = dt.date(2019, 11, 1)
AMOUNT = Decimal("300.00")
_accounts = count(1)


def payee_household(village, **kwargs):
    """An approved household with a head and an account at the 农商银行."""
    household = HouseholdFactory(
        village=village,
        review_state=ReviewState.VERIFIED,
        bank_name="西丰农商银行",
        bank_account=kwargs.pop("bank_account", f"62210000{next(_accounts):011d}"),
        **kwargs,
    )
    MemberFactory(household=household, relation=Relation.HEAD)
    return household


def confirmed_roll(*, households, county_user, month=MONTH, amount=AMOUNT, program=Program.DIBAO):
    """A confirmed roll with one line per household (as generate_roll would write it)."""
    county = households[0].village.parent.parent
    roll = PaymentRoll.objects.create(county=county, month=month, program=program)
    for household in households:
        head = household.members.get(relation=Relation.HEAD)
        PaymentLine.objects.create(
            roll=roll, month=month, program=program, case_id=household.pk, household=household,
            payee_name=head.name, payee_id_no=head.id_no, bank_name=household.bank_name,
            bank_account=household.bank_account, covered_persons=1, topup_amount=amount, total_amount=amount,
        )  # fmt: skip
    rolls.refresh_totals(roll)
    return rolls.confirm_roll(roll=roll, user=county_user)


def county_layout(county, preset: str = "yikatong_xlsx"):
    return create_from_preset(county=county, preset=preset)


__all__ = ["bank_return", "confirmed_roll", "county_layout", "payee_household"]
