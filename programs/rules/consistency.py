"""R18 code rules that cross records: 贫困户属性 vs the household's active 低保 / 特困 records.
Pure: the caller says whether an active DibaoCase / Tekun record exists (the models live in the
assistance app)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from programs.rules.facts import DIBAO_ATTRIBUTES, TEKUN_ATTRIBUTES

DIBAO_CASE_REQUIRED = "贫困户属性为“{attribute}”，但该户没有保障中的低保案件"
TEKUN_RECORD_REQUIRED = "贫困户属性为“{attribute}”，但该户没有在册的特困供养记录"
ATTRIBUTE_LABELS = {
    "dibao": "低保贫困户",
    "tekun": "特困供养贫困户",
    "dibao_tekun": "低保特困供养贫困户",
}


def check_attribute_consistency(
    *, attribute: str, has_active_dibao_case: bool, has_active_tekun_record: bool | None = None
) -> None:
    """Raise a ValidationError on the attribute field when the records do not back it (scenario 25).
    Only the current (未脱贫) attributes need an active record; 脱贫户 attributes do not."""
    errors = []
    label = ATTRIBUTE_LABELS.get(attribute, attribute)
    if attribute in DIBAO_ATTRIBUTES and attribute != "dibao_exited" and not has_active_dibao_case:
        errors.append(DIBAO_CASE_REQUIRED.format(attribute=label))
    if (
        has_active_tekun_record is not None
        and attribute in TEKUN_ATTRIBUTES
        and attribute != "tekun_exited"
        and not has_active_tekun_record
    ):
        errors.append(TEKUN_RECORD_REQUIRED.format(attribute=label))
    if errors:
        raise ValidationError({"attribute": errors})
