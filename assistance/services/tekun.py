"""特困供养 (R11): the basic standard follows the urban 低保 standard; care follows self-care ability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from assistance import integration
from assistance.choices import SelfCare, SimpleStatus
from assistance.models import TekunCase
from assistance.rules import first_of_month, tekun_basic_standard
from assistance.services.common import require_county
from households.models import Member

TEKUN_KEYS = [
    "tekun.mode",
    "tekun.urban_multiplier",
    "tekun.fixed_month",
    "dibao.urban_standard_month",
    "tekun.care.full_care",
    "tekun.care.semi",
    "tekun.care.self",
]
CARE_KEY = {
    SelfCare.NONE: "tekun.care.full_care",
    SelfCare.PARTIAL: "tekun.care.semi",
    SelfCare.FULL: "tekun.care.self",
}
MEMBER_NOT_ACTIVE = "供养对象必须是在册成员"


def standards(p: integration.Params, self_care: str) -> tuple[Decimal, Decimal]:
    """(basic, care) per month from the parameters of a region and month."""
    if str(p["tekun.mode"]) == "fixed":
        basic = p.dec("tekun.fixed_month")
    else:
        basic = tekun_basic_standard(
            urban_standard_month=p.dec("dibao.urban_standard_month"),
            multiplier=p.dec("tekun.urban_multiplier"),
        )
    return basic, p.dec(CARE_KEY[SelfCare(self_care)])


@transaction.atomic
def start_tekun(
    *,
    member: Member,
    user,
    mode: str,
    self_care: str,
    start_month: dt.date,
    assessed_on: dt.date | None = None,
) -> TekunCase:
    household = member.household
    require_county(user, household)
    if not member.is_active:
        raise ValidationError({"member": MEMBER_NOT_ACTIVE})
    start_month = first_of_month(start_month)
    p = integration.params(region_code=household.village_id, as_of=start_month, keys=TEKUN_KEYS)
    basic, care = standards(p, self_care)
    case = TekunCase(
        household=household, member=member, mode=mode, self_care=self_care, assessed_on=assessed_on,
        basic_standard=basic, care_standard=care, start_month=start_month, status=SimpleStatus.ACTIVE,
    )  # fmt: skip
    case.full_clean()
    case.save()
    return case
