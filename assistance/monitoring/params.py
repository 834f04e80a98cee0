"""The dated, region-scoped parameters of 防返贫监测 (programs, keys monitor.*), read once per call."""

from __future__ import annotations

import datetime as dt

from assistance.services.common import working_day_after
from programs.rules.params import ParameterSet
from programs.selectors import parameters_for

KEYS = (
    "monitor.line",
    "monitor.stable_months",
    "monitor.verify_working_days",
    "monitor.identify_days",
    "monitor.first_measure_days",
    "monitor.overdue_red_days",
    "monitor.no_labor_never_eliminated",
    "monitor.hotline",
    "monitor.warning.medical_self_pay",
    "monitor.warning.disaster_loss",
    "monitor.warning.severity",
    # 两不愁三保障 (programs.rules.exit.guarantees)
    "compulsory_school.min_age",
    "compulsory_school.max_age",
    "exit.require_safe_water",
)


def monitoring_params(*, region_code: str, as_of: dt.date) -> ParameterSet:
    return parameters_for(region_code=region_code, as_of=as_of, keys=KEYS)


def lead_deadlines(*, region_code: str, detected_on: dt.date) -> tuple[dt.date, dt.date]:
    """(入户核实期限, 认定期限) of a lead found on `detected_on` in a village: working days skip the
    holiday calendar's 法定节假日 and count its 调休 days."""
    from assistance.monitoring import rules

    p = monitoring_params(region_code=region_code, as_of=detected_on)
    verify = working_day_after(detected_on, int(p.integer("monitor.verify_working_days")))
    return verify, rules.identify_deadline(detected_on, int(p.integer("monitor.identify_days")))
