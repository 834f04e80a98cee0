"""Resident ID number (GB 11643) checks, R17 (N7).

No kept library gives checksum + date + sex with our Chinese messages, so this is ours.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

ID_FORMAT_WRONG = "身份证号码应为18位：前17位为数字，最后一位为数字或X"
ID_15_DIGITS = "不再接受15位身份证号码，请填写18位号码"
ID_BIRTH_DATE_INVALID = "身份证号码中的出生日期 {date} 不是有效日期"
ID_BIRTH_DATE_FUTURE = "身份证号码中的出生日期 {date} 晚于今天"
# Never name the right check digit: a typo elsewhere in the number would be "fixed" by changing it.
ID_CHECKSUM_WRONG = "身份证号码校验码错误，请对照证件逐位核对"
ID_SEX_MISMATCH = "性别与身份证号码不符：第17位为{digit}，应为{sex}"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_FORMAT = re.compile(r"^\d{17}[\dX]$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


@dataclass(frozen=True)
class IdFacts:
    birth_date: dt.date
    sex: str  # "male" / "female", the Member.Sex slugs


def normalize_id(raw: str) -> str:
    """Trim, fold full-width digits and a lower-case x: what clerks type is not always ASCII."""
    return (raw or "").strip().translate(_FULLWIDTH).upper().replace(" ", "")


def check_digit(first17: str) -> str:
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def to_18(raw: str) -> str:
    """The 18-digit form of a number as agencies send it: normalised, a 15-digit (pre-1999) number
    widened with "19" and its check digit. Anything else is returned normalised, unchanged."""
    number = normalize_id(raw)
    if re.fullmatch(r"\d{15}", number):
        first17 = number[:6] + "19" + number[6:]
        return first17 + check_digit(first17)
    return number


def parse_id(raw: str, *, today: dt.date | None = None) -> IdFacts:
    """Validate an 18-digit ID and return what it encodes; raises ValidationError in Chinese."""
    number = normalize_id(raw)
    if re.fullmatch(r"\d{15}", number):
        raise ValidationError(ID_15_DIGITS, code="id_15_digits")
    if not _FORMAT.match(number):
        raise ValidationError(ID_FORMAT_WRONG, code="id_format")
    digits = number[6:14]
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(ID_BIRTH_DATE_INVALID.format(date=shown), code="id_birth_date") from None
    if birth > (today or timezone.localdate()):
        raise ValidationError(ID_BIRTH_DATE_FUTURE.format(date=shown), code="id_birth_future")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(ID_CHECKSUM_WRONG, code="id_checksum")
    return IdFacts(birth_date=birth, sex="male" if int(number[16]) % 2 else "female")


def validate_id_number(value: str) -> None:
    """Django field validator form of parse_id."""
    parse_id(value)


def check_sex_matches(id_no: str, sex: str) -> None:
    facts = parse_id(id_no)
    if sex and facts.sex != sex:
        raise ValidationError(
            ID_SEX_MISMATCH.format(
                digit="奇数" if facts.sex == "male" else "偶数",
                sex="男" if facts.sex == "male" else "女",
            ),
            code="id_sex",
        )


def make_id(address_code: str, birth: dt.date, sequence: int, *, male: bool) -> str:
    """Build a valid ID (for factories and synthetic data): sequence 0-99, sex digit appended."""
    sex_digit = (sequence % 5) * 2 + (1 if male else 0)
    first17 = f"{address_code[:6]}{birth:%Y%m%d}{sequence % 100:02d}{sex_digit}"
    return first17 + check_digit(first17)


def mask_id(id_no: str) -> str:
    """For ledgers and 公示 lists where the role may not see full numbers: keep 6 + 4."""
    if len(id_no) < 10:
        return "*" * len(id_no)
    return id_no[:6] + "*" * (len(id_no) - 10) + id_no[-4:]
