"""R3 poverty line by year, R4 household exit (income above the line + 两不愁三保障, each checked),
R5 village exit (贫困发生率 below the region class's threshold)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from core.money import to_yuan
from households.income import poverty_basis_per_capita
from programs.rules.facts import Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "exit"
VILLAGE_PROGRAM = "village_exit"
BAD_HOUSING = {"C", "D"}

INCOME_OK = "家庭年人均纯收入 {percap} 元，高于当年贫困线 {line} 元"
INCOME_FAIL = "收入未达标：家庭年人均纯收入 {percap} 元，未高于当年贫困线 {line} 元"
NO_INCOME = "收入未达标：尚无已审核的年度收入"
FOOD_OK = "不愁吃、不愁穿"
FOOD_FAIL = "不愁吃未保障"
CLOTHING_FAIL = "不愁穿未保障"
SCHOOL_OK = "义务教育有保障"
SCHOOL_FAIL = "义务教育未保障：{name}（{age} 周岁）为非在校生，且无批准的例外"
MEDICAL_OK = "基本医疗有保障：全部成员参加城乡居民基本医疗保险"
MEDICAL_FAIL = "基本医疗未保障：{name} 未参加城乡居民基本医疗保险"
HOUSING_OK = "住房安全有保障"
HOUSING_FAIL = "住房安全未保障（{level}级危房）"
WATER_OK = "饮水安全有保障"
WATER_FAIL = "饮水安全未保障"
EXIT_OK = "符合贫困户退出条件"
EXIT_FAIL = "暂不符合贫困户退出条件"

VILLAGE_OK = (
    "贫困发生率 {rate}%（未脱贫 {poor} 人 ÷ 农业户籍人口 {population} 人）"
    "，低于{region}退出标准 {threshold}%，符合贫困村退出条件"
)
VILLAGE_FAIL = (
    "贫困发生率 {rate}%（未脱贫 {poor} 人 ÷ 农业户籍人口 {population} 人）"
    "，未低于{region}退出标准 {threshold}%"
)
NO_POPULATION = "未登记该村农业户籍人口，无法计算贫困发生率"
CLASS_DEFAULTED = "该村及上级未设置退出区域类别，按中部标准测算"
CLASS_NAMES = {"east": "东部地区", "central": "中部地区", "west": "西部地区"}


def poverty_line(params: ParameterSet) -> tuple[Decimal, str]:
    """R3: the line of the year (by validity), of the kind the locality chose (domain.md#open-1); key used."""
    key = params.text("exit.line_key")
    return params.decimal(key), key


def _line_and_ids(params: ParameterSet) -> tuple[Decimal, Decimal, tuple[int, ...]]:
    """The line, rounded for the sentences, and the versions every exit decision quotes."""
    line, line_key = poverty_line(params)
    used = {
        "exit.line_key",
        line_key,
        "exit.include_dibao_in_income",
        "exit.require_safe_water",
        "compulsory_school.min_age",
        "compulsory_school.max_age",
    }
    return line, to_yuan(line), params.ids_for(used)


def decide_exit(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    """R4: every test is checked and named; failing ones say which guarantee is missing (and are
    tagged with it, for the ledgers' filters)."""
    line, line_yuan, ids = params.derived(_line_and_ids)
    passed: list[str] = []
    failed: list[str] = []
    tags: set[str] = set()
    if facts.income is None or not facts.members:
        failed.append(NO_INCOME)
        tags.add("income")
    else:
        income = facts.income
        if not params.boolean("exit.include_dibao_in_income"):
            income = replace(income, transfer_dibao=Decimal(0))
        percap = poverty_basis_per_capita(income, facts.persons)
        if percap > line:
            passed.append(INCOME_OK.format(percap=percap, line=line_yuan))
        else:
            failed.append(INCOME_FAIL.format(percap=percap, line=line_yuan))
            tags.add("income")
    g_passed, g_failed, g_tags = guarantees(facts, as_of, params)
    passed.extend(g_passed)
    failed.extend(g_failed)
    tags |= g_tags
    eligible = not failed
    return Decision(
        PROGRAM,
        eligible,
        persons=facts.persons,
        reasons=((EXIT_OK if eligible else EXIT_FAIL), *failed, *passed),
        parameter_ids=ids,
        tags=tuple(sorted(tags)),
        amounts={"poverty_line": line_yuan},
    )


def guarantees(
    facts: HouseholdFacts, as_of: dt.date, params: ParameterSet, *, require_water: bool | None = None
) -> tuple[list[str], list[str], set[str]]:
    """两不愁三保障 (and 饮水安全 when required): (passed, failed, tags), each test named in Chinese.
    R4 exit asks them, and so does 防返贫监测's 风险消除 (with water always required)."""
    passed: list[str] = []
    failed: list[str] = []
    tags: set[str] = set()
    if facts.food_secure and facts.clothing_secure:
        passed.append(FOOD_OK)
    else:
        if not facts.food_secure:
            failed.append(FOOD_FAIL)
            tags.add("food")
        if not facts.clothing_secure:
            failed.append(CLOTHING_FAIL)
            tags.add("clothing")
    low, high = params.integer("compulsory_school.min_age"), params.integer("compulsory_school.max_age")
    dropouts = [
        SCHOOL_FAIL.format(name=m.label, age=age)
        for m, age in zip(facts.members, facts.ages(as_of), strict=True)
        if low <= age <= high and m.school_status == "not_in_school" and not m.school_exception_approved
    ]
    if dropouts:
        failed.extend(dropouts)
        tags.add("school")
    else:
        passed.append(SCHOOL_OK)
    uninsured = [MEDICAL_FAIL.format(name=m.label) for m in facts.members if not m.in_medical_ins]
    if uninsured:
        failed.extend(uninsured)
        tags.add("medical")
    else:
        passed.append(MEDICAL_OK)
    if facts.danger_level in BAD_HOUSING:
        failed.append(HOUSING_FAIL.format(level=facts.danger_level))
        tags.add("housing")
    else:
        passed.append(HOUSING_OK)
    if params.boolean("exit.require_safe_water") if require_water is None else require_water:
        if facts.has_safe_water:
            passed.append(WATER_OK)
        else:
            failed.append(WATER_FAIL)
            tags.add("water")
    return passed, failed, tags


def decide_village_exit(
    *, not_exited_people: int, agricultural_population: int | None, region_class: str, params: ParameterSet
) -> Decision:
    """R5: 贫困发生率 = 未脱贫人口 ÷ 农业户籍人口 must be below 2% (中部) / 3% (西部) [P6]."""
    reasons = []
    if not region_class:
        region_class = "central"
        reasons.append(CLASS_DEFAULTED)
    key = f"exit.incidence_threshold.{region_class}"
    threshold = params.decimal(key)
    ids = params.ids_for([key])
    if not agricultural_population:
        return Decision(VILLAGE_PROGRAM, False, reasons=(NO_POPULATION, *reasons), parameter_ids=ids)
    rate = Decimal(not_exited_people) / Decimal(agricultural_population)
    eligible = rate < threshold
    sentence = (VILLAGE_OK if eligible else VILLAGE_FAIL).format(
        rate=to_yuan(rate * 100),
        poor=not_exited_people,
        population=agricultural_population,
        region=CLASS_NAMES.get(region_class, region_class),
        threshold=to_yuan(threshold * 100),
    )
    return Decision(
        VILLAGE_PROGRAM,
        eligible,
        persons=not_exited_people,
        reasons=(sentence, *reasons),
        parameter_ids=ids,
        amounts={"incidence_pct": to_yuan(rate * 100), "threshold_pct": to_yuan(threshold * 100)},
    )
