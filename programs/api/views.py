"""Programs over HTTP: the catalogue, dated parameters (county/city set their own scope), stored
eligibility results with reasons, re-evaluation and what-if runs (the same pure rules, not saved)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.base import ScopedAPIMixin, anyone
from core.api.chain import roles
from core.choices import RegionLevel, Role
from core.models import Region
from households.models import Household
from households.selectors import households_for
from programs import services
from programs.api import filters
from programs.api import serializers as s
from programs.models import EligibilityResult, Program, VillagePopulation
from programs.parameter_keys import spec_for
from programs.rules.engine import evaluate
from programs.rules.params import parse_value
from programs.rules.whatif import Scenario
from programs.selectors import (
    household_facts,
    parameters_for,
    parameters_visible_to,
    village_counts,
    village_indicators,
)
from programs.whatif import can_run_region_whatif, county_prefix_of, run_whatif

UNKNOWN_KEY = "未知的参数键：{key}"
NO_APPROVED_DATA = "该户没有已入库的数据，无法测算（可设置 approved_only=false 按录入数据测算）"


def _decision_row(decision) -> dict:
    return {
        "program": decision.program,
        "eligible": decision.eligible,
        "monthly_amount": decision.monthly_amount,
        "annual_amount": decision.annual_amount,
        "persons": decision.persons,
        "reasons": list(decision.reasons),
        "parameter_ids": list(decision.parameter_ids),
        "failed": decision.failed,
    }


@extend_schema_view(
    list=extend_schema(summary="帮扶项目目录"), retrieve=extend_schema(summary="帮扶项目详情")
)
@extend_schema(tags=["项目与参数"])
class ProgramViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue is national, not household data: every signed-in user reads all of it."""

    queryset = Program.objects.all()
    serializer_class = s.ProgramSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Program.objects.order_by("sort_order", "code")


@extend_schema_view(
    list=extend_schema(
        summary="政策参数列表",
        description="本人区划及下级的参数，以及从上级继承的参数；可按键、区划范围、有效日期筛选。",
    ),
    retrieve=extend_schema(summary="政策参数详情"),
    create=extend_schema(
        summary="设置政策参数（新增版本）",
        description="县级管理员为本县或下级区划设置参数：自生效日起新增一个版本，"
        "此前版本在生效日前一日失效，历史测算不变。",
    ),
)
@extend_schema(tags=["项目与参数"])
class ParameterViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ParameterSerializer
    filterset_class = filters.ParameterFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"create": lambda user, obj=None: services.can_edit_parameters(user)}

    def get_queryset(self):
        # Parameters are not household data; programs.selectors decides what a user may read.
        return parameters_visible_to(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.set_parameter(user=self.request.user, **data)


@extend_schema_view(
    list=extend_schema(
        summary="资格测算结果",
        description="每户每个项目最近一次测算：是否符合、金额、中文理由和所用参数版本。",
    ),
    retrieve=extend_schema(summary="测算结果详情"),
)
@extend_schema(tags=["项目与参数"])
class EligibilityResultViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = EligibilityResult.objects.select_related("program")
    serializer_class = s.EligibilityResultSerializer
    filterset_class = filters.EligibilityResultFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"evaluate": roles({Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})}

    @extend_schema(
        summary="重新测算一户",
        description="按已入库数据和测算日有效的参数重新测算该户全部项目并保存。",
        request=s.EvaluateInputSerializer,
        responses=s.EligibilityResultSerializer(many=True),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def evaluate(self, request):
        data = s.EvaluateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = get_object_or_404(households_for(request.user), pk=data.validated_data["household"])
        as_of = data.validated_data.get("as_of") or timezone.localdate()
        if not services.evaluate_household(household=household, as_of=as_of):
            raise ValidationError({"household": [NO_APPROVED_DATA]})
        results = self.get_queryset().filter(household=household).order_by("program__sort_order")
        return Response(self.get_serializer(results, many=True).data)


def _typed_overrides(overrides: dict[str, str]) -> dict:
    typed, errors = {}, {}
    for key, raw in overrides.items():
        spec = spec_for(key)
        if spec is None:
            errors[f"overrides.{key}"] = [UNKNOWN_KEY.format(key=key)]
            continue
        try:
            typed[key] = parse_value(spec.kind, raw)
        except Exception as exc:  # parse_value raises Django ValidationError in Chinese
            errors[f"overrides.{key}"] = list(getattr(exc, "messages", [str(exc)]))
    if errors:
        raise ValidationError(errors)
    return typed


@extend_schema(tags=["项目与参数"])
class WhatIfView(ScopedAPIMixin, APIView):
    """模拟测算：把若干参数换成模拟值，对比现行参数下的结论；不保存任何数据。"""

    serializer_class = s.WhatIfSerializer
    policies = {"post": anyone}  # a what-if changes nothing; scope limits the households

    @extend_schema(
        summary="参数模拟测算（what-if）", request=s.WhatIfInputSerializer, responses=s.WhatIfSerializer
    )
    def post(self, request):
        data = s.WhatIfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        household = get_object_or_404(households_for(request.user), pk=v["household"])
        overrides = _typed_overrides(v["overrides"])
        as_of = v.get("as_of") or timezone.localdate()
        facts = household_facts(Household.objects.filter(pk=household.pk), approved_only=v["approved_only"])
        if not facts:
            raise ValidationError({"household": [NO_APPROVED_DATA]})
        params = parameters_for(region_code=facts[0].village_code, as_of=as_of)
        baseline = [_decision_row(d) for d in evaluate(facts[0], as_of, params)]
        simulated = [_decision_row(d) for d in evaluate(facts[0], as_of, params.with_values(**overrides))]
        changed = [
            b["program"]
            for b, m in zip(baseline, simulated, strict=True)
            if (b["eligible"], b["monthly_amount"], b["annual_amount"])
            != (m["eligible"], m["monthly_amount"], m["annual_amount"])
        ]
        result = {
            "household": household.pk,
            "as_of": as_of,
            "overrides": v["overrides"],
            "baseline": baseline,
            "simulated": simulated,
            "changed": changed,
        }
        return Response(s.WhatIfSerializer(result).data)


# ---------------------------------------------------------------- villages (R5) and county what-if


def _parameter_editor(user, obj=None) -> bool:
    return services.can_edit_parameters(user)


@extend_schema_view(
    list=extend_schema(
        summary="村农业户籍人口列表",
        description="贫困发生率（R5）的分母，按村按年度登记；可按区划前缀、村、年度筛选，游标分页。",
    ),
    retrieve=extend_schema(summary="村农业户籍人口详情"),
    create=extend_schema(
        summary="登记村农业户籍人口",
        description="县级管理员为本县的村登记某年度农业户籍人口；同一村同一年度再次登记即为更正"
        "（返回 200），首次登记返回 201。",
        responses={201: s.VillagePopulationSerializer, 200: s.VillagePopulationSerializer},
    ),
)
@extend_schema(tags=["贫困村退出"])
class VillagePopulationViewSet(
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = VillagePopulation.objects.select_related("village")
    serializer_class = s.VillagePopulationSerializer
    filterset_class = filters.VillagePopulationFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"create": _parameter_editor}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row, created = services.set_village_population(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(row).data, status=201 if created else 200)


@extend_schema_view(
    list=extend_schema(
        summary="贫困村退出指标",
        description="本人管辖范围内各村的贫困发生率（未脱贫人口 ÷ 农业户籍人口）与退出标准（中部2%、西部3%）"
        "的比较（种子规则 R5），按村代码游标分页；year 选农业户籍人口的年度。",
        parameters=[s.VillageIndicatorQuerySerializer],
        responses=s.VillageIndicatorSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="一个村的退出指标",
        parameters=[s.VillageIndicatorQuerySerializer],
        responses=s.VillageIndicatorSerializer,
    ),
)
@extend_schema(tags=["贫困村退出"])
class VillageIndicatorViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """Computed per request from approved data (programs.selectors.village_indicators); nothing stored."""

    queryset = Region.objects.filter(level=RegionLevel.VILLAGE)
    serializer_class = s.VillageIndicatorSerializer
    filterset_class = filters.VillageIndicatorFilter
    lookup_field = "code"
    ordering_fields = ["code"]
    ordering = ["code"]

    def _year(self, request) -> int | None:
        query = s.VillageIndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("year")

    def _indicators(self, request, codes: list[str]) -> list:
        year = self._year(request)
        # The member counts from the register summary, as the 贫困村退出指标 page reads them (a page of
        # a county's villages counted 150,000 members live: 150–190 ms).
        counts = village_counts(request.user)
        return village_indicators(
            user=request.user, as_of=timezone.localdate(), year=year, codes=codes, counts=counts
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).only("code"))
        rows = self._indicators(request, [region.code for region in page])
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        rows = self._indicators(request, [self.get_object().code])
        return Response(self.get_serializer(rows[0]).data)


