import django_filters

from households.api.filters import IntFilter, RegionPrefixFilter, ScopedFilterSet
from reports.crosscheck.choices import BatchStatus, HitStatus, ListKind, Rule, Severity
from reports.crosscheck.models import CheckRun, Hit, OutsideList


class HitFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village__code")
    household = IntFilter(label="户ID")
    batch = IntFilter(label="名单ID")
    rule = django_filters.MultipleChoiceFilter(choices=Rule.choices, label="比对规则（可多选）")
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, label="风险等级（可多选）")
    status = django_filters.MultipleChoiceFilter(choices=HitStatus.choices, label="办理状态（可多选）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期未核实")

    class Meta:
        model = Hit
        fields = []

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        overdue = {"status": HitStatus.OPEN, "deadline__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class OutsideListFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="region__code")
    kind = django_filters.MultipleChoiceFilter(choices=ListKind.choices, label="名单类别（可多选）")
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices, label="状态")
    cutoff_after = django_filters.DateFilter(
        field_name="cutoff_date", lookup_expr="gte", label="截止日期不早于"
    )

    class Meta:
        model = OutsideList
        fields = []


class CheckRunFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="county__code")
    batch = IntFilter(label="名单ID")

    class Meta:
        model = CheckRun
        fields = []
