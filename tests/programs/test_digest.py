"""The recalculation's input fingerprint (programs.rules.digest) covers what the rules read."""

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from households.income import IncomeComponents
from programs.rules.digest import inputs_digest, parameter_fingerprint, rules_fingerprint
from programs.rules.engine import evaluate
from programs.rules.facts import HouseholdFacts, MemberFacts
from tests.programs.helpers import seed_params

VILLAGE = "211223100001"


def _household(birth_dates, wage) -> HouseholdFacts:
    members = tuple(
        MemberFacts(
            id=i + 1, birth_date=born, relation="head" if i == 0 else "son", school_status="not_in_school"
        )
        for i, born in enumerate(birth_dates)
    )
    return HouseholdFacts(id=1, village_code=VILLAGE, members=members, income=IncomeComponents(wage=wage))


@settings(max_examples=60, deadline=None)
@given(
    births=st.lists(st.dates(dt.date(1930, 1, 1), dt.date(2019, 1, 1)), min_size=1, max_size=5),
    wage=st.decimals(0, 60000, places=2),
    day=st.dates(dt.date(2019, 7, 1), dt.date(2019, 12, 30)),
)
def test_same_fingerprint_means_same_decisions_on_another_day(births, wage, day):
    """The rules read the day only through ages and parameter validity: two days on which every
    member has the same age and the same parameter versions apply give the same decisions."""
    facts = _household(births, wage)
    params = seed_params(as_of=day)
    later = day + dt.timedelta(days=1)
    later_params = seed_params(as_of=later)
    same_inputs = inputs_digest(facts, day, parameter_fingerprint(params)) == inputs_digest(
        facts, later, parameter_fingerprint(later_params)
    )
    if same_inputs:
        assert _comparable(evaluate(facts, day, params)) == _comparable(evaluate(facts, later, later_params))


def _comparable(decisions):
    """A missing-parameter error quotes the day it was met; it is refreshed when the version is
    added (the parameter fingerprint changes), so only its program and tag are compared."""
    return [(d.program, d.tags) if d.failed else d for d in decisions]


def test_fingerprint_changes_with_income_member_fields_age_and_parameters():
    day = dt.date(2019, 10, 20)
    facts = _household([dt.date(1959, 10, 21), dt.date(2010, 1, 1)], 3000)
    pids = parameter_fingerprint(seed_params(as_of=day))
    base = inputs_digest(facts, day, pids)
    assert inputs_digest(facts, day, pids) == base  # stable
    assert inputs_digest(replace(facts, income=IncomeComponents(wage=3001)), day, pids) != base
    ill = replace(facts, members=(replace(facts.members[0], health="serious"), facts.members[1]))
    assert inputs_digest(ill, day, pids) != base
    assert inputs_digest(facts, day + dt.timedelta(days=1), pids) != base  # the head turns 60
    assert inputs_digest(facts, day, (*pids, 999)) != base
    assert len(rules_fingerprint()) == 16


def test_fingerprint_is_the_same_after_the_rules_ran():
    """The rules keep figures beside the frozen facts (member ages, net income); the fingerprint of
    a full run, taken after evaluating, must equal the nightly one, taken before."""
    day = dt.date(2021, 10, 20)
    facts = _household([dt.date(1959, 10, 21), dt.date(2010, 1, 1)], 3000)
    facts = replace(facts, previous_income=IncomeComponents(wage=2500))
    params = seed_params(as_of=day)
    pids = parameter_fingerprint(params)
    before = inputs_digest(facts, day, pids)
    evaluate(facts, day, params)
    assert inputs_digest(facts, day, pids) == before
