"""django-filter sets for the household API. A region filter must lie inside the user's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from rest_framework import exceptions as drf_exceptions

from core.choices import RegionLevel, ReviewState
from core.idcard import normalize_id
from core.models import Region
from core.scoping import region_prefix_for
from households.choices import DangerLevel, MemberStatus, PovertyAttribute, PovertyCause, PovertyStatus
from households.models import HelperAssignment, Household, IncomeYear, Member, Visit, WorkTeam

REGION_PREFIX_WRONG = "区划代码前缀应为2到12位数字"
REGION_OUT_OF_SCOPE = "所选区划 {code} 不在您的管辖范围内"


def check_region_prefix(user, value: str) -> str:
    """A region prefix in a query must be digits and inside (or equal to) the user's own region."""
    if not value.isdigit() or not 2 <= len(value) <= 12:
        raise ValidationError(REGION_PREFIX_WRONG)
    prefix = region_prefix_for(user) or ""
    if not value.startswith(prefix):
        raise ValidationError(REGION_OUT_OF_SCOPE.format(code=value))
    return value


class RegionPrefixFilter(django_filters.CharFilter):
    """`?region=211223` keeps rows whose region code starts with the prefix (index-friendly LIKE)."""

    def __init__(self, *args, code_path: str, **kwargs):
        kwargs.setdefault("label", "区划代码前缀（须在本人管辖范围内）")
        super().__init__(*args, field_name=code_path, lookup_expr="startswith", **kwargs)


ID_IN_URL = "不支持：身份证号不能放在网址中（会进入访问日志），请用 POST …/search/ 按身份证号查找"


def refuse_id_in_url(qs, name, value):
    if value:
        raise drf_exceptions.ValidationError({name: [ID_IN_URL]})
    return qs


def households_with_member_id(qs, id_no: str):
    members = Member.objects.filter(household=OuterRef("pk"), id_no=normalize_id(id_no))
    return qs.filter(Exists(members))


class IntFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ScopedFilterSet(django_filters.FilterSet):
    """Rejects (400, with the field name) a region prefix outside the user's own region."""

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        user = getattr(self.request, "user", None)
        for name, filter_ in self.filters.items():
            value = self.form.cleaned_data.get(name)
            if isinstance(filter_, RegionPrefixFilter) and value:
                try:
                    check_region_prefix(user, value)
                except ValidationError as exc:
                    self.form.add_error(name, exc)
        return not self.form.errors


class HouseholdFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village__code")
    status = django_filters.MultipleChoiceFilter(
        field_name="poverty_status", choices=PovertyStatus.choices, label="脱贫状态（可多选）"
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices, label="审核状态（可多选）"
    )
    attribute = django_filters.MultipleChoiceFilter(
        choices=PovertyAttribute.choices, label="贫困户属性（可多选）"
    )
    cause = django_filters.ChoiceFilter(
        choices=PovertyCause.choices, method="filter_cause", label="致贫原因（主要或其他原因之一）"
    )
    main_cause = django_filters.ChoiceFilter(choices=PovertyCause.choices, label="主要致贫原因")
    danger_level = django_filters.MultipleChoiceFilter(choices=DangerLevel.choices, label="危房等级")
    identify_year = IntFilter(label="识别年度")
    id_no = django_filters.CharFilter(method="refuse_id_in_url", label=ID_IN_URL)

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_cause(self, qs, name, value):
        return qs.filter(Q(main_cause=value) | Q(other_causes__contains=[value])) if value else qs

    def refuse_id_in_url(self, qs, name, value):
        return refuse_id_in_url(qs, name, value)


def register_household_filter(name: str, filter_: django_filters.Filter) -> None:
    """Upper floors contribute household-list filters on the data they own (programs: eligibility,
    assistance: 渐退) from their AppConfig.ready(); the filter's `method` is a callable."""
    HouseholdFilter.base_filters[name] = filter_


class MemberFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="household__village__code")
    household = IntFilter(label="户ID")
    member_status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label="成员状态")
    id_no = django_filters.CharFilter(method="refuse_id_in_url", label=ID_IN_URL)
    name = django_filters.CharFilter(label="姓名（精确匹配）")

    class Meta:
        model = Member
        fields: list[str] = []

    def refuse_id_in_url(self, qs, name, value):
        return refuse_id_in_url(qs, name, value)


class IncomeYearFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village_code")  # the household's (IncomeYear.village_code)
    household = IntFilter(label="户ID")
    period_end_year = IntFilter(
        field_name="period_end__year", label="收入年度止的年份", min_value=1949, max_value=2100
    )

    class Meta:
        model = IncomeYear
        fields: list[str] = []


class HouseholdChildFilter(ScopedFilterSet):
    """For helper assignments and visits: by household or region."""

    region = RegionPrefixFilter(code_path="household__village__code")
    household = IntFilter(label="户ID")


class HelperAssignmentFilter(HouseholdChildFilter):
    class Meta:
        model = HelperAssignment
        fields: list[str] = []


class VisitFilter(HouseholdChildFilter):
    visited_after = django_filters.DateFilter(field_name="visit_date", lookup_expr="gte", label="走访日期起")
    visited_before = django_filters.DateFilter(field_name="visit_date", lookup_expr="lte", label="走访日期止")

    class Meta:
        model = Visit
        fields: list[str] = []


class RegionFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="code")
    parent = django_filters.CharFilter(field_name="parent_id", label="上级区划代码（列出直属下级）")
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label="级别")
    name = django_filters.CharFilter(lookup_expr="contains", label="名称包含")

    class Meta:
        model = Region
        fields: list[str] = []


class WorkTeamFilter(ScopedFilterSet):
    region = RegionPrefixFilter(code_path="village__code")

    class Meta:
        model = WorkTeam
        fields: list[str] = []
