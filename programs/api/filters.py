import django_filters

from households.api.filters import IntFilter, RegionPrefixFilter, ScopedFilterSet
from programs.models import EligibilityResult, Parameter, ProgramCode


class ParameterFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(label="参数键（精确）")
    key_prefix = django_filters.CharFilter(
        field_name="key", lookup_expr="startswith", label="参数键前缀，如 dibao."
    )
    region_prefix = django_filters.CharFilter(label="区划范围（精确；空为全国）")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="在该日有效的版本")

    class Meta:
        model = Parameter
        fields = []

    def filter_valid_on(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(valid_from__lte=value).exclude(valid_to__lt=value)


class EligibilityResultFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="household__village__code")
    household = IntFilter(label="户ID")
    program = django_filters.ChoiceFilter(choices=ProgramCode.choices, label="项目")
    eligible = django_filters.BooleanFilter(label="是否符合条件")

    class Meta:
        model = EligibilityResult
        fields = []
