"""Entering and correcting household records (建档录入) outside the admin: the API's write path.

The same model validators and clean() as the admin form run here, for the household and for
each member; errors come back keyed by path (``members[1].id_no``) so a client can show them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.idcard import normalize_id, parse_id
from core.scoping import is_in_scope
from households.choices import MemberStatus, Relation
from households.forms import DUPLICATE_ID_IN_HOUSEHOLD, HEAD_EXACTLY_ONE, VILLAGE_OUT_OF_SCOPE
from households.models import Household, IncomeYear, Member
from households.numbering import save_with_new_number

MEMBER_NOT_IN_HOUSEHOLD = "成员 {id} 不属于本户"
MEMBERS_REQUIRED = "新建农户时至少要录入一名成员（户主）"


def _errors_of(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (f"{prefix}.{field}" if prefix else field) if field != "__all__" else (prefix or "__all__"): list(
                msgs
            )
            for field, msgs in exc.message_dict.items()
        }
    return {prefix or "__all__": list(exc.messages)}


def _merge(target: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for key, messages in more.items():
        target.setdefault(key, []).extend(messages)


def _prepare_member(member: Member, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(member, field, value)
    member.id_no = normalize_id(member.id_no)
    if not member.sex:
        # Sex may be left out: the ID says it (digit 17). A bad ID is reported by clean().
        try:
            member.sex = parse_id(member.id_no).sex
        except ValidationError:
            member.sex = ""


def save_household(
    *,
    user,
    household: Household | None,
    fields: dict[str, Any],
    members: list[dict[str, Any]] | None,
) -> Household:
    """Create (household=None) or update a household with its members, all or nothing.

    Members listed with an ``id`` are updated, without one are added; members not listed stay
    as they are (people leave by status, never by deletion). Exactly one active 户主 must remain.
    """
    creating = household is None
    if creating:
        household = Household(created_by=user)
    for field, value in fields.items():
        setattr(household, field, value)

    errors: dict[str, list[str]] = {}
    if household.village_id and not is_in_scope(user, household.village_id):
        errors["village"] = [VILLAGE_OUT_OF_SCOPE]
    numbered = creating and not household.household_no  # assigned on save (households.numbering)
    try:
        household.full_clean(exclude=["household_no"] if numbered else None)
    except ValidationError as exc:
        _merge(errors, _errors_of(exc))

    members = members or []
    if creating and not members:
        errors.setdefault("members", []).append(MEMBERS_REQUIRED)
    existing = {} if creating else {m.pk: m for m in household.members.all()}
    touched: list[Member] = []
    seen_ids: set[str] = set()
    for index, data in enumerate(members):
        path = f"members[{index}]"
        data = dict(data)
        member_id = data.pop("id", None)
        if member_id is not None:
            member = existing.get(member_id)
            if member is None:
                errors.setdefault(f"{path}.id", []).append(MEMBER_NOT_IN_HOUSEHOLD.format(id=member_id))
                continue
        else:
            member = Member(household=None if creating else household)
        _prepare_member(member, data)
        try:
            member.full_clean(exclude=["household"])
        except ValidationError as exc:
            _merge(errors, _errors_of(exc, path))
        if member.id_no in seen_ids:
            errors.setdefault(f"{path}.id_no", []).append(
                DUPLICATE_ID_IN_HOUSEHOLD.format(id_no=member.id_no)
            )
        seen_ids.add(member.id_no)
        touched.append(member)

    final = {m.pk: m for m in existing.values()}
    final.update({id(m) if m.pk is None else m.pk: m for m in touched})
    heads = sum(
        1 for m in final.values() if m.relation == Relation.HEAD and m.member_status == MemberStatus.NORMAL
    )
    if heads != 1 and (creating or members):
        errors.setdefault("members", []).append(HEAD_EXACTLY_ONE.format(n=heads))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if numbered:
            save_with_new_number(household)
        else:
            household.save()
        # Save a demoted 户主 before the new one so the one-head constraint holds at every row.
        for member in sorted(touched, key=lambda m: m.relation == Relation.HEAD):
            member.household = household
            member.save()
    return household


def save_income(*, income: IncomeYear) -> IncomeYear:
    """Validate and save one income year of an in-scope household."""
    income.full_clean()
    with transaction.atomic():
        income.save()
    return income
