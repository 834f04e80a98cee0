"""R16 防返贫监测 (from 2021): income below the monitoring line, or rigid spending above last year's
income, or a sharp income drop (→ 突发严重困难户) [P16, P17]."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from households.income import net_income, poverty_basis_per_capita
from programs.rules.facts import Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "monitoring"
UNSTABLE = "unstable_exited"  # 脱贫不稳定户
EDGE = "edge_vulnerable"  # 边缘易致贫户
SUDDEN = "sudden_hardship"  # 突发严重困难户
CATEGORY_NAMES = {UNSTABLE: "脱贫不稳定户", EDGE: "边缘易致贫户", SUDDEN: "突发严重困难户"}

BELOW_LINE = "家庭年人均纯收入 {percap} 元，低于防返贫监测线 {line} 元，列为{category}监测对象候选"
ABOVE_LINE = "家庭年人均纯收入 {percap} 元，不低于防返贫监测线 {line} 元"
RIGID = (
    "刚性支出 {rigid} 元（医疗 {medical}、教育 {education}、残疾康复 {disability}），"
    "超过上年家庭纯收入 {last} 元，列为突发严重困难户监测对象候选"
)
DROP = "家庭纯收入由上年 {last} 元降至 {now} 元，降幅 {pct}% 超过 {limit}%，列为突发严重困难户监测对象候选"
NO_INCOME = "尚无已审核的年度收入，无法监测"
NOT_FLAGGED = "未触发防返贫监测条件"


def _ids(params: ParameterSet) -> tuple[int, ...]:
    return params.ids_for(("monitor.line", "monitor.sharp_drop_ratio"))


def _line(params: ParameterSet) -> tuple[Decimal, Decimal]:
    line = params.decimal("monitor.line")
    return line, to_yuan(line)


def decide_monitoring(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    ids = params.derived(_ids)
    if facts.income is None or not facts.members:
        return Decision(PROGRAM, False, reasons=(NO_INCOME,), parameter_ids=ids)
    line, line_yuan = params.derived(_line)
    percap = poverty_basis_per_capita(facts.income, facts.persons)
    reasons, tags = [], []
    if percap < line:
        category = UNSTABLE if facts.is_exited else EDGE
        tags.append(category)
        reasons.append(BELOW_LINE.format(percap=percap, line=line_yuan, category=CATEGORY_NAMES[category]))
    else:
        reasons.append(ABOVE_LINE.format(percap=percap, line=line_yuan))
    if facts.previous_income is not None:
        last = net_income(facts.previous_income)
        now = net_income(facts.income)
        inc = facts.income
        rigid = inc.rigid_medical + inc.rigid_education + inc.rigid_disability
        if rigid > last:
            tags.append(SUDDEN)
            reasons.append(
                RIGID.format(
                    rigid=to_yuan(rigid),
                    medical=to_yuan(inc.rigid_medical),
                    education=to_yuan(inc.rigid_education),
                    disability=to_yuan(inc.rigid_disability),
                    last=to_yuan(last),
                )
            )
        drop_limit = params.decimal("monitor.sharp_drop_ratio")
        if last > 0 and now < last * (1 - drop_limit) and SUDDEN not in tags:
            tags.append(SUDDEN)
            reasons.append(
                DROP.format(
                    last=to_yuan(last),
                    now=to_yuan(now),
                    pct=to_yuan((last - now) / last * 100),
                    limit=to_yuan(Decimal(drop_limit) * 100),
                )
            )
    flagged = bool(tags)
    if not flagged:
        reasons.append(NOT_FLAGGED)
    return Decision(
        PROGRAM,
        flagged,
        persons=facts.persons if flagged else 0,
        reasons=tuple(reasons),
        parameter_ids=ids,
        tags=tuple(tags),
    )
