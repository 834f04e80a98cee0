"""/api/v1/statistics/<name>/[<region code>/]: the 工作台 statistics (reports.statistics) as JSON."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.auth import ExpiringTokenAuthentication
from reports import statistics as stats
from reports.api import serializers as s

SERIALIZERS = {
    "poverty-status": s.PovertyStatusRowSerializer,
    "review-state": s.ReviewStateRowSerializer,
    "incidence": s.IncidenceRowSerializer,
    "dibao-monthly": s.DibaoMonthRowSerializer,
    "phase-outs": s.PhaseOutRowSerializer,
    "measure-gaps": s.MeasureGapRowSerializer,
    "monitoring-categories": s.MonitoringCategoryRowSerializer,
    "monitoring-risks": s.MonitoringRiskRowSerializer,
    "monitoring-summary": s.MonitoringSummaryRowSerializer,
    "monitoring-leads": s.MonitoringLeadRowSerializer,
    "project-funds": s.ProjectFundRowSerializer,
    "project-stages": s.ProjectStageRowSerializer,
    "industry-gaps": s.IndustryGapRowSerializer,
}
DESCRIPTION = (
    "本人管辖范围（或其中一个区划，路径末尾加区划代码）的统计，按下一级区划分组；登记户数字只计已入库户"
    "（有未办结变更申请的户按已入库版本计）。辖区外的区划返回 404。"
)


def _view(name: str, selector, title: str, serializer):
    class StatisticView(APIView):
        authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]  # anonymous: 401

        @extend_schema(
            summary=title,
            description=DESCRIPTION,
            responses=serializer(many=True),
            tags=["统计"],
            operation_id=f"statistics_{name.replace('-', '_')}",
        )
        def get(self, request, code: str = ""):
            with stats.shared_reads():  # one read of the summary and the names per request
                return Response(serializer(selector(request.user, code), many=True).data)

    StatisticView.__name__ = f"Statistic_{name.replace('-', '_')}"
    return StatisticView


def _region_view(name: str, selector, title: str, serializer):
    base = _view(name, selector, title, serializer)

    class RegionStatisticView(base):
        @extend_schema(
            summary=f"{title}（指定区划）",
            description=DESCRIPTION,
            responses=serializer(many=True),
            tags=["统计"],
            operation_id=f"statistics_{name.replace('-', '_')}_region",
        )
        def get(self, request, code: str = ""):
            return super().get(request, code)

    RegionStatisticView.__name__ = f"RegionStatistic_{name.replace('-', '_')}"
    return RegionStatisticView


VIEWS = {
    name: (
        _view(name, selector, title, SERIALIZERS[name]),
        _region_view(name, selector, title, SERIALIZERS[name]),
    )
    for name, (selector, title) in stats.STATISTICS.items()
}
