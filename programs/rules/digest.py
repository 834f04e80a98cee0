"""A fingerprint of everything the rules read for one household on one day.

The nightly recalculation compares it with the one stored at the last evaluation and runs the rules
only where it differs. What it covers, and why that is enough: the facts (every field of the household,
its active members with their age on the day instead of the birth date, its latest two income years),
the ids of the parameter versions in force for the village on that day (a new standard or rate is a
new version), and RULES_FINGERPRINT, a hash of the rule modules' source (a code change to a rule
re-evaluates everyone). The rules read the day only through ages and parameter validity
(tests/programs/test_digest.py keeps this true); the one exception, a missing-parameter message that
quotes the day it was met, is refreshed when the missing version is added."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from functools import cache
from pathlib import Path
from typing import Any

from households.income import INCOME_FIELD_NAMES, IncomeComponents
from programs.rules.facts import MEMBER_FIELD_NAMES, Decision, HouseholdFacts, age_on
from programs.rules.params import ParameterSet

_MEMBER_FIELDS = tuple(n for n in MEMBER_FIELD_NAMES if n != "birth_date")
_RULES_DIR = Path(__file__).resolve().parent


@cache
def rules_fingerprint() -> str:
    """Hash of the rule modules' source: programs/rules/*.py."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(_RULES_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def parameter_fingerprint(params: ParameterSet) -> tuple[int, ...]:
    return tuple(sorted(params.ids.values()))


def _signed64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def _encode(key: tuple[Any, ...]) -> bytes:  # Any: marshal takes what it knows, repr() the rest
    """marshal format 2: a value-only encoding (no back-references, so equal values give equal bytes
    whatever objects hold them), 3–4× faster than repr() on these keys. Callers turn Decimals and
    dates into str first; marshal knows neither. A key holding another type (a str enum in facts built
    by hand) falls back to repr()."""
    try:
        return marshal.dumps(key, 2)
    except ValueError:
        return repr(key).encode()


def results_digest(decisions: list[Decision]) -> int:
    """A signed 64-bit fingerprint of a household's decisions as stored (amounts, reasons, versions)."""
    return _signed64(
        _encode(
            tuple(
                [  # a list comprehension: cheaper than a generator, and tuple() gives the same bytes
                    (
                        d.program,
                        d.eligible,
                        str(d.monthly_amount),
                        str(d.annual_amount),
                        d.persons,
                        d.reasons,
                        d.parameter_ids,
                    )
                    for d in decisions
                ]
            )
        )
    )


def _income_key(income: IncomeComponents | None) -> tuple[str, ...] | None:
    # The declared fields only, in their order: net_income() keeps its total in the same __dict__.
    return None if income is None else tuple([str(income.__dict__[name]) for name in INCOME_FIELD_NAMES])


def inputs_digest(facts: HouseholdFacts, as_of: dt.date, parameter_ids: tuple[int, ...]) -> int:
    """A signed 64-bit fingerprint (fits a bigint column) of the rules' inputs for this household."""
    members = tuple(
        [(age_on(m.birth_date, as_of), *[m.__dict__[n] for n in _MEMBER_FIELDS]) for m in facts.members]
    )
    key = (
        rules_fingerprint(),
        tuple(parameter_ids),
        facts.village_code,
        facts.attribute,
        facts.poverty_status,
        facts.danger_level,
        facts.has_safe_water,
        facts.is_relocated,
        facts.food_secure,
        facts.clothing_secure,
        str(facts.financial_assets),
        members,
        _income_key(facts.income),
        str(facts.income_period_end),
        _income_key(facts.previous_income),
    )
    return _signed64(_encode(key))
