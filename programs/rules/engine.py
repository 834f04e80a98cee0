"""Every program's rule for a household, and many households at once, without the ORM: the Celery
recalculation job, the household page and the what-if simulation all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError

from programs.rules.dibao import decide_dibao
from programs.rules.disability import decide_disability_care, decide_disability_living
from programs.rules.education import decide_education
from programs.rules.employment import decide_employment
from programs.rules.exit import decide_exit
from programs.rules.facts import Decision, HouseholdFacts
from programs.rules.medical import decide_medical
from programs.rules.monitoring import decide_monitoring
from programs.rules.params import ParameterSet, ParamVersion, region_prefixes, resolve
from programs.rules.pension import decide_pension
from programs.rules.relocation import decide_relocation
from programs.rules.tekun import decide_tekun

Rule = Callable[[HouseholdFacts, dt.date, ParameterSet], Decision]

# Catalogue order (programs.Program.sort_order). disability_living depends on the dibao decision.
RULES: dict[str, Rule] = {
    "dibao": decide_dibao,
    "tekun": decide_tekun,
    "disability_living": lambda f, d, p: decide_disability_living(f, d, p, dibao_eligible=False),
    "disability_care": decide_disability_care,
    "pension": decide_pension,
    "education": decide_education,
    "medical": decide_medical,
    "relocation": decide_relocation,
    "employment": decide_employment,
    "exit": decide_exit,
    "monitoring": decide_monitoring,
}
ALL_PROGRAMS: tuple[str, ...] = tuple(RULES)


def _failed(program: str, exc: ValidationError) -> Decision:
    """A missing or malformed parameter makes that one decision fail with its Chinese message."""
    # A ValidationError refers to itself (error_list), so only the cyclic collector frees it;
    # without its traceback it no longer keeps the rule's frame (the household) alive.
    exc.__traceback__ = None
    # ParameterSet.derived raises one exception for a whole village: its decision is made once
    decisions: dict[str, Decision] = exc.__dict__.setdefault("failed_decisions", {})
    decision = decisions.get(program)
    if decision is None:
        decision = decisions[program] = Decision(program, False, reasons=tuple(exc.messages), tags=("error",))
    return decision


def _safe(program: str, rule: Callable[[], Decision]) -> Decision:
    try:
        return rule()
    except ValidationError as exc:
        return _failed(program, exc)


def evaluate(
    facts: HouseholdFacts, as_of: dt.date, params: ParameterSet, programs: Sequence[str] = ALL_PROGRAMS
) -> list[Decision]:
    decisions: dict[str, Decision] = {}
    for program in programs:
        # No _safe() and its lambda here: this loop runs 11 times per household, a million a night
        try:
            if program == "disability_living":
                dibao = decisions.get("dibao") or _safe("dibao", lambda: decide_dibao(facts, as_of, params))
                decision = decide_disability_living(facts, as_of, params, dibao_eligible=dibao.eligible)
            else:
                decision = RULES[program](facts, as_of, params)
        except ValidationError as exc:
            decision = _failed(program, exc)
        decisions[program] = decision
    return list(decisions.values())


class ParameterResolver:
    """Resolves (and caches) the ParameterSet of each village from one list of versions. Villages
    whose codes meet the same scoped prefixes share one resolution (a county with only county-level
    overrides resolves once, not once per village)."""

    def __init__(self, versions: Iterable[ParamVersion], as_of: dt.date):
        self.versions = [
            v for v in versions if v.valid_from <= as_of and (v.valid_to is None or as_of <= v.valid_to)
        ]
        self.as_of = as_of
        self._prefixes = {v.region_prefix for v in self.versions}
        self._cache: dict[tuple[str, ...], ParameterSet] = {}
        self._by_code: dict[str, ParameterSet] = {}

    def __call__(self, region_code: str) -> ParameterSet:
        params = self._by_code.get(region_code)
        if params is None:
            key = tuple(p for p in region_prefixes(region_code) if p in self._prefixes)
            shared = self._cache.get(key)
            if shared is None:
                shared = resolve(self.versions, region_code=region_code, as_of=self.as_of)
                self._cache[key] = shared
            params = shared.for_region(region_code)
            self._by_code[region_code] = params
        return params


def decide_all(
    facts_list: Iterable[HouseholdFacts],
    *,
    versions: Iterable[ParamVersion],
    as_of: dt.date,
    programs: Sequence[str] = ALL_PROGRAMS,
) -> dict[int, list[Decision]]:
    """Decisions for many households: household id → decisions, one per program."""
    resolver = ParameterResolver(versions, as_of)
    return {facts.id: evaluate(facts, as_of, resolver(facts.village_code), programs) for facts in facts_list}
