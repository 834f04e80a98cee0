"""The stored calculation details (JSON) of cases and payment lines, in words a user reads."""

from __future__ import annotations

import re

from django.db import models

from assistance import choices

KEY_NAMES = {
    "amount": "金额（元）",
    "annual_percap_income": "年人均收入（元）",
    "monthly_percap_income": "月人均收入（元）",
    "base_amount": "渐退基数（元）",
    "case_type": "保障方式",
    "categories": "类别",
    "classified_items": "分类施保",
    "computed_at": "核算时间",
    "grade": "残疾等级",
    "id": "编号",
    "kind": "类型",
    "member_id": "成员编号",
    "months": "月数",
    "phase_out": "渐退",
    "rate": "上浮比例",
    "schedule_kind": "递减方式",
    "standard_month": "月保障标准（元）",
    "start": "起始月",
    "step": "第几个月",
    "subsidies": "两项补贴",
}
# Every stored code of assistance's choices by its Chinese name, plus the rule engine's own words.
VALUE_NAMES = {
    **{
        code: label
        for value in vars(choices).values()
        if isinstance(value, type)
        and issubclass(value, models.TextChoices)
        and value is not models.TextChoices
        for code, label in value.choices
    },
    "care": "护理补贴",
    "living": "生活补贴",
    "elderly": "老年人",
    "minor": "未成年人",
    "disabled": "重度残疾人",
    "serious_illness": "重病患者",
    "flat": "不变",
    "linear": "逐月递减",
    "halving": "减半",
    "multiplier": "按城市低保标准倍数",
    "fixed": "固定额",
}
PARAMETER_KEY = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")


def plain_details(value, *, depth: int = 0) -> str:
    """Nested dicts and lists as "名称：值" lines; parameter keys become 标准, None becomes 无."""
    if value is None or value == [] or value == {}:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            name = KEY_NAMES.get(key) or ("所用标准" if PARAMETER_KEY.match(key) else "其他")
            parts.append(f"{name}：{plain_details(item, depth=depth + 1)}")
        return "；".join(parts) if depth else "\n".join(parts)
    if isinstance(value, list | tuple):
        return "、".join(plain_details(item, depth=depth + 1) for item in value)
    text = str(value)
    if text in VALUE_NAMES:
        return VALUE_NAMES[text]
    return text.replace("T", " ")[:19] if re.match(r"^\d{4}-\d\d-\d\dT", text) else text
