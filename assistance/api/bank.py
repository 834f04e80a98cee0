"""代发 and 回盘 over HTTP: the county's layouts (read), sending a confirmed roll (the file comes back,
recorded as a full-value export), the batch file again, the 回盘 upload (all or nothing, row errors),
the bank lines (masked), the failed-payment follow-ups with their actions, and a household's months
(due, sent, paid). Same services, scoping and personal-data policy as the admin."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from assistance.banking.files import http_response
from assistance.banking.selectors import household_months
from assistance.models import (
    BankBatch,
    BankLayout,
    BankLayoutColumn,
    BankLine,
    BankReturn,
    PaymentFailure,
    PaymentRoll,
)
from assistance.services import bank, bank_failures
from core.api.base import ScopedAPIMixin
from core.api.chain import roles
from core.api.privacy import MaskedFieldsMixin
from core.choices import Role
from core.excel.parsing import FileRejected
from households.models import Household

CLERK, COUNTY = Role.VILLAGE_CLERK, Role.COUNTY_ADMIN
LAYOUT_NOT_FOUND = "该代发文件格式不存在或不属于本县"
FILE_RESPONSE = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="代发文件（Excel、csv 表格或文本文件；批次号见响应头 X-Batch-No）"
    )
}


def _file(file, batch_no: str) -> HttpResponse:
    response = http_response(file)
    response["X-Batch-No"] = batch_no
    return response


# ------------------------------------------------------------------ serializers


class LayoutColumnSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankLayoutColumn
        fields = ["section", "position", "field", "header", "width", "right_align", "zero_pad"]


class BankLayoutSerializer(serializers.ModelSerializer):
    columns = LayoutColumnSerializer(many=True, read_only=True)

    class Meta:
        model = BankLayout
        fields = [
            "id", "county", "name", "payer", "channel", "file_format", "encoding", "separator", "totals_row",
            "paid_values", "failed_values", "pending_values", "active", "note", "updated_at", "columns",
        ]  # fmt: skip


class BankBatchSerializer(serializers.ModelSerializer):
    payer = serializers.SerializerMethodField(help_text="代发机构")
    roll_status = serializers.CharField(source="roll.status", read_only=True, help_text="发放表状态")

    class Meta:
        model = BankBatch
        fields = [
            "id", "roll", "roll_status", "batch_no", "layout", "payer", "line_count", "total_amount",
            "unsent_count", "paid_count", "paid_amount", "failed_count", "failed_amount", "sent_at",
            "sent_by", "reconciled_at",
        ]  # fmt: skip

    def get_payer(self, obj) -> str:
        return obj.layout_spec.get("payer", "")


class BankReturnSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankReturn
        fields = [
            "id", "batch", "filename", "sha256", "line_count", "paid_count", "failed_count", "pending_count",
            "applied_count", "uploaded_at", "uploaded_by",
        ]  # fmt: skip


class BankLineSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = BankLine
        fields = [
            "id", "batch", "line_no", "payment_line", "household", "payee_name", "payee_id_no", "bank_name",
            "bank_account", "amount", "result", "reason", "bank_code", "bank_message", "result_at",
        ]  # fmt: skip


class PaymentFailureSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, help_text="处理状态名称"
    )
    reason_display = serializers.CharField(
        source="get_reason_display", read_only=True, help_text="失败原因名称"
    )
    reissue_line = serializers.SerializerMethodField(help_text="补发的发放明细编号（尚未补发为空）")

    class Meta:
        model = PaymentFailure
        fields = [
            "id", "bank_line", "household", "program", "month", "amount", "reason", "reason_display",
            "status", "status_display", "change_request", "payee_name", "payee_id_no", "bank_name",
            "bank_account", "payee_reason", "decision_note", "created_at", "corrected_at", "reissue_line",
        ]  # fmt: skip

    def get_reissue_line(self, obj) -> int | None:
        line = obj.bank_line.reissues.first()
        return line.pk if line else None


class SendRollSerializer(serializers.Serializer):
    layout = serializers.IntegerField(help_text="代发文件格式编号（本县的格式）")
    reason = serializers.CharField(max_length=500, help_text="导出事由（代发文件含完整银行账号，将被记录）")


class ExportReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="导出事由（将被记录）")


class ReturnUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="银行回盘文件（格式与送银行时相同）")


class CorrectAccountSerializer(serializers.Serializer):
    bank_name = serializers.CharField(max_length=60, help_text="开户银行")
    bank_account = serializers.CharField(max_length=40, help_text="新银行账号")
    note = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text="说明")


class ProposePayeeSerializer(serializers.Serializer):
    payee_name = serializers.CharField(max_length=50, help_text="领款人姓名")
    payee_id_no = serializers.CharField(max_length=18, help_text="领款人身份证号")
    bank_name = serializers.CharField(max_length=60, help_text="开户银行")
    bank_account = serializers.CharField(max_length=40, help_text="银行账号")
    reason = serializers.CharField(max_length=300, help_text="更换领款人（或原账户已恢复可用）的事由")


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="意见或理由")


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="发放月份（该月的钱；补发计入原月份）")
    program = serializers.CharField(help_text="项目")
    program_label = serializers.CharField(help_text="项目名称")
    due = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="应发（已确认发放表）")
    sent = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="已送银行")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="已到账")
    failed = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="发放失败")
    pending = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="待回盘")
    notes = serializers.ListField(child=serializers.CharField(), help_text="补发情况")


class HouseholdMonthsSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text="户编号（内部）")
    months = MonthSerializer(many=True)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _ReadOnly(ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    ordering_fields = ["id"]
    ordering = ["id"]


# ------------------------------------------------------------------ views


@extend_schema_view(
    list=extend_schema(summary="代发文件格式列表"), retrieve=extend_schema(summary="代发文件格式详情")
)
@extend_schema(tags=["代发与回盘"])
class BankLayoutViewSet(_ReadOnly):
    queryset = BankLayout.objects.prefetch_related("columns")
    serializer_class = BankLayoutSerializer


class RollSendMixin:
    """POST /payment-rolls/{id}/send/ on the roll view set."""

    @extend_schema(
        summary="送银行（生成代发文件）",
        description="已确认的发放表生成代发批次和代发文件（含完整银行账号），发放表变为“已送银行”。"
        "须填写事由，记入个人信息查看记录；仅县级。",
        request=SendRollSerializer,
        responses=FILE_RESPONSE,
        tags=["代发与回盘"],
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        roll: PaymentRoll = self.get_object()
        data = _input(SendRollSerializer, request)
        layout = BankLayout.objects.filter(pk=data["layout"], county_id=roll.county_id).first()
        if layout is None:
            raise ValidationError({"layout": [LAYOUT_NOT_FOUND]})
        batch, file = bank.send_roll(roll=roll, layout=layout, user=request.user, reason=data["reason"],
                                     request=request)  # fmt: skip
        return _file(file, batch.batch_no)


@extend_schema_view(
    list=extend_schema(summary="代发批次列表"), retrieve=extend_schema(summary="代发批次详情")
)
@extend_schema(tags=["代发与回盘"])
class BankBatchViewSet(_ReadOnly):
    queryset = BankBatch.objects.select_related("roll")
    serializer_class = BankBatchSerializer
    filterset_fields = ["roll"]
    policies = {"file": roles({COUNTY}), "bank_return": roles({COUNTY})}

    @extend_schema(
        summary="重新下载代发文件",
        description="与送银行时相同的文件；须填写事由，每次记入个人信息查看记录。",
        request=ExportReasonSerializer,
        responses=FILE_RESPONSE,
    )
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        batch = self.get_object()
        reason = _input(ExportReasonSerializer, request)["reason"]
        file = bank.batch_file(batch=batch, user=request.user, reason=reason, request=request)
        return _file(file, batch.batch_no)

    @extend_schema(
        summary="上传银行回盘",
        description="按批次号和序号逐笔核对（不按姓名），总笔数、总金额须与批次一致；任何一处有误，整个文件退回"
        "（400，逐行列出问题），不做任何更改。已有结果的明细不会改变，重复上传同一回盘不重复处理。",
        request={"multipart/form-data": ReturnUploadSerializer},
        responses={200: BankReturnSerializer},
    )
    # JSON too: a body without a file gets the field error, not 415.
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def bank_return(self, request, pk=None):
        batch = self.get_object()
        upload = _input(ReturnUploadSerializer, request)["file"]
        try:
            result = bank.upload_return(
                batch=batch, user=request.user, data=upload.read(), filename=upload.name
            )
        except (bank.ReturnRejected, FileRejected) as exc:
            raise ValidationError({"file": exc.messages}) from None
        return Response(BankReturnSerializer(result).data)


@extend_schema_view(
    list=extend_schema(summary="代发明细列表", description="账号、身份证号按个人信息规则遮蔽显示。"),
    retrieve=extend_schema(summary="代发明细详情"),
)
@extend_schema(tags=["代发与回盘"])
class BankLineViewSet(_ReadOnly):
    queryset = BankLine.objects.all()
    serializer_class = BankLineSerializer
    filterset_fields = ["batch", "result", "reason", "household"]


@extend_schema_view(
    list=extend_schema(summary="银行回盘记录"), retrieve=extend_schema(summary="银行回盘详情")
)
@extend_schema(tags=["代发与回盘"])
class BankReturnViewSet(_ReadOnly):
    queryset = BankReturn.objects.all()
    serializer_class = BankReturnSerializer
    filterset_fields = ["batch"]


@extend_schema_view(
    list=extend_schema(
        summary="发放失败列表", description="村级：本村待纠正的；县级：全县的，可按原因、状态筛选。"
    ),
    retrieve=extend_schema(summary="发放失败详情"),
)
@extend_schema(tags=["代发与回盘"])
class PaymentFailureViewSet(_ReadOnly):
    queryset = PaymentFailure.objects.select_related("bank_line").prefetch_related("bank_line__reissues")
    serializer_class = PaymentFailureSerializer
    filterset_fields = ["status", "reason", "program", "household"]
    policies = {
        "correct_account": roles({CLERK}),
        "propose_payee": roles({CLERK}),
        "confirm_payee": roles({COUNTY}),
        "return_payee": roles({COUNTY}),
        "waive": roles({COUNTY}),
    }

    def _done(self, failure):
        failure.refresh_from_db()
        return Response(self.get_serializer(failure).data)

    @extend_schema(
        summary="纠正账户",
        description="村级提交该户开户银行、银行账号的变更申请，镇、县审核通过后在下一期发放表中补发。",
        request=CorrectAccountSerializer,
        responses=PaymentFailureSerializer,
    )
    @action(detail=True, methods=["post"], url_path="correct-account")
    def correct_account(self, request, pk=None):
        failure = self.get_object()
        bank_failures.correct_account(
            failure=failure, user=request.user, **_input(CorrectAccountSerializer, request)
        )
        return self._done(failure)

    @extend_schema(
        summary="更换领款人或核实原账户",
        description="村级提出领款人和账户（或原账户已恢复可用），须填写事由，县级确认后补发。",
        request=ProposePayeeSerializer,
        responses=PaymentFailureSerializer,
    )
    @action(detail=True, methods=["post"], url_path="propose-payee")
    def propose_payee(self, request, pk=None):
        failure = self.get_object()
        bank_failures.propose_payee(
            failure=failure, user=request.user, **_input(ProposePayeeSerializer, request)
        )
        return self._done(failure)

    @extend_schema(summary="确认领款人", request=DecisionSerializer, responses=PaymentFailureSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-payee")
    def confirm_payee(self, request, pk=None):
        failure = self.get_object()
        note = _input(DecisionSerializer, request).get("reason", "")
        bank_failures.confirm_payee(failure=failure, user=request.user, note=note)
        return self._done(failure)

    @extend_schema(
        summary="退回领款人（须填写理由）", request=DecisionSerializer, responses=PaymentFailureSerializer
    )
    @action(detail=True, methods=["post"], url_path="return-payee")
    def return_payee(self, request, pk=None):
        failure = self.get_object()
        reason = _input(DecisionSerializer, request).get("reason", "")
        bank_failures.return_payee(failure=failure, user=request.user, reason=reason)
        return self._done(failure)

    @extend_schema(
        summary="不予补发（须填写理由）", request=DecisionSerializer, responses=PaymentFailureSerializer
    )
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        failure = self.get_object()
        reason = _input(DecisionSerializer, request).get("reason", "")
        bank_failures.waive(failure=failure, user=request.user, reason=reason)
        return self._done(failure)


@extend_schema(tags=["代发与回盘"])
class HouseholdPaymentsViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """GET /household-payments/{household id}/: each month's due, sent and paid."""

    queryset = Household.objects.all()
    serializer_class = HouseholdMonthsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(summary="农户逐月发放情况", description="每月应发、已送银行、已到账、发放失败和补发情况。")
    def retrieve(self, request, pk=None):
        household = self.get_object()
        months = [{**vars(row), "program_label": row.program_label} for row in household_months(household)]
        return Response(HouseholdMonthsSerializer({"household": household.pk, "months": months}).data)
