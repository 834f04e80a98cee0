"""Excel 台账 exports over HTTP: start (small ones come back at once), poll, download.
The export services in reports.exporting decide who may export what."""

from __future__ import annotations

import os

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ScopedAPIMixin
from core.models import Region
from core.scoping import scoped
from reports import exporting
from reports.models import ExportJob

REGION_NOT_FOUND = "该区划不存在或不在您的管辖范围内"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportJobSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True, help_text="进度（百分比）")
    download_url = serializers.SerializerMethodField(help_text="完成后的下载地址")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "ledger",
            "params",
            "status",
            "total_rows",
            "done_rows",
            "progress_percent",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str | None:
        if obj.status != ExportJob.Status.DONE:
            return None
        return f"/api/v1/exports/{obj.pk}/download/"


class StartExportSerializer(serializers.Serializer):
    ledger = serializers.ChoiceField(
        choices=[], help_text="台账代码（见 /api/v1/exports/ledgers/；county_workbook 为全部14张表）"
    )
    region = serializers.RegexField(
        r"^\d{12}$", required=False, help_text="导出区划（12位代码，须在本人范围内）；默认本人区划"
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（可选）")
    full_identity = serializers.BooleanField(
        required=False,
        default=False,
        help_text="含完整身份信息（供银行代发；仅县级，须填写事由，导出将被记录）",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="事由")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ledger"].choices = exporting.ledger_choices()

    def validate_region(self, value: str) -> str:
        # Same answer for a region outside the scope and one that does not exist: no code leaks.
        if not scoped(Region.objects.filter(code=value), self.context["request"].user).exists():
            raise serializers.ValidationError(REGION_NOT_FOUND)
        return value


class LedgerChoiceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="台账代码")
    title = serializers.CharField(help_text="台账名称")


@extend_schema_view(
    list=extend_schema(summary="我的导出任务", description="本人发起的台账导出任务（含进度）。"),
    retrieve=extend_schema(summary="查询导出任务进度"),
)
@extend_schema(tags=["台账导出"])
class ExportViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"create": lambda user, obj=None: True}

    def get_queryset(self):
        return super().get_queryset().filter(created_by=self.request.user)

    @extend_schema(
        summary="发起台账导出",
        description="行数不超过阈值的导出直接返回 xlsx 文件（200）；更大的导出排队生成，返回任务（202），"
        "轮询任务进度，完成后从 download_url 下载。市级只能导出汇总表。",
        request=StartExportSerializer,
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="xlsx 文件"),
            202: ExportJobSerializer,
        },
    )
    def create(self, request):
        data = StartExportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = exporting.start_export(
            user=request.user,
            key=v["ledger"],
            region_code=v.get("region", ""),
            year=v.get("year"),
            full_identity=v["full_identity"],
            reason=v.get("reason", ""),
            request=request,
        )
        if outcome.job is not None:
            return Response(ExportJobSerializer(outcome.job).data, status=202)
        handle = open(outcome.path, "rb")  # noqa: SIM115 - FileResponse closes it
        os.unlink(outcome.path)  # the open handle keeps the data until the response is sent
        return FileResponse(handle, as_attachment=True, filename=outcome.filename, content_type=XLSX)

    @extend_schema(
        summary="下载导出文件",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="xlsx 文件")},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = exporting.job_for_download(job_id=self.get_object().pk, user=request.user)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=os.path.basename(job.file.name))

    @extend_schema(summary="可导出的台账", responses=LedgerChoiceSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def ledgers(self, request):
        return Response([{"key": key, "title": title} for key, title in exporting.ledger_choices()])
