"""/api/v1/projects/: the 项目库 in the user's scope (the same scoped() as every page), each project
with its budget, paid and remaining by fund source (R31) and its beneficiary household count."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from core.api.base import ScopedAPIMixin
from projects.models import Project
from projects.selectors import beneficiary_counts, fund_figures


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="资金来源代码")
    label = serializers.CharField(help_text="资金来源")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="预算（元）")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="已支付（元）")
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="剩余（元）")


class ProjectSerializer(serializers.ModelSerializer):
    project_type_display = serializers.CharField(source="get_project_type_display", read_only=True)
    review_state_display = serializers.CharField(source="get_review_state_display", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    funds = serializers.SerializerMethodField(help_text="按资金来源的预算、已支付、剩余")
    households = serializers.SerializerMethodField(help_text="受益户数")

    class Meta:
        model = Project
        exclude = ["created_by"]

    @extend_schema_field(SourceSerializer(many=True))
    def get_funds(self, obj) -> list[dict]:
        figures = self.context["funds"].get(obj.pk)
        return SourceSerializer(figures.lines if figures else [], many=True).data

    def get_households(self, obj) -> int:
        return self.context["households"].get(obj.pk, 0)


@extend_schema_view(
    list=extend_schema(
        summary="扶贫项目列表",
        description="本人管辖范围内的项目（含审核中的项目），按资金来源列出预算与支付。",
    ),
    retrieve=extend_schema(summary="扶贫项目详情"),
)
@extend_schema(tags=["扶贫项目库"])
class ProjectViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_fields = ["year", "project_type", "review_state", "stage", "region"]
    ordering_fields = ["id"]
    ordering = ["id"]

    def get_serializer(self, *args, **kwargs):
        objects = args[0] if args else kwargs.get("instance")
        items = (
            list(objects)
            if isinstance(objects, (list, tuple))
            else ([objects] if objects is not None else [])
        )
        ids = [o.pk for o in items]
        context = self.get_serializer_context()
        context.update(funds=fund_figures(ids), households=beneficiary_counts(ids))
        kwargs["context"] = context
        return self.get_serializer_class()(*args, **kwargs)
