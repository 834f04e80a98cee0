"""/api/v1/cross-checks/: lists (county and above only), runs, 疑点 and their answers, counts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from assistance.models import DibaoCase
from core.api.base import ScopedAPIMixin
from core.api.chain import roles
from core.api.exceptions import Conflict
from core.api.schema import ErrorSerializer
from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from households.workflow.models import ChangeRequest
from reports.crosscheck import selectors, services
from reports.crosscheck.api import filters
from reports.crosscheck.api import serializers as s
from reports.crosscheck.choices import RunKind
from reports.crosscheck.models import CheckRun, Hit, OutsideList

CLERK, TOWNSHIP, COUNTY, CITY = (
    Role.VILLAGE_CLERK,
    Role.TOWNSHIP_REVIEWER,
    Role.COUNTY_ADMIN,
    Role.CITY_SUPERVISOR,
)
HITS_FORBIDDEN = "比对疑点明细仅限村、乡镇、县级人员查看；市级可查看各县统计"
LINK_NOT_FOUND = "未找到该记录，或不在您的管辖范围内"


class ReadOnly(ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    ordering_fields = ["id"]
    ordering = ["-id"]


@extend_schema_view(
    list=extend_schema(summary="比对名单列表", description="仅县级及以上人员可查看。"),
    retrieve=extend_schema(summary="比对名单详情（含错误行）"),
    create=extend_schema(
        summary="上传比对名单",
        description="Excel 或 CSV（UTF-8/GBK，可有合并标题行），须有“身份证号”“姓名”列；"
        "有任何错误行则整批不导入，错误行随名单保存。导入成功后按县自动比对。",
        request={"multipart/form-data": s.UploadListSerializer},
        responses={
            201: s.OutsideListSerializer,
            # a list with row errors is kept (its errors listed); a file that cannot be read is not
            400: PolymorphicProxySerializer(
                component_name="OutsideListRejected",
                serializers=[s.OutsideListSerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
        },
    ),
)
@extend_schema(tags=["信息比对"])
class OutsideListViewSet(ReadOnly, mixins.CreateModelMixin):
    queryset = OutsideList.objects.select_related("uploaded_by")
    serializer_class = s.OutsideListSerializer
    filterset_class = filters.OutsideListFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    policies = {"create": roles({COUNTY, CITY})}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        services.require_list_access(request.user)  # never to villages or townships, not even a 404

    def create(self, request, *args, **kwargs):
        serializer = s.UploadListSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        batch = services.upload_list(user=request.user, data=upload.read(), filename=upload.name, **data)
        body = s.OutsideListSerializer(batch).data
        return Response(body, status=201 if batch.status == "accepted" else 400)


@extend_schema_view(
    list=extend_schema(summary="比对运行记录"),
    retrieve=extend_schema(summary="比对运行详情"),
)
@extend_schema(tags=["信息比对"])
class CheckRunViewSet(ReadOnly):
    queryset = CheckRun.objects.all()
    serializer_class = s.CheckRunSerializer
    filterset_class = filters.CheckRunFilter


@extend_schema_view(
    list=extend_schema(summary="疑似同一人检查记录", description="县级看本县，市级看本市及所辖各县。"),
    retrieve=extend_schema(summary="疑似同一人检查状态", description="比对中、已完成（新增疑点数）或失败。"),
    create=extend_schema(
        summary="立即检查疑似同一人",
        description="县级管理员检查本县，市级监督员检查本市各县（跨县）或所辖某县；检查在后台进行，"
        "用返回的记录ID查询状态。同一区划已有检查在进行时拒绝（409）。",
        request=s.StartDuplicateRunSerializer,
        responses={202: s.DuplicateRunSerializer, 409: ErrorSerializer},
    ),
)
@extend_schema(tags=["信息比对"])
class DuplicateRunViewSet(ReadOnly, mixins.CreateModelMixin):
    queryset = CheckRun.objects.filter(kind=RunKind.DUPLICATES).select_related("county", "requested_by")
    serializer_class = s.DuplicateRunSerializer
    filterset_class = filters.CheckRunFilter
    policies = {"create": roles({COUNTY, CITY})}

    def create(self, request, *args, **kwargs):
        serializer = s.StartDuplicateRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = services.duplicate_check_region(request.user, serializer.validated_data.get("region"))
        try:
            run = services.start_duplicate_check(region=region, user=request.user)
        except services.DuplicateCheckBusy as busy:
            raise Conflict(str(busy)) from None
        run.refresh_from_db()  # in process (no Celery broker) the run has already ended
        return Response(self.get_serializer(run).data, status=202)


@extend_schema_view(
    list=extend_schema(
        summary="比对疑点列表", description="村看本村，乡镇看本乡镇，县看全县；可按规则、风险、状态筛选。"
    ),
    retrieve=extend_schema(summary="比对疑点详情"),
)
@extend_schema(tags=["信息比对"])
class HitViewSet(ReadOnly):
    queryset = Hit.objects.select_related("village", "household", "member")
    serializer_class = s.HitSerializer
    filterset_class = filters.HitFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    policies = {
        "answer": roles({CLERK}),
        "confirm": roles({TOWNSHIP}),
        "send_back": roles({TOWNSHIP}),
        "hold": roles({COUNTY}),
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if role_of(request.user) == CITY:
            raise PermissionDenied(HITS_FORBIDDEN)

    def _done(self, hit):
        return Response(self.get_serializer(self.get_queryset().get(pk=hit.pk)).data)

    def _linked(self, model, pk):
        if pk is None:
            return None
        found = scoped(model.objects.all(), self.request.user).filter(pk=pk).first()
        if found is None:
            raise ValidationError(
                {"change_request" if model is ChangeRequest else "stopped_case": [LINK_NOT_FOUND]}
            )
        return found

    @extend_schema(
        summary="村级核实答复",
        description="核实无误：填写核实情况并上传佐证材料；已纠正：关联因此提出的变更申请或停保的低保案件。",
        request={"multipart/form-data": s.AnswerSerializer, "application/json": s.AnswerSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        hit = self.get_object()
        serializer = s.AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hit = services.answer_hit(
            hit=hit,
            user=request.user,
            answer=data["answer"],
            reason=data["answer_reason"],
            attachment=data.get("attachment"),
            change_request=self._linked(ChangeRequest, data.get("change_request")),
            stopped_case=self._linked(DibaoCase, data.get("stopped_case")),
        )
        return self._done(hit)

    @extend_schema(summary="乡镇确认核实结果", request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._done(services.confirm_hit(hit=self.get_object(), user=request.user))

    @extend_schema(
        summary="县级决定暂停发放",
        description="县级管理员对疑点所在户暂停发放，须填写理由；乡镇确认核实结果后自动解除。"
        "市级上传的名单只生成疑点，不自动暂停发放。",
        request=s.HoldSerializer,
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._with_reason(s.HoldSerializer, services.hold_payment)

    @extend_schema(summary="乡镇退回重新核实", request=s.ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        return self._with_reason(s.ReturnSerializer, services.return_hit)

    def _with_reason(self, serializer_class, service):
        hit = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            service(hit=hit, user=self.request.user, reason=serializer.validated_data["reason"])
        )


@extend_schema(tags=["信息比对"])
class HitCountViewSet(ScopedAPIMixin, viewsets.ViewSet):
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="各县比对疑点统计", responses={200: s.HitCountSerializer(many=True)})
    def list(self, request):
        return Response(s.HitCountSerializer(selectors.counts_by_county(request.user), many=True).data)
