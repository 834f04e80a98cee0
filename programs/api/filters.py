import django_filters
from django.db.models import Exists, OuterRef

from core.choices import ExitRegionClass
from core.models import Region
from households.api.filters import IntFilter, RegionPrefixFilter, ScopedFilterSet, register_household_filter
from programs.models import EligibilityResult, Parameter, ProgramCode, VillagePopulation


class ParameterFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(label="参数键（精确）")
    key_prefix = django_filters.CharFilter(
        field_name="key", lookup_expr="startswith", label="参数键前缀，如 dibao."
    )
    region_prefix = django_filters.CharFilter(label="区划范围（精确；空为全国）")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="在该日有效的版本")

    class Meta:
        model = Parameter
        fields: list[str] = []

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
        fields: list[str] = []


class VillagePopulationFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village__code")
    village = django_filters.CharFilter(field_name="village_id", label="村区划代码（精确）")
    year = IntFilter(label="年度")

    class Meta:
        model = VillagePopulation
        fields: list[str] = []


class VillageIndicatorFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="code")
    region_class = django_filters.ChoiceFilter(
        field_name="exit_region_class",
        choices=ExitRegionClass.choices,
        label="本村登记的退出标准地区类别",
    )
    poor_village = django_filters.BooleanFilter(field_name="is_poor_village", label="是否贫困村")

    class Meta:
        model = Region
        fields: list[str] = []


def households_eligible_for(queryset, name, value):
    """Household list: households whose latest evaluation found them eligible for the program."""
    if not value:
        return queryset
    results = EligibilityResult.objects.filter(household=OuterRef("pk"), program_id=value, eligible=True)
    return queryset.filter(Exists(results))


def register_household_filters() -> None:
    register_household_filter(
        "program",
        django_filters.ChoiceFilter(
            choices=ProgramCode.choices,
            method=households_eligible_for,
            label="最近一次测算符合该项目条件的户",
        ),
    )
