"""The registry's steps over HTTP: change requests and the poverty status (脱贫 退出、返贫、退出公示) of a
household. Every step calls the same households.workflow.services function as the admin; roles are
checked first (403), the service then checks state and level (400 with its Chinese message)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import privacy
from core.api.base import ScopedAPIMixin
from core.api.chain import (
    CHAIN_POLICIES,
    CLERK,
    ChainActionsMixin,
    OptionalReasonSerializer,
    PlainReasonSerializer,
    PublicitySerializer,
    WorkflowEventSerializer,
    roles,
)
from core.workflow import policy as chain_policy
from core.workflow import services as chain
from core.workflow.choices import PublicitySubject
from core.workflow.models import WorkflowEvent
from households.workflow import policy
from households.workflow import services as workflow
from households.workflow.models import ChangeRequest


class ProposeExitSerializer(serializers.Serializer):
    review_date = serializers.DateField(help_text="村两委民主评议日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明（可选）")


class StartPublicitySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[PublicitySubject.EXIT, PublicitySubject.IDENTIFY],
        required=False,
        help_text="公示事项；不填为贫困户退出",
    )
    start = serializers.DateField(help_text="公示开始日期")
    end = serializers.DateField(help_text="公示结束日期（含当日）")
    place = serializers.CharField(help_text="公示地点")


class ChangeRequestInputSerializer(serializers.Serializer):
    changes = serializers.JSONField(
        help_text="变更内容：{household: {字段: 新值}, members: [{id 或新增成员字段}], incomes: [...]}"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="变更说明")


class ChangeRequestSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField(help_text="逐项变更：对象、原值、新值")

    class Meta:
        model = ChangeRequest
        fields = ["id", "household", "state", "note", "created_by", "created_at", "decided_at", "items"]

    def get_items(self, obj) -> list[dict]:
        user = getattr(self.context.get("request"), "user", None)
        return [
            {
                "target": item.target,
                "target_id": item.target_id,
                "old_values": privacy.masked_row(item.old_values, user),
                "new_values": privacy.masked_row(item.new_values, user),
            }
            for item in obj.items.all()
            if item.superseded_at is None  # items replaced by a 村修正 (amend) are history
        ]


class PovertyActionsMixin:
    """脱贫（退出）程序、返贫 and 公示 on a household (防返贫监测 follows its records)."""

    def _household_step(self, request, service, serializer_class, status=200):
        household = self.get_object()
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        result = service(household=household, user=request.user, **data)
        return household, result

    def _fresh(self, household):
        return Response(self.get_serializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(summary="民主评议拟退出", request=ProposeExitSerializer)
    @action(detail=True, methods=["post"], url_path="propose-exit")
    def propose_exit(self, request, pk=None):
        household, _ = self._household_step(request, workflow.propose_exit, ProposeExitSerializer)
        return self._fresh(household)

    @extend_schema(summary="取消拟退出", request=PlainReasonSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-exit")
    def cancel_exit(self, request, pk=None):
        household, _ = self._household_step(request, workflow.cancel_exit, PlainReasonSerializer)
        return self._fresh(household)

    @extend_schema(
        summary="不再享受政策",
        description="已脱贫享受政策 → 已脱贫不再享受政策（县级）。",
        request=OptionalReasonSerializer,
    )
    @action(detail=True, methods=["post"], url_path="end-policy")
    def end_policy(self, request, pk=None):
        serializer = OptionalReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = self.get_object()
        workflow.end_policy_support(
            household=household, user=request.user, reason=serializer.validated_data["reason"]
        )
        return self._fresh(household)

    @extend_schema(summary="返贫", request=PlainReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return-to-poverty")
    def return_to_poverty(self, request, pk=None):
        household, _ = self._household_step(request, workflow.return_to_poverty, PlainReasonSerializer)
        return self._fresh(household)

    @extend_schema(
        summary="开始公示",
        description="乡镇发起公示（贫困户退出或识别），公示期不少于参数 publicity.min_days 天。",
        request=StartPublicitySerializer,
        responses={201: PublicitySerializer},
    )
    @action(detail=True, methods=["post"], url_path="publicity")
    def start_publicity(self, request, pk=None):
        serializer = StartPublicitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = self.get_object()
        publicity = chain.start_publicity(subject=household, user=request.user, **serializer.validated_data)
        return Response(PublicitySerializer(publicity).data, status=201)

    @extend_schema(
        summary="办理记录",
        description="该户的全部审核与状态变更记录（只增不改）。",
        responses=WorkflowEventSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        household = self.get_object()
        events = WorkflowEvent.objects.filter(household_id=household.pk).order_by("created_at", "id")[:500]
        return Response(WorkflowEventSerializer(events, many=True).data)

    @extend_schema(
        summary="发起变更申请",
        description="已入库农户的数据修改须经变更申请，按审核链审核通过后生效。",
        request=ChangeRequestInputSerializer,
        responses={201: ChangeRequestSerializer},
    )
    @action(detail=True, methods=["post"], url_path="change-request")
    def change_request(self, request, pk=None):
        serializer = ChangeRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = self.get_object()
        change = workflow.open_change_request(
            household=household, user=request.user, **serializer.validated_data
        )
        return Response(ChangeRequestSerializer(change).data, status=201)


POVERTY_POLICIES = {
    "propose_exit": roles(policy.EXIT_PROPOSERS),
    "cancel_exit": roles(policy.EXIT_CANCELLERS),
    "end_policy": roles(policy.POLICY_ENDERS),
    "return_to_poverty": roles(policy.POVERTY_RETURNERS),
    "start_publicity": roles(chain_policy.PUBLICITY_MANAGERS),
    "change_request": CLERK,
}


@extend_schema_view(
    list=extend_schema(summary="变更申请列表"),
    retrieve=extend_schema(summary="变更申请详情"),
)
@extend_schema(tags=["审核与公示"])
class ChangeRequestViewSet(ScopedAPIMixin, ChainActionsMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ChangeRequest.objects.prefetch_related("items")
    serializer_class = ChangeRequestSerializer
    filterset_fields = ["state", "household"]
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {**CHAIN_POLICIES, "amend": CLERK}

    @extend_schema(
        summary="村修正变更申请",
        description="被退回村修正的变更申请：新的变更内容替换原内容（原内容留作记录），并重新提交乡镇审核。",
        request=ChangeRequestInputSerializer,
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        serializer = ChangeRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = workflow.amend_change_request(
            change_request=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)
