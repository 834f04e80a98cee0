"""R14 易地扶贫搬迁 one-off 临时救助: grant per person (S002: 1500)."""

from __future__ import annotations

import datetime as dt

from core.money import to_yuan
from programs.rules.facts import Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "relocation"
GRANT = "易地扶贫搬迁户，一次性临时救助每人 {per} 元 × {persons} 人 = {amount} 元"
NOT_RELOCATED = "非易地扶贫搬迁户"
# Decisions are immutable: the answer most households get is made once, not once per household.
NOT_RELOCATED_DECISION = Decision(PROGRAM, False, reasons=(NOT_RELOCATED,))


def decide_relocation(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    if not facts.is_relocated:
        return NOT_RELOCATED_DECISION
    per = params.decimal("relocation.grant_per_person")
    amount = to_yuan(per * facts.persons)
    return Decision(
        PROGRAM,
        facts.persons > 0,
        annual_amount=amount,
        persons=facts.persons,
        reasons=(GRANT.format(per=to_yuan(per), persons=facts.persons, amount=amount),),
        parameter_ids=params.ids_for(["relocation.grant_per_person"]),
    )
