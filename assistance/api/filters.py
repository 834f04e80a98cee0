import django_filters
from django.db.models import Exists, OuterRef, Q

from assistance.choices import (
    CaseStatus,
    MedicalBillStatus,
    MedicalKind,
    PhaseOutStatus,
    Program,
    RollStatus,
    SelfCare,
    SimpleStatus,
    StopProposalStatus,
    SubsidyKind,
    TekunMode,
)
from assistance.models import (
    Alert,
    AssistanceMeasure,
    ChangeLedgerEntry,
    DibaoCase,
    DisabilitySubsidy,
    MedicalBill,
    PaymentLine,
    PaymentRoll,
    PhaseOut,
    StopProposal,
    TekunCase,
)
from households.api.filters import IntFilter, RegionPrefixFilter, ScopedFilterSet, register_household_filter
from households.models import Household


class DibaoCaseFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village_code")  # the case's own (DibaoCase.village_code)
    household = IntFilter(label="户ID")
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, label="案件状态（可多选）")

    class Meta:
        model = DibaoCase
        fields: list[str] = []


class PhaseOutFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="case__village_code")
    household = IntFilter(field_name="case__household_id", label="户ID")
    status = django_filters.MultipleChoiceFilter(choices=PhaseOutStatus.choices, label="渐退状态（可多选）")
    ending_before = django_filters.DateFilter(field_name="end", lookup_expr="lt", label="渐退结束日期早于")

    class Meta:
        model = PhaseOut
        fields: list[str] = []


class StopProposalFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="case__village_code")
    household = IntFilter(field_name="case__household_id", label="户ID")
    status = django_filters.MultipleChoiceFilter(choices=StopProposalStatus.choices, label="状态（可多选）")

    class Meta:
        model = StopProposal
        fields: list[str] = []


class PaymentRollFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="county__code")
    month = django_filters.DateFilter(label="发放月份（该月1日）")
    program = django_filters.ChoiceFilter(choices=Program.choices, label="项目")
    status = django_filters.ChoiceFilter(choices=RollStatus.choices, label="状态")

    class Meta:
        model = PaymentRoll
        fields: list[str] = []


class PaymentLineFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="household__village__code")
    roll = IntFilter(label="发放表ID")
    household = IntFilter(label="户ID")

    class Meta:
        model = PaymentLine
        fields: list[str] = []


class HouseholdRowFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="household__village__code")
    household = IntFilter(label="户ID")


class LedgerFilter(HouseholdRowFilter):
    class Meta:
        model = ChangeLedgerEntry
        fields = ["kind", "program"]


class AlertFilter(HouseholdRowFilter):
    open = django_filters.BooleanFilter(field_name="handled_at", lookup_expr="isnull", label="未处理")

    class Meta:
        model = Alert
        fields = ["kind"]


class MeasureFilter(HouseholdRowFilter):
    class Meta:
        model = AssistanceMeasure
        fields = ["kind"]


class OwnVillageRowFilter(ScopedFilterSet):
    """A household's row that carries the household's village code (特困, 两项补贴)."""

    region = RegionPrefixFilter(code_path="village_code")
    household = IntFilter(label="户ID")


class TekunCaseFilter(OwnVillageRowFilter):
    member = IntFilter(label="成员ID")
    mode = django_filters.ChoiceFilter(choices=TekunMode.choices, label="供养方式")
    self_care = django_filters.ChoiceFilter(choices=SelfCare.choices, label="自理能力")
    status = django_filters.ChoiceFilter(choices=SimpleStatus.choices, label="状态")

    class Meta:
        model = TekunCase
        fields: list[str] = []


class DisabilitySubsidyFilter(OwnVillageRowFilter):
    member = IntFilter(label="成员ID")
    kind = django_filters.ChoiceFilter(choices=SubsidyKind.choices, label="补贴类别")
    grade = IntFilter(label="残疾等级")
    status = django_filters.ChoiceFilter(choices=SimpleStatus.choices, label="状态")

    class Meta:
        model = DisabilitySubsidy
        fields: list[str] = []


class MeasureGapFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village__code")
    missing = django_filters.BooleanFilter(
        method="filter_missing", label="true：只列出未达成任一目标的户；false：只列出两项目标均已达成的户"
    )

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_missing(self, queryset, name, value):
        gap = Q(has_industry=False) | Q(has_able_member=True, has_stable_job=False)
        if value is None:
            return queryset
        return queryset.filter(gap) if value else queryset.exclude(gap)


def households_phase_out_ending(queryset, name, value):
    """Household list: households in 渐退 whose phase-out ends before the date."""
    if not value:
        return queryset
    ending = PhaseOut.objects.filter(
        case__household=OuterRef("pk"), status=PhaseOutStatus.ACTIVE, end__lt=value
    )
    return queryset.filter(Exists(ending))


def register_household_filters() -> None:
    register_household_filter(
        "phase_out_ending_before",
        django_filters.DateFilter(
            method=households_phase_out_ending, label="低保渐退在该日前结束的户（渐退中）"
        ),
    )


class MedicalBillFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="household__village__code")
    household = IntFilter(label="户ID")
    member = IntFilter(label="成员ID")
    kind = django_filters.ChoiceFilter(choices=MedicalKind.choices, label="类别")
    status = django_filters.ChoiceFilter(choices=MedicalBillStatus.choices, label="状态")

    class Meta:
        model = MedicalBill
        fields: list[str] = []
