"""Programs over HTTP: the catalogue, dated parameters (county/city set their own scope), stored
eligibility results with reasons, re-evaluation and what-if runs (the same pure rules, not saved)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from households.api.base import ScopedAPIMixin, anyone
from households.api.chain import roles
from households.choices import Role
from households.models import Household
from households.selectors import households_for
from programs import services
from programs.api import filters
from programs.api import serializers as s
from programs.models import EligibilityResult, Program
from programs.parameter_keys import spec_for
from programs.rules.engine import evaluate
from programs.rules.params import parse_value
from programs.selectors import household_facts, parameters_for, parameters_visible_to

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
        description="县级、市级管理员为本级或下级区划设置参数：自生效日起新增一个版本，"
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
