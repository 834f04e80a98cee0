from __future__ import annotations

from rest_framework import serializers

from core.api.privacy import MaskedFieldsMixin
from reports.crosscheck.choices import Answer, ListKind
from reports.crosscheck.models import CheckRun, Hit, OutsideList


class OutsideListSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="kind_label", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = OutsideList
        fields = [
            "id", "kind", "kind_display", "kind_name", "cutoff_date", "source_agency", "region",
            "original_name", "uploaded_by", "uploaded_at", "status", "status_display", "row_count",
            "error_count", "errors",
        ]  # fmt: skip
        read_only_fields = fields


class UploadListSerializer(serializers.Serializer):
    file = serializers.FileField(label="名单文件（Excel 或 CSV）")
    kind = serializers.ChoiceField(choices=ListKind.choices, label="名单类别")
    kind_name = serializers.CharField(
        label="名单名称（类别为“其他”时填写）", required=False, allow_blank=True, max_length=50
    )
    cutoff_date = serializers.DateField(label="截止日期")
    source_agency = serializers.CharField(label="提供单位", max_length=100)


class HitSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    rule_display = serializers.CharField(source="get_rule_display", read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    answer_display = serializers.CharField(source="get_answer_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    household_no = serializers.CharField(source="household.household_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True, default="")
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = Hit
        fields = [
            "id", "rule", "rule_display", "severity", "severity_display", "village", "village_name",
            "household", "household_no", "member", "member_name", "other_household", "id_no", "reason",
            "on_payee", "batch", "deadline", "status", "status_display", "answer", "answer_display",
            "answer_reason", "has_attachment", "change_request", "stopped_case", "answered_at",
            "confirmed_at", "return_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_attachment(self, obj: Hit) -> bool:
        return bool(obj.attachment)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Answer.choices, label="核实结论")
    answer_reason = serializers.CharField(label="核实情况", max_length=400)
    attachment = serializers.FileField(label="佐证材料（核实无误时必传）", required=False)
    change_request = serializers.IntegerField(label="因此提出的变更申请ID", required=False, min_value=1)
    stopped_case = serializers.IntegerField(label="因此停保的低保案件ID", required=False, min_value=1)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(label="退回原因", max_length=300)


class HoldSerializer(serializers.Serializer):
    reason = serializers.CharField(label="暂停发放理由", max_length=200)


class CheckRunSerializer(serializers.ModelSerializer):
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CheckRun
        fields = [
            "id", "county", "trigger", "trigger_display", "batch", "as_of", "status", "status_display",
            "started_at", "finished_at", "hits_found", "holds_placed", "seconds",
        ]  # fmt: skip
        read_only_fields = fields


class DuplicateRunSerializer(serializers.ModelSerializer):
    """A 疑似同一人 run: 比对中 until it ends 已完成 (hits_found: the new 疑点) or 失败."""

    region = serializers.CharField(source="county_id", read_only=True, label="区划代码（县或市）")
    region_name = serializers.CharField(source="county.name", read_only=True, label="区划")
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default="")

    class Meta:
        model = CheckRun
        fields = [
            "id", "region", "region_name", "trigger", "trigger_display", "requested_by", "as_of", "status",
            "status_display", "started_at", "finished_at", "hits_found", "seconds", "error",
        ]  # fmt: skip
        read_only_fields = fields


class StartDuplicateRunSerializer(serializers.Serializer):
    region = serializers.CharField(
        label="区划代码（可选）",
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="不填为本人所在县或市；市级可填所辖某县",
    )


class HitCountSerializer(serializers.Serializer):
    region = serializers.CharField(label="县区划代码")
    region_name = serializers.CharField(label="县")
    open = serializers.IntegerField(label="待核实")
    answered = serializers.IntegerField(label="待乡镇确认")
    closed = serializers.IntegerField(label="已办结")
    high_unresolved = serializers.IntegerField(label="高风险未办结")
    overdue = serializers.IntegerField(label="逾期未核实")
    total = serializers.IntegerField(label="合计")
