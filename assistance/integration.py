"""The few points where assistance meets the programs and workflow apps (docs/architecture.md, hooks).

Parameters come from programs.selectors (dated, region-scoped); review-chain events go to the
workflow app's append-only WorkflowEvent. Until those apps are merged, the fall-backs below keep
this app usable; they are the ONLY place that knows either app's names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

PARAMETER_MISSING = "缺少参数：{key}"

# Default values of parameter keys (domain.md#parameters), used only while programs.Parameter is not
# installed.
# Each is a seed figure or an [U] default that a county changes through programs.Parameter.
_FALLBACK: dict[str, Any] = {
    "dibao.rural_standard_year": Decimal("3876"),  # S002
    "dibao.urban_standard_month": Decimal("570"),  # implied by S002's 741
    "tekun.urban_multiplier": Decimal("1.3"),  # S002
    "classified.rate.disabled": Decimal("0.20"),  # S002 10–30%
    "classified.rate.elderly": Decimal("0.10"),  # [U]
    "classified.rate.minor": Decimal("0.10"),  # [U]
    "classified.rate.serious_illness": Decimal("0.10"),  # [U]
    "classified.stack": False,
    "dibao.exclude_basic_pension": True,  # the 低保口径 of households.income.DibaoIncomePolicy
    "dibao.exclude_new_job_first_months": True,
    "dibao.deduct_rigid_spending": True,
    "dibao.deduct_job_costs": True,
    "subsidy.living_rate": Decimal("0.20"),  # S002 10–30%
    "subsidy.care.grade_1": Decimal("50"),  # S002
    "subsidy.care.grade_2": Decimal("40"),  # S002
    "subsidy.care.grade_3": Decimal("0"),
    "subsidy.care.grade_4": Decimal("0"),
    "phase_out.max_months": 24,  # S000 二(三)1
    "phase_out.default_months": 6,  # P21
    "phase_out.schedule": "flat",
    "phase_out.upper_bound_ratio": Decimal("1.5"),  # [U]
    "phase_out.allow_non_registered": False,
    "phase_out.alert_days": 30,
    "dibao.stop_without_phase_out": "propose",  # 国务院令第649号 第十三条: the county decides 停发
    "publicity.min_days": 7,  # P9
    "refusal_notice.working_days": 3,  # P9
    "pension.age": 60,  # S000
    "classified.elderly_age": 60,  # [U]
    "classified.minor_age": 18,  # Civil Code: under 18
    "employment.stable_months": 6,  # [U] 稳定就业: ≥ 6 months of work a year
}


@dataclass
class Params:
    """Values of the keys asked for, plus the ids of the Parameter rows used (for explanations)."""

    values: dict[str, Any]
    ids: tuple[int, ...] = ()  # ParameterSet.ids_for: sorted, cached per key set

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise ValidationError(PARAMETER_MISSING.format(key=key)) from None

    def dec(self, key: str) -> Decimal:
        return Decimal(str(self[key]))

    def int(self, key: str) -> int:
        return int(self[key])

    def bool(self, key: str) -> bool:
        value = self[key]
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "是"}
        return bool(value)


def _programs_selectors():
    try:
        from programs import selectors  # noqa: PLC0415
    except ImportError:
        return None
    return selectors if hasattr(selectors, "parameters_for") else None


def params(*, region_code: str, as_of: dt.date, keys: Iterable[str]) -> Params:
    """The parameters valid for a region on a day (nearest region up the tree wins)."""
    keys = list(keys)
    sel = _programs_selectors()
    if sel is None:
        return Params(values={k: _FALLBACK[k] for k in keys if k in _FALLBACK})
    found = sel.parameters_for(region_code=region_code, as_of=as_of, keys=keys)
    values = {k: found[k] for k in keys if k in found}
    for k in keys:  # keys programs has not seeded yet fall back to the documented default
        if k not in values and k in _FALLBACK:
            values[k] = _FALLBACK[k]
    return Params(values=values, ids=found.ids_for(keys))


class RegionParams:
    """All parameter versions under one region, read in one query, resolved per village in memory:
    a county-wide job asks for thousands of villages without a query each."""

    def __init__(self, *, region_prefix: str, keys: Iterable[str]) -> None:
        self.keys = list(keys)
        sel = _programs_selectors()
        self._versions = (
            None if sel is None else sel.parameter_versions_under(region_prefix=region_prefix, keys=self.keys)
        )
        self._cache: dict[tuple[str, dt.date], Params] = {}

    def __call__(self, *, region_code: str, as_of: dt.date) -> Params:
        key = (region_code, as_of)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(region_code, as_of)
        return found

    def _resolve(self, region_code: str, as_of: dt.date) -> Params:
        if self._versions is None:
            return Params(values={k: _FALLBACK[k] for k in self.keys if k in _FALLBACK})
        from programs.rules.params import resolve  # noqa: PLC0415

        found = resolve(self._versions, region_code=region_code, as_of=as_of, keys=self.keys)
        values = {k: found[k] for k in self.keys if k in found}
        for k in self.keys:
            if k not in values and k in _FALLBACK:
                values[k] = _FALLBACK[k]
        return Params(values=values, ids=found.ids_for(self.keys))


def param(key: str, *, region_code: str, as_of: dt.date) -> Any:
    return params(region_code=region_code, as_of=as_of, keys=[key])[key]


WORKFLOW_KIND = "dibao_case"
TEKUN_KIND = "tekun_case"
SUBSIDY_KIND = "disability_subsidy"
MEDICAL_KIND = "medical_bill"
PUBLICITY_KIND = "dibao"


def register_workflow() -> None:
    """Tell the review chain how to reach a 低保 case, a 特困 case and a 两项补贴 record (state, region,
    household, author) and what a 低保 公示 does to a case (hooks in assistance.services.cases)."""
    from assistance.choices import CaseStatus, PhaseOutStatus, SimpleStatus  # noqa: PLC0415
    from households.workflow import config  # noqa: PLC0415
    from households.workflow.choices import register_state_choices  # noqa: PLC0415

    register_state_choices(CaseStatus, SimpleStatus, PhaseOutStatus)

    config.register_record_kind(
        config.RecordKind(
            slug=WORKFLOW_KIND,
            model="assistance.DibaoCase",
            label="低保案件",
            state_field="review_state",
            village_code_attr="household.village_id",
            household_attr="household_id",
            entered_by_attr="applied_by_id",
        )
    )
    services = "assistance.services."
    for slug, model, label, hook in (
        (TEKUN_KIND, "assistance.TekunCase", "特困供养", services + "tekun.on_confirmed"),
        (SUBSIDY_KIND, "assistance.DisabilitySubsidy", "两项补贴", services + "subsidies.on_approved"),
        (MEDICAL_KIND, "assistance.MedicalBill", "医疗救助", services + "medical.on_approved"),
    ):
        config.register_record_kind(
            config.RecordKind(
                slug=slug,
                model=model,
                label=label,
                village_code_attr="household.village_id",
                household_attr="household_id",
                entered_by_attr="applied_by_id",
                on_verified=hook,  # the county's approval starts payment
            )
        )
    hooks = "assistance.services.cases."
    config.register_publicity_subject(
        config.PublicitySubjectConfig(
            kind=PUBLICITY_KIND,
            model="assistance.DibaoCase",
            on_start=hooks + "on_publicity_started",
            on_objection=hooks + "on_publicity_objected",
            on_passed=hooks + "on_publicity_passed",
        )
    )


# Case transitions → the review chain's actions (its append-only WorkflowEvent log).
_ACTIONS = {
    "applied": "submit",
    "investigating": "approve",
    "in_publicity": "start_publicity",
    "confirming": "close_publicity",
    "active": "approve",
    "phasing_out": "correct",
    "stopped": "end_policy",
    "refused": "return",
}


def record_transition(
    *, record, user, from_state: str, to_state: str, reason: str = "", action: str = ""
) -> None:
    """Append a case transition to WorkflowEvent. Jobs acting for the system (user None) are
    recorded in the change ledger instead: the event log needs an actor."""
    if user is None:
        return
    from households.workflow import config, services  # noqa: PLC0415

    services._log(
        kind=config.record_kind(WORKFLOW_KIND),
        record=record,
        action=action or _ACTIONS.get(to_state, "correct"),
        from_state=from_state,
        to_state=to_state,
        user=user,
        reason=reason,
    )
