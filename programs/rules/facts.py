"""Plain facts the rules read (built by programs.selectors.household_facts) and the Decision they
return. No ORM here: the what-if simulation and the property tests build these by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from households.income import IncomeComponents

ZERO = Decimal("0.00")

EXITED_STATUSES = frozenset({"exited_with_policy", "exited_no_policy"})
DIBAO_ATTRIBUTES = frozenset({"dibao", "dibao_tekun", "dibao_exited"})
TEKUN_ATTRIBUTES = frozenset({"tekun", "dibao_tekun", "tekun_exited"})
NO_LABOR = frozenset({"lost", "none"})
CAN_WORK = frozenset({"ordinary", "skilled"})


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years on `day` (a birthday counts on the day itself)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class MemberFacts:
    """An active (正常) member as approved."""

    id: int
    birth_date: dt.date
    name: str = ""
    relation: str = "head"
    health: str = "healthy"
    disability_type: str = ""
    disability_grade: int | None = None
    labor: str = "ordinary"
    work_status: str = "none"
    work_months: int = 0
    school_status: str = "not_in_school"
    school_exception_approved: bool = False
    in_medical_ins: bool = True
    in_pension: bool = False
    school_category: str = ""  # 普通高中: school_1 / school_2 / other (S002 amounts differ by school)
    boarding: bool = False

    @property
    def in_school(self) -> bool:
        return self.school_status not in ("not_in_school", "preschool")

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> MemberFacts:
        """Fast path for bulk loads (values_list rows in field order): skips the frozen __init__,
        which costs a setattr per field, ×150,000 members in a county what-if."""
        obj = object.__new__(cls)
        obj.__dict__.update(zip(MEMBER_FIELD_NAMES, row, strict=True))
        return obj

    @property
    def label(self) -> str:
        return self.name or f"成员{self.id}"

    @property
    def severely_disabled(self) -> bool:
        """重度残疾: disability grade 1 or 2."""
        return self.disability_grade in (1, 2)

    @property
    def has_disability_card(self) -> bool:
        return self.disability_grade is not None


MEMBER_FIELD_NAMES: tuple[str, ...] = tuple(MemberFacts.__dataclass_fields__)


@dataclass(frozen=True)
class HouseholdFacts:
    """One household as approved: its active members and its latest income year."""

    id: int
    village_code: str
    members: tuple[MemberFacts, ...] = ()
    income: IncomeComponents | None = None
    income_period_end: dt.date | None = None
    previous_income: IncomeComponents | None = None
    attribute: str = "general"
    poverty_status: str = "not_exited"
    danger_level: str = "none"
    has_safe_water: bool = True
    is_relocated: bool = False
    food_secure: bool = True
    clothing_secure: bool = True
    financial_assets: Decimal | None = None

    @classmethod
    def from_values(cls, **values: object) -> HouseholdFacts:
        """Fast path for bulk loads: the defaults overlaid with values, without the frozen __init__
        (a setattr per field, ×20,000 households a chunk). Unknown names raise TypeError."""
        unknown = values.keys() - HouseholdFacts.__dataclass_fields__.keys()
        if unknown:
            raise TypeError(f"HouseholdFacts has no field {sorted(unknown)}")
        obj = object.__new__(cls)
        obj.__dict__.update(HOUSEHOLD_DEFAULTS)
        obj.__dict__.update(values)
        return obj

    @property
    def persons(self) -> int:
        return len(self.members)

    def ages(self, as_of: dt.date) -> tuple[int, ...]:
        """Every member's age on as_of, in member order. Computed once per household and day (kept
        beside the fields, which stay frozen): five rules ask, ten times a household."""
        cached = self.__dict__.get("_ages")
        if cached is None or cached[0] != as_of:
            ages = tuple([age_on(m.birth_date, as_of) for m in self.members])
            cached = self.__dict__["_ages"] = (as_of, ages)
        return cached[1]

    @property
    def township_code(self) -> str:
        return self.village_code[:9]

    @property
    def is_exited(self) -> bool:
        return self.poverty_status in EXITED_STATUSES


# every field but id and village_code has a plain default
HOUSEHOLD_DEFAULTS: dict[str, object] = {
    name: f.default
    for name, f in HouseholdFacts.__dataclass_fields__.items()
    if name not in ("id", "village_code")
}


@dataclass(frozen=True, init=False)
class Decision:
    """A rule's answer: eligible or not, amounts (yuan, rounded once), reasons in Chinese quoting
    the figures, and the parameter version ids the figures came from."""

    program: str
    eligible: bool
    monthly_amount: Decimal = ZERO
    annual_amount: Decimal = ZERO
    persons: int = 0
    reasons: tuple[str, ...] = ()
    parameter_ids: tuple[int, ...] = ()
    amounts: dict[str, Decimal | int] = field(default_factory=dict)  # yuan figures, and a few counts
    tags: tuple[str, ...] = ()

    def __init__(
        self,
        program: str,
        eligible: bool,
        monthly_amount: Decimal = ZERO,
        annual_amount: Decimal = ZERO,
        persons: int = 0,
        reasons: tuple[str, ...] = (),
        parameter_ids: tuple[int, ...] = (),
        amounts: dict[str, Decimal | int] | None = None,
        tags: tuple[str, ...] = (),
    ) -> None:
        # One dict update instead of the frozen __init__'s setattr per field: 11 decisions per
        # household, a million households a night (3× cheaper; the instance stays read-only).
        self.__dict__.update(
            program=program,
            eligible=eligible,
            monthly_amount=monthly_amount,
            annual_amount=annual_amount,
            persons=persons,
            reasons=reasons,
            parameter_ids=parameter_ids,
            amounts={} if amounts is None else amounts,
            tags=tags,
        )

    @property
    def failed(self) -> bool:
        return "error" in self.tags
