"""Education aid items per student (yuan/student/year): S002 (boarding, 高中“两助三免”, fee waivers,
中职) and S000 (高校国家助学金, 中高职扶贫助学, 技工院校“两后生”). The S002 高中 items go by the
pupil's school category (member field school_category; the “其它高中” figure when not recorded), the
boarding allowance only for 寄宿生 (member field boarding); loans are limits, reported but not
counted as aid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from programs.rules.facts import (
    DIBAO_ATTRIBUTES,
    TEKUN_ATTRIBUTES,
    ZERO,
    Decision,
    HouseholdFacts,
    MemberFacts,
)
from programs.rules.params import ParameterSet

PROGRAM = "education"

PRIMARY = {"primary"}
JUNIOR = {"grade_7", "grade_8", "grade_9"}
SENIOR = {"senior_1", "senior_2", "senior_3"}
VOCATIONAL_12 = {"vocational_1", "vocational_2"}
VOCATIONAL_3 = {"vocational_3"}
HIGHER_VOC = {"higher_voc_1", "higher_voc_2", "higher_voc_3"}
COLLEGE = {"college"}
POSTGRADUATE = {"postgraduate"}
TECHNICAL = {"technical_school"}
BOARDING_ONLY = PRIMARY | JUNIOR  # the allowance is for 寄宿生 only (member field boarding)

# (stage set, [(key, item name)])
ITEMS: list[tuple[set[str], list[tuple[str, str]]]] = [
    (PRIMARY, [("education.boarding.primary", "义务教育寄宿生生活费补助（小学）")]),
    (JUNIOR, [("education.boarding.junior", "义务教育寄宿生生活费补助（初中）")]),
    (SENIOR, [("education.senior.aid.{category}", "普通高中“两助三免”（{school}）")]),
    (
        VOCATIONAL_12,
        [
            ("education.vocational.national_grant", "中职国家助学金"),
            ("education.vocational.fee_waiver", "中职免学费"),
            ("education.vocational.poverty_grant", "中职精准扶贫专项助学金"),
            ("education.vocational.books_lodging", "免教科书费、住宿费"),
        ],
    ),
    (
        VOCATIONAL_3,
        [
            ("education.vocational.fee_waiver", "中职免学费"),
            ("education.vocational.poverty_grant", "中职精准扶贫专项助学金"),
            ("education.vocational.books_lodging", "免教科书费、住宿费"),
        ],
    ),
    (HIGHER_VOC, [("education.higher_vocational.grant", "中高职扶贫助学补助")]),
    (COLLEGE, [("education.college.grant", "高校国家助学金（平均）")]),
    (
        TECHNICAL,
        [("education.technical_school.month", "技工院校“两后生”生活补贴（{monthly} 元/月 × {months} 个月）")],
    ),
]
SENIOR_WAIVER = ("education.senior.waiver.{category}", "低保、残疾、特困家庭学生免费（{school}）")
SCHOOL_NAMES = {"school_1": "一类高中", "school_2": "二类高中", "other": "其他高中"}

ITEM = "{name}（{stage}）：{item} {amount} 元/年"
LOAN = "{name} 可申请生源地信用助学贷款，每年不超过 {amount} 元（贷款，不计入资助金额）"
NONE = "家庭中无在校学生"
NOT_REGISTERED = "家庭已脱贫且不再享受政策，不再享受建档立卡学生资助"
NO_STUDENTS = Decision(PROGRAM, False, reasons=(NONE,))  # immutable: made once


def decide_education(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    students = [m for m in facts.members if m.school_status not in {"not_in_school", "preschool"}]
    if not students:
        return NO_STUDENTS
    if facts.poverty_status == "exited_no_policy":
        return Decision(PROGRAM, False, reasons=(NOT_REGISTERED,))
    needy_household = facts.attribute in DIBAO_ATTRIBUTES | TEKUN_ATTRIBUTES
    total = ZERO
    reasons: list[str] = []
    used: set[str] = set()
    for m in students:
        for stages, items in ITEMS:
            if m.school_status not in stages or (stages <= BOARDING_ONLY and not m.boarding):
                continue
            chosen = list(items)
            if stages is SENIOR and (needy_household or m.has_disability_card):
                chosen.append(SENIOR_WAIVER)
            for key, item in chosen:
                key, item, amount = _item(key, item, m, params, used)
                total += amount
                reasons.append(
                    ITEM.format(
                        name=m.label, stage=_stage(m.school_status), item=item, amount=to_yuan(amount)
                    )
                )
        loan = LOAN_KEYS.get(m.school_status)
        if loan:
            used.add(loan)
            reasons.append(LOAN.format(name=m.label, amount=to_yuan(params.decimal(loan))))
    return Decision(
        PROGRAM,
        total > 0,
        annual_amount=to_yuan(total),
        persons=len(students),
        reasons=tuple(reasons),
        parameter_ids=params.ids_for(used),
    )


LOAN_KEYS = {
    **dict.fromkeys(HIGHER_VOC | COLLEGE, "education.loan.undergraduate"),
    "postgraduate": "education.loan.postgraduate",  # S002: 研究生 ≤ 12000 a year
}


def _item(
    key: str, item: str, m: MemberFacts, params: ParameterSet, used: set[str]
) -> tuple[str, str, Decimal]:
    """The item's parameter key, wording and yearly amount for this student: the 高中 amounts by the
    school's category (S002), the 两后生 aid as a monthly figure times its months (S000)."""
    category = m.school_category or "other"
    key = key.format(category=category)
    used.add(key)
    amount = Decimal(params.decimal(key))
    if m.school_status in TECHNICAL:
        months = params.integer("education.technical_school.months")
        used.add("education.technical_school.months")
        item = item.format(monthly=to_yuan(amount), months=months)
        amount = amount * months
    return key, item.format(school=SCHOOL_NAMES.get(category, category)), amount


_STAGE_NAMES = {
    "primary": "小学",
    "grade_7": "七年级",
    "grade_8": "八年级",
    "grade_9": "九年级",
    "senior_1": "高中一年级",
    "senior_2": "高中二年级",
    "senior_3": "高中三年级",
    "vocational_1": "中职一年级",
    "vocational_2": "中职二年级",
    "vocational_3": "中职三年级",
    "higher_voc_1": "高职一年级",
    "higher_voc_2": "高职二年级",
    "higher_voc_3": "高职三年级",
    "college": "大专及以上",
    "postgraduate": "研究生",
    "technical_school": "技工院校",
}


def _stage(status: str) -> str:
    return _STAGE_NAMES.get(status, status)
