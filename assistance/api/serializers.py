"""Shapes of the assistance API; every write goes through assistance.services."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from assistance.choices import (
    CaseType,
    HospitalLevel,
    MedicalKind,
    PhaseOutTrigger,
    Program,
    SelfCare,
    SubsidyKind,
    TekunMode,
    VisitLevel,
)
from assistance.models import (
    Alert,
    AssistanceMeasure,
    CaseHomeVisit,
    ChangeLedgerEntry,
    DibaoCase,
    DisabilitySubsidy,
    MedicalBill,
    PaymentLine,
    PaymentRoll,
    PhaseOut,
    StopProposal,
    TekunCase,
)
from assistance.models.person_keys import PERSON_KEYS
from core.api.privacy import MaskedFieldsMixin
from households.api.serializers import ScopedRelatedFieldsMixin
from households.models import Member

DATE_IN_FUTURE = "日期不能晚于今天"


def not_future(value):
    if value and value > timezone.localdate():
        raise serializers.ValidationError(DATE_IN_FUTURE)
    return value


class OnDateSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, validators=[not_future], help_text="办理日期，默认今天")

    def on_date(self):
        return self.validated_data.get("on") or timezone.localdate()


class ConfirmSerializer(OnDateSerializer):
    special_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="特殊情况确认理由：仅在家庭金融资产超过规定标准、收入低于保障标准而县级决定确认时填写",
    )


class DibaoCaseSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")

    class Meta:
        model = DibaoCase
        exclude = ["covered_members", "village_code"]  # the scope's index key, not data


class ApplyCaseSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """低保申请: the household (in scope), type, covered members for 单人保."""

    class Meta:
        model = DibaoCase
        fields = ["household", "case_type", "covered_members", "applied_on", "near_relative_of_staff"]
        extra_kwargs = {"covered_members": {"required": False}, "case_type": {"default": CaseType.WHOLE}}
        validators = []


class HomeVisitInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=VisitLevel.choices, help_text="核查层级")
    visit_date = serializers.DateField(validators=[not_future], help_text="入户日期")
    visitors = serializers.CharField(max_length=100, help_text="核查人员")
    findings = serializers.CharField(help_text="核查情况")


class CaseHomeVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseHomeVisit
        fields = ["id", "case", "level", "visit_date", "visitors", "findings", "recorded_by", "created_at"]


class CasePublicitySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="公示开始日期；公示期按参数 publicity.min_days 计算")
    place = serializers.CharField(max_length=100, help_text="公示地点")


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="理由（必填）")


class CaseObjectionSerializer(OnDateSerializer):
    reason = serializers.CharField(
        max_length=300, help_text="异议内容（必填）；on 为收到异议的日期，须在公示期内"
    )


class RefuseSerializer(OnDateSerializer):
    reason = serializers.CharField(max_length=300, help_text="不予确认理由")


class StopSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="停保月份（自该月起不再发放）")
    reason = serializers.CharField(max_length=300, help_text="停保原因")


class ProposePhaseOutSerializer(OnDateSerializer):
    income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="触发时年人均收入（元）"
    )
    trigger = serializers.ChoiceField(
        choices=PhaseOutTrigger.choices, default=PhaseOutTrigger.OTHER, help_text="渐退原因"
    )


class PhaseOutSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="case.household_id", read_only=True, help_text="户ID")

    class Meta:
        model = PhaseOut
        fields = "__all__"


class StopProposalSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="case.household_id", read_only=True, help_text="户ID")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")
    ground_display = serializers.CharField(source="get_ground_display", read_only=True, help_text="停保依据")

    class Meta:
        model = StopProposal
        fields = "__all__"


class ApprovePhaseOutSerializer(OnDateSerializer):
    months = serializers.IntegerField(
        required=False, min_value=1, max_value=120, help_text="渐退月数，默认取参数"
    )
    start = serializers.DateField(required=False, help_text="渐退开始月份，默认下月")
    trigger = serializers.ChoiceField(choices=PhaseOutTrigger.choices, required=False, help_text="渐退原因")


class PaymentRollSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentRoll
        fields = "__all__"


# Programs that have a monthly roll (两项补贴 are paid with 低保/特困 or by the 残联, not rolled here).
ROLL_PROGRAMS = [
    (Program.DIBAO.value, Program.DIBAO.label),
    (Program.TEKUN.value, Program.TEKUN.label),
    (Program.MEDICAL.value, Program.MEDICAL.label),
]


class GenerateRollSerializer(serializers.Serializer):
    county = serializers.RegexField(r"^\d{6}000000$", help_text="县级区划代码（12位）")
    month = serializers.DateField(help_text="发放月份（取该月1日）")
    program = serializers.ChoiceField(choices=ROLL_PROGRAMS, default=Program.DIBAO, help_text="项目")


class PaymentLineSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = PaymentLine
        fields = "__all__"


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeLedgerEntry
        fields = "__all__"


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = "__all__"


class MeasureSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = AssistanceMeasure
        fields = "__all__"
        read_only_fields = ["cancelled_at", "created_at"]


class TekunCaseSerializer(serializers.ModelSerializer):
    mode_display = serializers.CharField(source="get_mode_display", read_only=True, help_text="供养方式名称")
    self_care_display = serializers.CharField(
        source="get_self_care_display", read_only=True, help_text="自理能力名称"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")

    class Meta:
        model = TekunCase
        exclude = ["village_code", *PERSON_KEYS]  # index keys, not data


class ApplyTekunSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    """特困供养申请 for one member: enters the review chain (村提交 → 镇审核 → 县审核确认)."""

    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.select_related("household"),
        help_text="供养对象（成员ID，须在本人管辖范围内）",
    )
    mode = serializers.ChoiceField(choices=TekunMode.choices, help_text="供养方式")
    self_care = serializers.ChoiceField(choices=SelfCare.choices, help_text="自理能力（决定护理费标准）")
    assessed_on = serializers.DateField(
        required=False, allow_null=True, validators=[not_future], help_text="能力评估日期（可选）"
    )


class StartTekunSerializer(ApplyTekunSerializer):
    """特困供养 entered by the county: the standards come from the parameters of the start month (R11)."""

    start_month = serializers.DateField(help_text="纳入月份（取该月1日）")


class ApplySubsidySerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    """非低保户单独申请残疾人护理补贴 (P14): enters the review chain."""

    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.select_related("household"),
        help_text="申请补贴的残疾人（成员ID，须在本人管辖范围内）",
    )
    kind = serializers.ChoiceField(
        choices=SubsidyKind.choices,
        default=SubsidyKind.CARE,
        help_text="补贴类别；单独申请只能是护理补贴（生活补贴随低保案件发放）",
    )


class MedicalBillSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")

    class Meta:
        model = MedicalBill
        fields = "__all__"


class EnterMedicalBillSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    """村录入医疗费用: the bill enters the review chain with its computed 医疗救助 amount."""

    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.select_related("household"), help_text="患者（成员ID，须在本人管辖范围内）"
    )
    bill_date = serializers.DateField(help_text="结算日期")
    hospital = serializers.CharField(max_length=100, help_text="医院名称")
    hospital_level = serializers.ChoiceField(choices=HospitalLevel.choices, help_text="医院级别")
    kind = serializers.ChoiceField(choices=MedicalKind.choices, help_text="类别：住院 / 门诊慢病 / 大病")
    total_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="总费用（元）"
    )
    basic_insurance_paid = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, default=0, help_text="基本医保报销（元）"
    )
    critical_insurance_paid = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, default=0, help_text="大病保险报销（元）"
    )


class ChainNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审核意见（可选）")


class ChainReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="退回原因（必填）")


class DisabilitySubsidySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="补贴类别名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称")

    class Meta:
        model = DisabilitySubsidy
        exclude = ["village_code", *PERSON_KEYS]  # index keys, not data


class MeasureGapSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="户ID")
    household_no = serializers.CharField(help_text="户编号")
    village = serializers.CharField(source="village_id", help_text="村区划代码")
    village_name = serializers.CharField(source="village.name", help_text="村名")
    has_industry = serializers.BooleanField(help_text="有产业帮扶项目（未取消）")
    has_able_member = serializers.BooleanField(help_text="有劳动年龄内、有劳动能力的在册成员")
    has_stable_job = serializers.BooleanField(
        help_text="有成员稳定就业（务工月数达参数要求，或登记了稳定就业措施）"
    )
    industry_ok = serializers.BooleanField(source="has_industry", help_text="产业帮扶目标已达成")
    employment_ok = serializers.SerializerMethodField(help_text="稳定就业目标已达成（无劳动力的户不要求）")

    def get_employment_ok(self, obj) -> bool:
        return obj.has_stable_job or not obj.has_able_member
