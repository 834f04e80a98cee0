"""/api/v1/monitoring/leads/ and /api/v1/monitoring/records/: scoped reads; a cadre's lead and a
lead's 办结 through the same services as the admin (the phone pages of issue 26 call them too)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assistance.monitoring.choices import LeadOutcome, RiskType
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from assistance.monitoring.services import leads
from core.api.base import ScopedAPIMixin
from core.api.privacy import MaskedFieldsMixin
from core.models import Region
from households.api.chain import roles
from households.api.serializers import ScopedRelatedFieldsMixin
from households.models import Household

ENTRY = roles(leads.ENTRY_ROLES)


class LeadSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True, help_text="线索来源")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="办理状态")

    class Meta:
        model = MonitoringLead
        exclude = ["created_by", "closed_by"]


class RecordSerializer(serializers.ModelSerializer):
    purpose_display = serializers.CharField(source="get_purpose_display", read_only=True, help_text="事项")
    decision_display = serializers.CharField(
        source="get_decision_display", read_only=True, help_text="审定结论"
    )

    class Meta:
        model = MonitoringRecord
        exclude = ["applied_by"]


class NewLeadSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    village = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), help_text="所在村（区划代码，须在本人管辖范围内）"
    )
    household = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True, help_text="已登记农户（可选）"
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", help_text="未登记人员姓名")
    id_no = serializers.CharField(required=False, allow_blank=True, default="", help_text="身份证号（可选）")
    phone = serializers.CharField(required=False, allow_blank=True, default="", help_text="联系电话（可选）")
    risk_types = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskType.choices), help_text="风险类型（可多选）"
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", help_text="情况说明")
    detected_on = serializers.DateField(required=False, help_text="发现日期（默认今天）")


class CloseLeadSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[LeadOutcome.DIBAO_TEKUN, LeadOutcome.NO_RISK],
        help_text="办理结果：纳入低保/特困 或 核实无风险",
    )
    reason = serializers.CharField(help_text="办理说明（必填）")


@extend_schema_view(
    list=extend_schema(
        summary="监测线索列表", description="本人管辖范围内的线索（身份证号、电话遮蔽显示）。"
    ),
    retrieve=extend_schema(summary="监测线索详情"),
    create=extend_schema(
        summary="登记走访排查线索", request=NewLeadSerializer, responses={201: LeadSerializer}
    ),
)
@extend_schema(tags=["防返贫监测"])
class LeadViewSet(
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = MonitoringLead.objects.all()
    serializer_class = LeadSerializer
    filterset_fields = ["source", "status", "severity", "household"]
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"create": ENTRY, "close": ENTRY}

    def create(self, request, *args, **kwargs):
        data = NewLeadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        lead = leads.create_lead(user=request.user, **data.validated_data)
        return Response(self.get_serializer(lead).data, status=201)

    @extend_schema(summary="办结线索", request=CloseLeadSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = CloseLeadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = leads.close_lead(lead=self.get_object(), user=request.user, **data.validated_data)
        return Response(self.get_serializer(lead).data)


@extend_schema_view(
    list=extend_schema(
        summary="防返贫监测记录列表", description="监测对象认定与风险消除记录（本人管辖范围）。"
    ),
    retrieve=extend_schema(summary="防返贫监测记录详情"),
)
@extend_schema(tags=["防返贫监测"])
class RecordViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = MonitoringRecord.objects.all()
    serializer_class = RecordSerializer
    filterset_fields = ["purpose", "decision", "review_state", "category", "household"]
    ordering_fields = ["id"]
    ordering = ["id"]
