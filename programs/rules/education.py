"""Education aid items per student (yuan/student/year): S002 (boarding, 高中“两助三免”, fee waivers,
中职) and S000 (高校国家助学金, 中高职扶贫助学). School-specific S002 items use the “其它高中” figure
unless a county changes it; loans are limits, reported but not counted as aid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from households.money import to_yuan
from programs.rules.facts import DIBAO_ATTRIBUTES, TEKUN_ATTRIBUTES, ZERO, Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "education"

PRIMARY = {"primary"}
JUNIOR = {"grade_7", "grade_8", "grade_9"}
SENIOR = {"senior_1", "senior_2", "senior_3"}
VOCATIONAL_12 = {"vocational_1", "vocational_2"}
VOCATIONAL_3 = {"vocational_3"}
HIGHER_VOC = {"higher_voc_1", "higher_voc_2", "higher_voc_3"}
COLLEGE = {"college"}

# (stage set, [(key, item name)])
ITEMS: list[tuple[set[str], list[tuple[str, str]]]] = [
    (PRIMARY, [("education.boarding.primary", "义务教育寄宿生生活费补助（小学）")]),
    (JUNIOR, [("education.boarding.junior", "义务教育寄宿生生活费补助（初中）")]),
    (SENIOR, [("education.senior.aid.other", "普通高中“两助三免”")]),
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
]
SENIOR_WAIVER = ("education.senior.waiver.other", "低保、残疾、特困家庭学生免费")

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
    total, reasons, used = ZERO, [], set()
    for m in students:
        for stages, items in ITEMS:
            if m.school_status not in stages:
                continue
            chosen = list(items)
            if stages is SENIOR and (needy_household or m.has_disability_card):
                chosen.append(SENIOR_WAIVER)
            for key, item in chosen:
                amount = Decimal(params[key])
                used.add(key)
                total += amount
                reasons.append(
                    ITEM.format(
                        name=m.label, stage=_stage(m.school_status), item=item, amount=to_yuan(amount)
                    )
                )
        if m.school_status in HIGHER_VOC | COLLEGE:
            used.add("education.loan.undergraduate")
            reasons.append(LOAN.format(name=m.label, amount=to_yuan(params["education.loan.undergraduate"])))
    return Decision(
        PROGRAM,
        total > 0,
        annual_amount=to_yuan(total),
        persons=len(students),
        reasons=tuple(reasons),
        parameter_ids=params.ids_for(used),
    )


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
}


def _stage(status: str) -> str:
    return _STAGE_NAMES.get(status, status)
