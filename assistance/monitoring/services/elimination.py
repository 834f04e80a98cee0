"""The facts 风险消除 looks at, loaded for one monitoring episode, and the rule's answer."""

from __future__ import annotations

import datetime as dt

from assistance.models import AssistanceMeasure
from assistance.monitoring import rules
from assistance.monitoring.models import MonitoringRecord, MonitoringVisit
from assistance.monitoring.params import monitoring_params
from households.models import Household
from programs.rules.exit import guarantees
from programs.rules.facts import CAN_WORK
from programs.selectors import household_facts


def elimination_facts(*, episode: MonitoringRecord, as_of: dt.date) -> rules.EliminationFacts:
    household = episode.household
    p = monitoring_params(region_code=household.village_id, as_of=as_of)
    checks = [
        rules.IncomeCheck(on, percap)
        for on, percap in MonitoringVisit.objects.filter(
            household=household,
            percap_income__isnull=False,
            visited_on__gte=episode.lead_date,
            visited_on__lte=as_of,
        ).values_list("visited_on", "percap_income")
    ]
    facts = household_facts(Household.objects.filter(pk=household.pk))
    if facts:
        passed, failed, _ = guarantees(facts[0], as_of, p, require_water=True)
        able = any(m.labor in CAN_WORK for m in facts[0].members)
    else:  # not in the approved register: nothing can be said to be secured
        passed, failed, able = [], ["该户尚未入库，无法核对两不愁三保障"], False
    measures = AssistanceMeasure.objects.filter(
        monitoring_record=episode, cancelled_at__isnull=True, date__lte=as_of
    ).count()
    return rules.EliminationFacts(
        checks=checks,
        line=p.decimal("monitor.line"),
        stable_months=int(p.integer("monitor.stable_months")),
        guarantees_failed=failed,
        guarantees_passed=passed,
        measures_applied=measures,
        anyone_able_to_work=able,
        no_labor_never_eliminated=bool(p.boolean("monitor.no_labor_never_eliminated")),
    )


def check_elimination(*, episode: MonitoringRecord, as_of: dt.date) -> rules.EliminationDecision:
    return rules.elimination(elimination_facts(episode=episode, as_of=as_of), as_of)
