"""The few points where assistance meets the programs and workflow apps (docs/architecture.md, hooks).

Parameters come from programs.selectors (dated, region-scoped, each with its 文号 or marked as a
local standard): there is no default in code. A key with no version valid for the region on the day
raises programs.rules.params.ParameterMissing, a Chinese error naming the parameter; review-chain
events go to the workflow app's append-only WorkflowEvent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.workflow import services as chain
from programs import selectors as program_selectors
from programs.rules.params import ParameterSet, resolve


@dataclass
class Params:
    """The parameter values of the keys asked for (a programs ParameterSet) and the ids of the
    versions used (for explanations). A missing key raises ParameterMissing, naming it in Chinese."""

    found: ParameterSet
    ids: tuple[int, ...] = ()  # ParameterSet.ids_for: sorted, cached per key set

    @property
    def values(self) -> ParameterSet:
        return self.found

    def __getitem__(self, key: str) -> Any:
        return self.found[key]

    # Typed reads, as ParameterSet's (the value as stored, of the key's declared kind)
    def decimal(self, key: str) -> Decimal:
        return self.found.decimal(key)

    def integer(self, key: str) -> int:
        return self.found.integer(key)

    def boolean(self, key: str) -> bool:
        return self.found.boolean(key)

    def text(self, key: str) -> str:
        return self.found.text(key)

    def json(self, key: str) -> object:
        return self.found.json(key)

    # Converting reads: the value made a Decimal / int / bool whatever its stored kind
    def dec(self, key: str) -> Decimal:
        return Decimal(str(self[key]))

    def int(self, key: str) -> int:
        return int(self[key])

    def bool(self, key: str) -> bool:
        value = self[key]
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "是"}
        return bool(value)


def params(*, region_code: str, as_of: dt.date, keys: Iterable[str]) -> Params:
    """The parameters valid for a region on a day (nearest region up the tree wins)."""
    keys = list(keys)
    found = program_selectors.parameters_for(region_code=region_code, as_of=as_of, keys=keys)
    return Params(found=found, ids=found.ids_for(keys))


class RegionParams:
    """All parameter versions under one region, read in one query, resolved per village in memory:
    a county-wide job asks for thousands of villages without a query each."""

    def __init__(self, *, region_prefix: str, keys: Iterable[str]) -> None:
        self.keys = list(keys)
        self._versions = program_selectors.parameter_versions_under(
            region_prefix=region_prefix, keys=self.keys
        )
        self._cache: dict[tuple[str, dt.date], Params] = {}

    def __call__(self, *, region_code: str, as_of: dt.date) -> Params:
        key = (region_code, as_of)
        found = self._cache.get(key)
        if found is None:
            resolved = resolve(self._versions, region_code=region_code, as_of=as_of, keys=self.keys)
            found = self._cache[key] = Params(found=resolved, ids=resolved.ids_for(self.keys))
        return found


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
    from core.workflow import config
    from core.workflow.choices import register_state_choices

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
    from core.workflow import config

    chain.log_event(
        kind=config.record_kind(WORKFLOW_KIND),
        record=record,
        action=action or _ACTIONS.get(to_state, "correct"),
        from_state=from_state,
        to_state=to_state,
        user=user,
        reason=reason,
    )
