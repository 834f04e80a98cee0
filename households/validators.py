"""Field rules shared by forms, imports and the API (R18)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError

MAIN_CAUSE_EXACTLY_ONE = "主要致贫原因必须且只能选择一项（当前 {n} 项）"
OTHER_CAUSES_AT_MOST_TWO = "其他致贫原因最多选择两项（当前 {n} 项）"
OTHER_CAUSE_REPEATS_MAIN = "其他致贫原因不能与主要致贫原因重复"


def check_causes(main_causes: Sequence[str], other_causes: Sequence[str]) -> None:
    """Exactly one main cause, at most two others, none repeating the main one [P1]."""
    errors: dict[str, list[str]] = {}
    if len(main_causes) != 1:
        errors["main_cause"] = [MAIN_CAUSE_EXACTLY_ONE.format(n=len(main_causes))]
    if len(other_causes) > 2:
        errors["other_causes"] = [OTHER_CAUSES_AT_MOST_TWO.format(n=len(other_causes))]
    elif main_causes and set(main_causes) & set(other_causes):
        errors["other_causes"] = [OTHER_CAUSE_REPEATS_MAIN]
    if errors:
        raise ValidationError(errors)
