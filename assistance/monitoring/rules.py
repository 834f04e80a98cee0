"""The rules of 防返贫监测 (R25 deadlines, R26 风险消除, R27 grading) as pure functions: no ORM, no
clock (`as_of` / `today` are arguments).

Every figure is a dated, region-scoped parameter (programs, keys monitor.*), read by the services and
passed in: the deadlines (monitor.verify_working_days, monitor.identify_days,
monitor.first_measure_days, monitor.overdue_red_days), the stable months before 风险消除
(monitor.stable_months), the monitoring line (monitor.line) and the 'no member able to work' switch
(monitor.no_labor_never_eliminated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from assistance.monitoring.choices import Overdue, RiskType
from core.money import to_yuan

# Which 帮扶措施 kinds answer which risk (assistance.choices.MeasureKind slugs). 兜底保障 answers any.
RISK_MEASURES: dict[str, frozenset[str]] = {
    RiskType.ILLNESS: frozenset({"health"}),  # 医疗救助、大病保险、家庭医生签约
    RiskType.DISABILITY: frozenset({"health", "employment"}),  # 康复、两项补贴、辅助性就业
    RiskType.EDUCATION: frozenset({"education"}),  # 教育资助、助学贷款
    RiskType.ACCIDENT: frozenset({"health", "social"}),  # 临时救助、医疗救助、社会帮扶
    RiskType.DISASTER: frozenset({"housing", "social", "industry"}),  # 危房改造、灾后恢复生产
    RiskType.EMPLOYMENT: frozenset({"employment"}),  # 就业帮扶、公益岗位
    RiskType.INDUSTRY: frozenset({"industry", "finance"}),  # 产业帮扶、小额信贷
    RiskType.OTHER: frozenset(
        {
            "industry",
            "employment",
            "education",
            "health",
            "housing",
            "finance",
            "relocation",
            "ecology",
            "social",
        }
    ),
}
ANY_RISK_MEASURE = "safety_net"

MEASURE_NOT_FOR_RISK = "“{kind}”不是针对“{risk}”风险的帮扶措施，可选：{allowed}"
RISK_NOT_OF_RECORD = "该户的监测风险类型中没有“{risk}”"


def measure_fits_risk(kind: str, risk: str) -> bool:
    return kind == ANY_RISK_MEASURE or kind in RISK_MEASURES.get(risk, frozenset())


# ------------------------------------------------------------------ deadlines


def identify_deadline(detected_on: dt.date, days: int) -> dt.date:
    """认定 within M (calendar) days of the lead."""
    return detected_on + dt.timedelta(days=days)


def first_measure_deadline(identified_on: dt.date, days: int) -> dt.date:
    """The first 帮扶措施 within K days of 认定."""
    return identified_on + dt.timedelta(days=days)


def overdue(deadline: dt.date | None, today: dt.date, red_after_days: int) -> str:
    """'' before or on the deadline, orange after it, red more than `red_after_days` after it."""
    if deadline is None or today <= deadline:
        return Overdue.NONE
    if (today - deadline).days > red_after_days:
        return Overdue.RED
    return Overdue.ORANGE


def days_between(start: dt.date, end: dt.date) -> int:
    """认定用时: days from the lead to the county's decision (the same day is 0)."""
    return (end - start).days


# ------------------------------------------------------------------ agency warnings: severity


def severity_for(kind: str, grades: Mapping[str, str], default: str = "medium") -> str:
    """高/中/低 of an agency warning by its list kind (parameter monitor.warning.severity)."""
    return str(grades.get(kind, default))


# ------------------------------------------------------------------ 风险消除


@dataclass(frozen=True)
class IncomeCheck:
    """One income check of a visit (入户核实 or 跟踪回访): annual per-capita income on a day."""

    on: dt.date
    percap: Decimal


@dataclass(frozen=True)
class EliminationFacts:
    """What 风险消除 looks at, as plain values (services.elimination loads them)."""

    checks: Sequence[IncomeCheck]
    line: Decimal
    stable_months: int
    guarantees_failed: Sequence[str]
    guarantees_passed: Sequence[str]
    measures_applied: int
    anyone_able_to_work: bool
    no_labor_never_eliminated: bool


@dataclass(frozen=True)
class EliminationDecision:
    allowed: bool
    reasons: tuple[str, ...]
    stable_since: dt.date | None = None


NO_CHECKS = "尚无入户核实或回访的收入核查记录，无法判断收入是否稳定超过监测线"
LATEST_BELOW = "最近一次收入核查（{on:%Y-%m-%d}）家庭年人均纯收入 {percap} 元，未超过防返贫监测线 {line} 元"
NOT_STABLE_LONG = (
    "家庭年人均纯收入自 {since:%Y-%m-%d} 起持续超过防返贫监测线 {line} 元，仅 {months} 个月，"
    "须稳定超过 {need} 个月以上"
)
STABLE_OK = "家庭年人均纯收入自 {since:%Y-%m-%d} 起持续超过防返贫监测线 {line} 元，已满 {months} 个月"
NO_MEASURE = "尚未落实任何帮扶措施，须至少落实一项"
MEASURE_OK = "已落实帮扶措施 {n} 项"
NO_LABOR = "家庭无劳动能力成员，按规定不标注风险消除，继续监测并落实兜底保障"
ALLOWED = "符合风险消除条件，可提出风险消除"
REFUSED = "暂不符合风险消除条件"


def stable_since(checks: Iterable[IncomeCheck], line: Decimal) -> dt.date | None:
    """The first day of the unbroken run of income checks above the line that ends with the latest
    check; None when the latest check is not above the line (or there is none)."""
    ordered = sorted(checks, key=lambda c: c.on)
    since = None
    for check in ordered:
        since = since or check.on if check.percap > line else None
    return since


def whole_months(start: dt.date, end: dt.date) -> int:
    delta = relativedelta(end, start)
    return max(0, delta.years * 12 + delta.months)


def elimination(facts: EliminationFacts, as_of: dt.date) -> EliminationDecision:
    """May 风险消除 be proposed (and decided) on as_of? Every test is checked and named in Chinese:
    income above the line and stable ≥ monitor.stable_months, 两不愁三保障 and 饮水安全, at least one
    measure applied; with monitor.no_labor_never_eliminated on, a household without any member able to
    work is never marked eliminated."""
    failed: list[str] = []
    passed: list[str] = []
    line = to_yuan(facts.line)
    since = stable_since(facts.checks, facts.line)
    if not facts.checks:
        failed.append(NO_CHECKS)
    elif since is None:
        latest = max(facts.checks, key=lambda c: c.on)
        failed.append(LATEST_BELOW.format(on=latest.on, percap=to_yuan(latest.percap), line=line))
    else:
        months = whole_months(since, as_of)
        if months < facts.stable_months:
            failed.append(
                NOT_STABLE_LONG.format(since=since, line=line, months=months, need=facts.stable_months)
            )
        else:
            passed.append(STABLE_OK.format(since=since, line=line, months=months))
    failed.extend(facts.guarantees_failed)
    passed.extend(facts.guarantees_passed)
    if facts.measures_applied < 1:
        failed.append(NO_MEASURE)
    else:
        passed.append(MEASURE_OK.format(n=facts.measures_applied))
    if facts.no_labor_never_eliminated and not facts.anyone_able_to_work:
        failed.append(NO_LABOR)
    allowed = not failed
    return EliminationDecision(
        allowed=allowed, reasons=((ALLOWED if allowed else REFUSED), *failed, *passed), stable_since=since
    )
