"""The one personal-data policy: which role sees which identifying field how, on every surface.

Every read surface (admin lists, detail pages, inlines, search results, API serializers, exports,
Excel error reports, logs) shows identifying values masked — for every role. A full value is only
ever shown deliberately:

- by a reveal (查看完整信息 on the record page, `POST /api/v1/members/{id}/reveal/`), open to roles
  whose access is REVEALABLE and who hold `households.view_full_identity` (the county by default);
- by a ledger exported 含完整身份信息 for the bank (the same right);
- in the form that edits a record still in 草稿 or 村修正, to the village clerk who enters it
  (the one exception, so a typo can be corrected).

Each reveal and each full-value export is written to `AccessLog` (who, whose record, which fields,
when, from where, why).

Helpers' and work-team members' phones are officials' work contacts printed on 帮扶联系卡, not a
household's personal data: the policy does not cover them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from core.choices import Role
from core.idcard import mask_id
from core.permissions import VILLAGE_EDITABLE_STATES, role_of

FULL_IDENTITY_PERM = "households.view_full_identity"


class Kind(models.TextChoices):
    ID_NO = "id_no", "身份证号"
    DISABILITY_CARD = "disability_card_no", "残疾人证号"
    BANK_ACCOUNT = "bank_account", "银行账号"
    PHONE = "phone", "联系电话"


class Access(models.TextChoices):
    MASKED = "masked", "仅显示遮蔽值"
    REVEALABLE = "revealable", "可查看完整信息（须记录）"
    HIDDEN = "hidden", "不显示"


_M, _R, _H = Access.MASKED, Access.REVEALABLE, Access.HIDDEN
# kind × role → access. Never REVEALABLE for the city supervisor or a village clerk.
_STANDARD = {
    Role.VILLAGE_CLERK: _M,
    Role.TOWNSHIP_REVIEWER: _M,
    Role.COUNTY_ADMIN: _R,
    Role.CITY_SUPERVISOR: _M,
    Role.SYSTEM_ADMIN: _R,
    Role.HELPER: _M,
}
POLICY: dict[str, dict[str, Access]] = {
    Kind.ID_NO: _STANDARD,
    Kind.DISABILITY_CARD: _STANDARD,
    # The city supervises; it never pays, so it has no use for an account number at all.
    Kind.BANK_ACCOUNT: {**_STANDARD, Role.CITY_SUPERVISOR: _H},
    Kind.PHONE: _STANDARD,
}

# Which fields of a model hold a household's identifying data is declared once, on the model that
# owns them: `PERSONAL_FIELDS = {"id_no": Kind.ID_NO, ...}` (helpers' and work teams' phones are
# out of scope, so their models declare nothing). A proxy model (HouseholdReview, MeasureGap)
# inherits its concrete model's declaration, so every surface built on it is covered unlisted.
PERSONAL_FIELDS_ATTR = "PERSONAL_FIELDS"


def personal_fields(model_or_label) -> dict[str, Kind]:
    """Field name → kind of a model (or "app.model" label), found through its concrete model."""
    if isinstance(model_or_label, str):
        from django.apps import apps

        model_or_label = apps.get_model(model_or_label)
    concrete = model_or_label._meta.concrete_model
    return dict(getattr(concrete, PERSONAL_FIELDS_ATTR, None) or {})


def fields_of(model_or_label) -> tuple[str, ...]:
    return tuple(personal_fields(model_or_label))


def declaring_models() -> list[type[models.Model]]:
    """Every installed concrete model that declares personal fields (the matrix walks them)."""
    from django.apps import apps

    return [m for m in apps.get_models() if not m._meta.proxy and getattr(m, PERSONAL_FIELDS_ATTR, None)]


class _FieldKinds(Mapping):
    """Field name → kind over every declaring model: for values that travel without their model
    (serializer output, change-request items, dict rows). Built from the declarations on first use;
    one name means one kind everywhere."""

    def __init__(self) -> None:
        self._kinds: dict[str, Kind] | None = None

    def _load(self) -> dict[str, Kind]:
        if self._kinds is None:
            kinds: dict[str, Kind] = {}
            for model in declaring_models():
                for name, kind in personal_fields(model).items():
                    if kinds.setdefault(name, Kind(kind)) != kind:
                        raise ValueError(f"{name}: declared as {kinds[name]} and {kind}")
            self._kinds = kinds
        return self._kinds

    def __getitem__(self, name: str) -> Kind:
        return self._load()[name]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


FIELD_KINDS: Mapping[str, Kind] = _FieldKinds()

HIDDEN_TEXT = ""


def mask_account(value: str) -> str:
    """6228480012345677776 → **** **** 7776."""
    digits = value.replace(" ", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    return f"**** **** {digits[-4:]}"


def mask_phone(value: str) -> str:
    """13800002222 → 138****2222; shorter numbers keep their last two digits only."""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


def mask_card(value: str) -> str:
    """A 残疾人证号 is the ID number plus two digits: mask the ID part."""
    return mask_id(value[:18]) + value[18:] if len(value) > 18 else mask_id(value)


_MASKERS = {
    Kind.ID_NO: mask_id,
    Kind.DISABILITY_CARD: mask_card,
    Kind.BANK_ACCOUNT: mask_account,
    Kind.PHONE: mask_phone,
}


def mask(kind: str, value: str | None) -> str:
    if not value:
        return value or ""
    return _MASKERS[Kind(kind)](str(value))


def shower(user, kind: str, *, full: bool = False):
    """The function a file writer applies to every value of one personal column for this user:
    the value itself (`full`: an export 含完整身份信息, already checked and logged), nothing where the
    role may not see the kind, else its mask. Decided once per column, not per cell."""
    if full:
        return str
    if access(user, kind) == Access.HIDDEN:
        return lambda value: HIDDEN_TEXT
    return _MASKERS[Kind(kind)]


def access(user, kind: str) -> Access:
    role = role_of(user)
    if role is None:
        return Access.HIDDEN
    return POLICY[Kind(kind)].get(role, Access.HIDDEN)


def shown(user, kind: str, value: str | None) -> str:
    """What a read surface shows this user: masked, or nothing when the field is hidden."""
    if access(user, kind) == Access.HIDDEN:
        return HIDDEN_TEXT
    return mask(kind, value)


def mask_value(field: str, value: str | None, user) -> str:
    """The read-surface value of a model field by name (fields outside the policy pass through)."""
    kind = FIELD_KINDS.get(field)
    if kind is None:
        return value
    return shown(user, kind, value)


def may_reveal(user, kinds: Iterable[str] | None = None) -> bool:
    """May this user see full values deliberately (recorded)? Role policy and the permission."""
    role = role_of(user)
    if role is None or not user.is_active:
        return False
    wanted = list(kinds) if kinds is not None else list(Kind)
    if any(POLICY[Kind(k)].get(role) != Access.REVEALABLE for k in wanted):
        return False
    return role == Role.COUNTY_ADMIN or user.has_perm(FULL_IDENTITY_PERM)


def full_in_form(user, household) -> bool:
    """The one exception: the village clerk's own record in 草稿 or 村修正, in its edit form."""
    if household is None:
        return True  # a new record: nothing stored yet to leak
    return role_of(user) == Role.VILLAGE_CLERK and household.review_state in VILLAGE_EDITABLE_STATES