def _tally(tally) -> dict:
    return {
        **{name: getattr(tally, name) for name in tally.__dataclass_fields__},
        "budget_difference": tally.budget_difference,
    }


@extend_schema(tags=["项目与参数"])
class RegionWhatIfView(ScopedAPIMixin, generics.GenericAPIView):
    """县级情景模拟：按拟调整的农村低保标准或渐退期限，测算本县各乡镇纳入、退出、金额变化的户数人数和
    月支出变化；只读已入库数据，不保存任何数据。县级管理员模拟本县，市级督导人员模拟本市任一县。"""

    queryset = Region.objects.all()
    serializer_class = s.RegionWhatIfSerializer
    lookup_field = "code"
    pagination_class = None
    filter_backends = []
    policies = {"post": lambda user, obj=None: can_run_region_whatif(user)}

    @extend_schema(
        summary="县级政策情景模拟（what-if）",
        request=s.RegionWhatIfInputSerializer,
        responses=s.RegionWhatIfSerializer,
    )
    def post(self, request, code=None):
        region = self.get_object()
        data = s.RegionWhatIfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        county = county_prefix_of(user=request.user, region=region)
        scenario = Scenario(
            kind=v["kind"],
            as_of=v.get("as_of") or timezone.localdate(),
            region_prefix=county,
            standard_year=v.get("standard_year"),
            phase_out_months=v.get("phase_out_months"),
        )
        timed = run_whatif(user=request.user, county_prefix=county, scenario=scenario)
        result = timed.result
        body = {
            "county": region.code,
            "kind": scenario.kind,
            "as_of": scenario.as_of,
            "standard_year": scenario.standard_year,
            "phase_out_months": scenario.phase_out_months,
            "total": _tally(result.total),
            "by_township": [
                {"township": code, "name": timed.township_names.get(code, code), **_tally(tally)}
                for code, tally in sorted(result.by_township.items())
            ],
            "notes": list(result.notes),
        }
        return Response(s.RegionWhatIfSerializer(body).data)
