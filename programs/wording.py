"""Policy wording for user screens: 文号 instead of internal references, 是/否, Chinese code names.

Parameter keys, rule numbers (R4), seed references (S002, P13), "[U]" (unverified) and citations of
docs/domain.md stay in the database and on the parameter admin page; users read these forms.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from programs.models import Parameter
from programs.parameter_keys import spec_for

UNVERIFIED_SOURCE = "地方标准（未核实出处）"

# A document number (文号) such as 国发〔2015〕52号, 辽政办发〔2017〕71号 or 民发〔2021〕57号.
DOCUMENT_NO = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")
# "（topup 补差 / bands 分档）": the Chinese names of a text parameter's allowed codes.
CODE_LABELS = re.compile(r"([a-z_.]+)\s+([^\s/（）()]+)")
LATIN_NOTE = re.compile(r"[（(][^）)]*[a-z][^）)]*[）)]")


def document_numbers(source: str) -> str:
    """The 文号 a parameter's source cites, or 地方标准（未核实出处） when it cites none."""
    found = list(dict.fromkeys(DOCUMENT_NO.findall(source or "")))
    return "、".join(found) if found else UNVERIFIED_SOURCE


def plain_label(parameter: Parameter) -> str:
    """The parameter's name without a bracketed list of codes."""
    return LATIN_NOTE.sub("", parameter.label).strip()


def plain_value(parameter: Parameter) -> str:
    """The value as a user reads it: 是/否, a number with its unit, a code's Chinese name."""
    value = parameter.value
    if parameter.kind == "boolean":
        return "是" if str(value).strip().lower() == "true" else "否"
    if parameter.kind == "text":
        if not re.search(r"[a-z]", value):
            return value
        labels = dict(CODE_LABELS.findall(parameter.label))
        if value in labels:
            return labels[value]
        # A text parameter may name another parameter (退出测算使用的贫困线): show that one's name.
        spec = spec_for(value)
        return LATIN_NOTE.sub("", spec.label) if spec else "（见参数设置）"
    if parameter.kind == "json":
        try:
            return f"分档表（{len(json.loads(value))} 档）"
        except (TypeError, ValueError):
            return "（见参数设置）"
    if parameter.unit == "比例":
        try:
            return f"{(Decimal(value) * 100).normalize():f}%"
        except InvalidOperation:
            return value
    return f"{value} {parameter.unit}".strip()


# Citations of docs/domain.md (domain.md#citations): seeds S0xx, national rules N…, public sources
# P…, rules R…, other anchors domain.md#…; a bracket holding only citations goes whole (no "（）").
_KEYS = r"(S0\d\d|[NPR]\d+|domain\.md#[\w-]+)"
_INTERNAL_REFS = [
    re.compile(rf"[（(]{_KEYS}(、{_KEYS})*[）)]"),  # "（S002）", "（P14、P15）", "（R12）"
    # a citation such as "domain.md#open-1：", and the section forms of the old outside document
    # that sources stored before programs migration 0006 (a section letter or a rule key after it)
    re.compile(r"domain\.md(#[\w-]+|\s*(\([a-z]\)\d*|R\d+))?[：:]?\s*"),
    re.compile(r"\bR\d+(、R\d+)*\s*"),  # rule numbers
    re.compile(r"\bS0\d\d\s*"),  # seed document numbers
    re.compile(r"\bP\d+(、P\d+)*"),
]


def plain_text(text: str) -> str:
    """Policy text without internal references; "[U]" (not verified) becomes 未核实出处."""
    text = (text or "").replace("[U]", "（未核实出处）")
    for pattern in _INTERNAL_REFS:
        text = pattern.sub("", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ；;，,")