def masked_text(model, name: str, text: str, user=None) -> str:
    """A displayed value of a model field (history, change diffs): masked when the policy covers it,
    and nothing where the user's role may not see the field at all (the city's bank accounts)."""
    kind = personal_fields(model).get(name)
    if kind is None or text in ("", "—"):
        return text
    return mask(kind, text) if user is None else shown(user, kind, text)


def masked_row(row: Mapping[str, Any], user, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A dict with the policy's fields masked (serializers, change-request items, exports)."""
    out = dict(row)
    for name in fields if fields is not None else FIELD_KINDS:
        if name in out and isinstance(out[name], str):
            out[name] = mask_value(name, out[name], user)
    return out


def keep_unchanged(data: dict[str, Any], current, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A client sends back the masked value it was shown: that means "unchanged", not a new value."""
    if current is None:
        return data
    for name in fields if fields is not None else FIELD_KINDS:
        if name in data and hasattr(current, name):
            stored = getattr(current, name) or ""
            if stored and data[name] == mask(FIELD_KINDS[name], stored):
                data[name] = stored
    return data


# ------------------------------------------------------------------ logs

# 15–19-digit runs: ID numbers (the last character may be X) and bank accounts.
_LONG_DIGITS = re.compile(r"(?<![0-9])(\d{6})\d{5,9}([\dXx]{4})(?![0-9A-Za-z])")


# Mainland mobile numbers (11 digits, 13x–19x): 138****2222 like mask_phone.
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")


def scrub(text: str) -> str:
    """Log lines never carry an ID number, a bank account (first six and last four kept) or a
    mobile number (first three and last four)."""
    text = _LONG_DIGITS.sub(lambda m: f"{m.group(1)}{'*' * (len(m.group(0)) - 10)}{m.group(2)}", text)
    return _MOBILE.sub(r"\1****\2", text)


# ------------------------------------------------------------------ reveal and its record

REVEAL_FORBIDDEN = "您的角色无权查看完整身份信息"
REASON_REQUIRED = "请填写查看事由"


def client_ip(request) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record_access(
    *,
    user,
    request,
    channel: str,
    region_code: str,
    record_kind: str,
    record_id: int | None,
    subject: str,
    kinds: Iterable[str],
    reason: str,
    rows: int = 1,
):
    from core.models import AccessLog

    return AccessLog.objects.create(
        user=user,
        role=role_of(user) or "",
        channel=channel,
        region_code=region_code,
        record_kind=record_kind,
        record_id=record_id,
        subject=subject[:200],
        fields="、".join(Kind(k).label for k in kinds),
        rows=rows,
        reason=reason[:500],
        ip=client_ip(request),
    )


def reveal(*, user, request, record, reason: str, channel: str) -> dict[str, str]:
    """The full values of one record's identifying fields, recorded. Raises PermissionDenied or
    ValidationError (Chinese) — the record must already come from a scoped lookup."""
    from django.core.exceptions import PermissionDenied, ValidationError

    declared = personal_fields(record)
    names = [n for n in declared if getattr(record, n, "")]
    kinds = [declared[n] for n in names] or [Kind.ID_NO]
    if not may_reveal(user, kinds):
        raise PermissionDenied(REVEAL_FORBIDDEN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    household = getattr(record, "household", None) if not hasattr(record, "household_no") else record
    region_code = household.village_id if household is not None else ""
    subject = getattr(record, "name", None) or getattr(record, "payee_name", None) or str(record)
    if household is not None:
        subject = f"{subject}（户编号 {household.household_no}）"
    record_access(
        user=user,
        request=request,
        channel=channel,
        region_code=region_code,
        record_kind=record._meta.label_lower,
        record_id=record.pk,
        subject=subject,
        kinds=[declared[n] for n in names],
        reason=reason,
    )
    return {n: getattr(record, n) for n in names}
