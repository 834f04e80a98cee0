"""The review chain (审核链) over HTTP, for any record kind: input and output shapes, the chain's
actions (submit / withdraw / approve / return / 市抽查异议) as a viewset mixin, and the read-only 公示
and transition-log endpoints. Every step calls core.workflow.services, as the admin does; roles are
checked first (403), the service then checks state and level (400 with its Chinese message)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ScopedAPIMixin
from core.choices import Role
from core.permissions import role_of
from core.workflow import policy as chain_policy
from core.workflow import services as chain
from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent

REVIEWERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}


def roles(*allowed):
    allowed = set().union(*allowed)

    def check(user, obj=None) -> bool:
        return role_of(user) in allowed or role_of(user) == Role.SYSTEM_ADMIN

    return check


CLERK = roles({Role.VILLAGE_CLERK})


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


class PlainReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="原因（必填）")


class ObjectionInputSerializer(serializers.Serializer):
    content = serializers.CharField(help_text="异议内容")
    received_on = serializers.DateField(help_text="收到异议的日期（须在公示期内）")
    objector = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="异议人（可匿名）"
    )


class EmptySerializer(serializers.Serializer):
    pass


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
