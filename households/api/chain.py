"""Review chain (审核链) and poverty-status actions over HTTP. Every step calls the same
households.workflow.services function as the admin; roles are checked first (403), the service then
checks state and level (400 with its Chinese message)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import privacy
from core.api.base import ScopedAPIMixin
from core.choices import Role
from core.permissions import role_of
from core.workflow import policy as chain_policy
from core.workflow import services as chain
from core.workflow.choices import PublicitySubject
from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent
from households.workflow import policy
from households.workflow import services as workflow
from households.workflow.models import ChangeRequest

REVIEWERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}


def roles(*allowed):
    allowed = set().union(*allowed)

    def check(user, obj=None) -> bool:
        return role_of(user) in allowed or role_of(user) == Role.SYSTEM_ADMIN

    return check


CLERK = roles({Role.VILLAGE_CLERK})


# ------------------------------------------------------------------ input shapes


class ExpectedStateMixin(serializers.Serializer):
    expected_state = serializers.CharField(
        required=False, help_text="可选：操作前记录应处的状态；状态已被他人改变时拒绝执行（防止重复办理）"
    )


class NoteSerializer(ExpectedStateMixin):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审核意见（可选）")


class ReasonSerializer(ExpectedStateMixin):
    reason = serializers.CharField(help_text="原因（必填）")


class OptionalReasonSerializer(ExpectedStateMixin):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明（可选）")


class ProposeExitSerializer(serializers.Serializer):
    review_date = serializers.DateField(help_text="村两委民主评议日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明（可选）")


class PlainReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="原因（必填）")


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


class ObjectionInputSerializer(serializers.Serializer):
    content = serializers.CharField(help_text="异议内容")
    received_on = serializers.DateField(help_text="收到异议的日期（须在公示期内）")
    objector = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="异议人（可匿名）"
    )


class EmptySerializer(serializers.Serializer):
    pass


# ------------------------------------------------------------------ filters


class PublicityFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="household_id", help_text="户")

    class Meta:
        model = Publicity
        fields = ["result", "subject_kind", "household"]


class WorkflowEventFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="household_id", help_text="户")

    class Meta:
        model = WorkflowEvent
        fields = ["record_kind", "record_id", "household", "action"]


# ------------------------------------------------------------------ output shapes


class WorkflowEventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True, help_text="操作名称")
    household = serializers.IntegerField(
        source="household_id", read_only=True, allow_null=True, help_text="户"
    )

    class Meta:
        model = WorkflowEvent
        fields = [
            "id",
            "record_kind",
            "record_id",
            "household",
            "region_code",
            "action",
            "action_display",
            "from_state",
            "to_state",
            "reason",
            "actor",
            "actor_role",
            "created_at",
        ]


class PublicityObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicityObjection
        fields = ["id", "publicity", "received_on", "objector", "content", "recorded_by", "recorded_at"]


class PublicitySerializer(serializers.ModelSerializer):
    objections = PublicityObjectionSerializer(many=True, read_only=True, help_text="异议记录")
    household = serializers.IntegerField(
        source="household_id", read_only=True, allow_null=True, help_text="户"
    )

    class Meta:
        model = Publicity
        fields = [
            "id",
            "subject_kind",
            "record_kind",
            "record_id",
            "household",
            "region_code",
            "start",
            "end",
            "min_days",
            "place",
            "result",
            "created_by",
            "created_at",
            "closed_by",
            "closed_at",
            "objections",
        ]


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


# ------------------------------------------------------------------ the actions


class ChainActionsMixin:
    """Actions of the review chain on any record kind the workflow knows (households, change requests)."""

    def _chain(self, request, service, serializer_class):
        record = self.get_object()
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        service(record=record, user=request.user, **data)
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        summary="提交审核", description="村级提交草稿或村修正记录，进入乡镇审核。", request=ExpectedStateMixin
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._chain(request, chain.submit, ExpectedStateMixin)

    @extend_schema(summary="撤回", description="村级在乡镇审核前撤回。", request=OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._chain(request, chain.withdraw, OptionalReasonSerializer)

    @extend_schema(
        summary="审核通过",
        description="乡镇审核通过进入县级核查；县级核查通过即已入库。录入或修正过该记录的人不能审核。",
        request=NoteSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._chain(request, chain.approve, NoteSerializer)

    @extend_schema(
        summary="退回", description="乡镇退回村修正，县级退回镇修正；必须填写原因。", request=ReasonSerializer
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_lower(self, request, pk=None):
        return self._chain(request, chain.return_to_lower, ReasonSerializer)

    @extend_schema(
        summary="市抽查异议",
        description="市级对已入库记录提出异议，记录回到县级核查。",
        request=ReasonSerializer,
    )
    @action(detail=True, methods=["post"], url_path="city-objection")
    def city_objection(self, request, pk=None):
        return self._chain(request, chain.city_objection, ReasonSerializer)


CHAIN_POLICIES = {
    "submit": CLERK,
    "withdraw": CLERK,
    "approve": roles(REVIEWERS),
    "return_to_lower": roles(REVIEWERS),
    "city_objection": roles({Role.CITY_SUPERVISOR}),
}


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
    list=extend_schema(summary="公示列表", description="本人管辖范围内的公示（退出、识别）。"),
    retrieve=extend_schema(summary="公示详情（含异议）"),
)
@extend_schema(tags=["审核与公示"])
class PublicityViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Publicity.objects.prefetch_related("objections")
    serializer_class = PublicitySerializer
    filterset_class = PublicityFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {
        "objection": roles(chain_policy.OBJECTION_RECORDERS),
        "close": roles(chain_policy.PUBLICITY_MANAGERS),
    }

    @extend_schema(
        summary="登记公示异议",
        description="公示以有异议结束，事项退回调查，须重新公示。",
        request=ObjectionInputSerializer,
        responses={201: PublicityObjectionSerializer},
    )
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        serializer = ObjectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = chain.record_objection(
            publicity=self.get_object(), user=request.user, **serializer.validated_data
        )
        return Response(PublicityObjectionSerializer(objection).data, status=201)

    @extend_schema(summary="公示期满无异议", description="公示期结束后由乡镇确认无异议。", request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        publicity = chain.close_publicity(publicity=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=publicity.pk)).data)


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


@extend_schema_view(
    list=extend_schema(
        summary="办理记录列表", description="审核链与状态变更的全部记录（只增不改），按区划范围可见。"
    ),
    retrieve=extend_schema(summary="办理记录详情"),
)
@extend_schema(tags=["审核与公示"])
class WorkflowEventViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = WorkflowEvent.objects.all()
    serializer_class = WorkflowEventSerializer
    filterset_class = WorkflowEventFilter
    ordering_fields = ["id"]
    ordering = ["id"]


__all__ = [
    "CHAIN_POLICIES",
    "POVERTY_POLICIES",
    "ChainActionsMixin",
    "ChangeRequestViewSet",
    "EmptySerializer",
    "PovertyActionsMixin",
    "PublicityViewSet",
    "WorkflowEventViewSet",
]
