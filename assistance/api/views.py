"""低保 cases, 渐退, payment rolls, ledgers and measures over HTTP: scoped reads, service writes."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assistance import selectors
from assistance.api import filters
from assistance.api import serializers as s
from assistance.api.bank import RollSendMixin
from assistance.models import (
    Alert,
    AssistanceMeasure,
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
from assistance.services import cases, medical, phase_out, rolls, stops, subsidies, tekun
from core.api.base import ScopedAPIMixin
from core.api.chain import roles
from core.api.privacy import RevealActionMixin, may_reveal
from core.choices import Role
from core.models import Region
from core.scoping import scoped
from core.workflow import policy as chain_policy
from households import permissions
from households.api.views import UpdateNoDeleteViewSet, crud_docs

CLERK, TOWNSHIP, COUNTY = Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN


class ReadOnly(ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    ordering_fields = ["id"]
    ordering = ["id"]


def _input(serializer_class, request):
    # the request in the context: serializers of member/household ids scope them to the user
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer


@extend_schema_view(
    list=extend_schema(summary="低保案件列表", description="可按区划前缀、户、状态筛选。"),
    retrieve=extend_schema(summary="低保案件详情"),
    create=extend_schema(
        summary="低保申请", request=s.ApplyCaseSerializer, responses={201: s.DibaoCaseSerializer}
    ),
)
@extend_schema(tags=["低保与渐退"])
class DibaoCaseViewSet(ReadOnly, mixins.CreateModelMixin):
    queryset = DibaoCase.objects.all()
    serializer_class = s.DibaoCaseSerializer
    filterset_class = filters.DibaoCaseFilter
    policies = {
        "create": roles({CLERK, TOWNSHIP, COUNTY}),
        "start_investigation": roles({TOWNSHIP, COUNTY}),
        "home_visit": roles({TOWNSHIP, COUNTY}),
        "start_publicity": roles(chain_policy.PUBLICITY_MANAGERS),
        "close_publicity": roles(chain_policy.PUBLICITY_MANAGERS),
        "objection": roles(chain_policy.OBJECTION_RECORDERS),
        "confirm": roles({COUNTY}),
        "refuse": roles({COUNTY}),
        "refusal_notice_sent": roles({TOWNSHIP, COUNTY}),
        "stop": roles({COUNTY}),
        "propose_phase_out": roles({TOWNSHIP, COUNTY}),
    }

    def create(self, request, *args, **kwargs):
        data = _input(s.ApplyCaseSerializer, request).validated_data
        case = cases.apply_case(user=request.user, **data)
        return Response(s.DibaoCaseSerializer(case).data, status=201)

    def _done(self, case):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(summary="开始经济状况调查", request=None)
    @action(detail=True, methods=["post"], url_path="start-investigation")
    def start_investigation(self, request, pk=None):
        return self._done(cases.start_investigation(case=self.get_object(), user=request.user))

    @extend_schema(
        summary="登记入户核查",
        description="县级入户核查须县级人员登记（经办人员近亲属的案件确认前必须有）。",
        request=s.HomeVisitInputSerializer,
        responses={201: s.CaseHomeVisitSerializer},
    )
    @action(detail=True, methods=["post"], url_path="home-visit")
    def home_visit(self, request, pk=None):
        data = _input(s.HomeVisitInputSerializer, request).validated_data
        visit = cases.record_home_visit(case=self.get_object(), user=request.user, **data)
        return Response(s.CaseHomeVisitSerializer(visit).data, status=201)

    @extend_schema(summary="开始公示", request=s.CasePublicitySerializer)
    @action(detail=True, methods=["post"], url_path="publicity")
    def start_publicity(self, request, pk=None):
        data = _input(s.CasePublicitySerializer, request).validated_data
        case = self.get_object()
        cases.start_publicity(case=case, user=request.user, **data)
        return self._done(case)

    @extend_schema(
        summary="登记公示异议", description="案件退回调查，须重新公示。", request=s.CaseObjectionSerializer
    )
    @action(detail=True, methods=["post"])
    def objection(self, request, pk=None):
        data = _input(s.CaseObjectionSerializer, request)
        case = cases.record_objection(
            case=self.get_object(),
            user=request.user,
            reason=data.validated_data["reason"],
            received_on=data.on_date(),
        )
        return self._done(case)

    @extend_schema(
        summary="公示期满无异议",
        description="乡镇在公示期满后确认无异议，案件进入县级审核确认。",
        request=s.OnDateSerializer,
    )
    @action(detail=True, methods=["post"], url_path="close-publicity")
    def close_publicity(self, request, pk=None):
        on = _input(s.OnDateSerializer, request).on_date()
        return self._done(cases.close_publicity(case=self.get_object(), user=request.user, on=on))

    @extend_schema(
        summary="县级审核确认",
        description=(
            "公示期满后确认，次月起发放；按参数核算保障金并记入增减变动台账。规则不符（家庭金融资产超标）的，"
            "须填写特殊情况确认理由，否则不予确认。"
        ),
        request=s.ConfirmSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = _input(s.ConfirmSerializer, request)
        case = cases.confirm_case(
            case=self.get_object(),
            user=request.user,
            on=data.on_date(),
            special_reason=data.validated_data.get("special_reason", ""),
        )
        return self._done(case)

    @extend_schema(
        summary="不予确认", description="生成书面通知期限（按工作日计算）。", request=s.RefuseSerializer
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = _input(s.RefuseSerializer, request)
        case = cases.refuse_case(
            case=self.get_object(), user=request.user, reason=data.validated_data["reason"], on=data.on_date()
        )
        return self._done(case)

    @extend_schema(summary="登记不予确认通知送达", request=s.OnDateSerializer)
    @action(detail=True, methods=["post"], url_path="refusal-notice-sent")
    def refusal_notice_sent(self, request, pk=None):
        on = _input(s.OnDateSerializer, request).on_date()
        return self._done(cases.record_refusal_notice_sent(case=self.get_object(), user=request.user, on=on))

    @extend_schema(summary="停保", request=s.StopSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        data = _input(s.StopSerializer, request).validated_data
        return self._done(cases.stop_case(case=self.get_object(), user=request.user, **data))

    @extend_schema(
        summary="提出渐退",
        description="收入超过保障标准的建档立卡户案件提出渐退，由县级批准。",
        request=s.ProposePhaseOutSerializer,
        responses={201: s.PhaseOutSerializer},
    )
    @action(detail=True, methods=["post"], url_path="propose-phase-out")
    def propose_phase_out(self, request, pk=None):
        data = _input(s.ProposePhaseOutSerializer, request)
        proposed = phase_out.propose_phase_out(
            case=self.get_object(),
            on=data.on_date(),
            income=data.validated_data["income"],
            trigger=data.validated_data["trigger"],
        )
        return Response(s.PhaseOutSerializer(proposed).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="渐退列表", description="可按状态、区划筛选，ending_before 列出在某日前到期的渐退。"
    ),
    retrieve=extend_schema(summary="渐退详情（含每月金额）"),
)
@extend_schema(tags=["低保与渐退"])
class PhaseOutViewSet(ReadOnly):
    queryset = PhaseOut.objects.select_related("case")
    serializer_class = s.PhaseOutSerializer
    filterset_class = filters.PhaseOutFilter
    policies = {"approve": roles({COUNTY}), "reject": roles({COUNTY})}

    @extend_schema(
        summary="批准渐退",
        description="渐退月数不超过参数 phase_out.max_months（种子文件000：最长24个月）。",
        request=s.ApprovePhaseOutSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _input(s.ApprovePhaseOutSerializer, request)
        extra = {k: v for k, v in data.validated_data.items() if k != "on"}
        done = phase_out.approve_phase_out(
            phase_out=self.get_object(), user=request.user, on=data.on_date(), **extra
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=done.pk)).data)

    @extend_schema(summary="不予渐退", request=s.CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = _input(s.CaseReasonSerializer, request).validated_data["reason"]
        done = phase_out.reject_phase_out(
            phase_out=self.get_object(), user=request.user, reason=reason, on=timezone.localdate()
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=done.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="停保建议列表", description="收入超过保障标准且不适用渐退的案件；可按状态筛选。"
    ),
    retrieve=extend_schema(summary="停保建议详情（含停保通知书）"),
)
@extend_schema(tags=["低保与渐退"])
class StopProposalViewSet(ReadOnly):
    queryset = StopProposal.objects.select_related("case")
    serializer_class = s.StopProposalSerializer
    filterset_class = filters.StopProposalFilter
    policies = {"confirm": roles({COUNTY}), "reject": roles({COUNTY})}

    def _done(self, proposal):
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(
        summary="确认停保",
        description="县级确认后自下月起停发，记入低保增减变动表并生成停保通知书。",
        request=s.OnDateSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        on = _input(s.OnDateSerializer, request).on_date()
        return self._done(stops.confirm_stop(proposal=self.get_object(), user=request.user, on=on))

    @extend_schema(summary="不予停保", request=s.CaseReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = _input(s.CaseReasonSerializer, request).validated_data["reason"]
        done = stops.reject_stop(
            proposal=self.get_object(), user=request.user, reason=reason, on=timezone.localdate()
        )
        return self._done(done)


@extend_schema_view(
    list=extend_schema(summary="月发放表列表"),
    retrieve=extend_schema(summary="月发放表详情"),
    create=extend_schema(
        summary="生成（重新生成）月发放表",
        description="县级生成某月发放表草稿；同样的输入得到同样的发放表，已确认的不能重新生成。",
        request=s.GenerateRollSerializer,
        responses={201: s.PaymentRollSerializer},
    ),
)
@extend_schema(tags=["发放表与台账"])
class PaymentRollViewSet(RollSendMixin, ReadOnly, mixins.CreateModelMixin):
    queryset = PaymentRoll.objects.all()
    serializer_class = s.PaymentRollSerializer
    filterset_class = filters.PaymentRollFilter
    policies = {"create": roles({COUNTY}), "confirm": roles({COUNTY}), "send": roles({COUNTY})}

    def create(self, request, *args, **kwargs):
        data = _input(s.GenerateRollSerializer, request).validated_data
        county = scoped(Region.objects.all(), request.user).filter(code=data["county"]).first()
        if county is None:
            raise ValidationError({"county": ["该县不存在或不在您的管辖范围内"]})
        roll = rolls.generate_roll(
            county=county, month=data["month"], program=data["program"], user=request.user
        )
        return Response(s.PaymentRollSerializer(roll).data, status=201)

    @extend_schema(
        summary="确认发放表", description="确认后发放表及明细锁定（数据库触发器保护）。", request=None
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        roll = rolls.confirm_roll(roll=self.get_object(), user=request.user)
        return Response(self.get_serializer(roll).data)


@extend_schema_view(
    list=extend_schema(summary="发放明细列表", description="按发放表（roll）或户筛选；游标分页。"),
    retrieve=extend_schema(summary="发放明细详情"),
)
@extend_schema(tags=["发放表与台账"])
class PaymentLineViewSet(RevealActionMixin, ReadOnly):
    queryset = PaymentLine.objects.all()
    serializer_class = s.PaymentLineSerializer
    filterset_class = filters.PaymentLineFilter
    policies = {"reveal": may_reveal}


@extend_schema_view(
    list=extend_schema(summary="低保增减变动台账"),
    retrieve=extend_schema(summary="增减变动详情"),
)
@extend_schema(tags=["发放表与台账"])
class LedgerEntryViewSet(ReadOnly):
    queryset = ChangeLedgerEntry.objects.all()
    serializer_class = s.LedgerEntrySerializer
    filterset_class = filters.LedgerFilter


@extend_schema_view(
    list=extend_schema(summary="到期提醒列表", description="渐退到期、不予确认通知期限等提醒。"),
    retrieve=extend_schema(summary="提醒详情"),
)
@extend_schema(tags=["低保与渐退"])
class AlertViewSet(ReadOnly):
    queryset = Alert.objects.all()
    serializer_class = s.AlertSerializer
    filterset_class = filters.AlertFilter


@crud_docs("帮扶措施", create="新增帮扶措施")
@extend_schema(tags=["帮扶力量"])
class MeasureViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = AssistanceMeasure.objects.all()
    serializer_class = s.MeasureSerializer
    filterset_class = filters.MeasureFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = dict.fromkeys(
        ("create", "update", "partial_update"), lambda user, obj=None: permissions.can_record_assistance(user)
    )


class ReviewStepsMixin:
    """村提交 → 镇审核 → 县审核确认 of a record that passes the review chain (特困 applications,
    stand-alone 护理补贴). The assistance services do the work and the checks (state, level, the
    person who entered a record may not approve it: 400 with their Chinese message); roles first (403).
    The county's approval starts payment from the next month. chain_services: the kind's STEPS."""

    step_policies = {
        "submit": roles({CLERK}),
        "approve": roles({TOWNSHIP, COUNTY}),
        "return_to_lower": roles({TOWNSHIP, COUNTY}),
    }

    def _step(self, request, service, serializer_class=None):
        data = _input(serializer_class, request).validated_data if serializer_class else {}
        record = service(self.get_object(), request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(summary="村提交（退回修正后重新提交）", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, self.chain_services["submit"])

    @extend_schema(
        summary="审核通过",
        description="乡镇审核通过报县；县级审核确认后次月起发放。录入申请的人不能审核。",
        request=s.ChainNoteSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, self.chain_services["approve"], s.ChainNoteSerializer)

    @extend_schema(
        summary="退回",
        description="乡镇退回村修正，县级退回镇修正；必须填写原因。",
        request=s.ChainReasonSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_lower(self, request, pk=None):
        return self._step(request, self.chain_services["return"], s.ChainReasonSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="特困供养列表", description="可按区划前缀、户、成员、供养方式、自理能力、状态筛选；游标分页。"
    ),
    retrieve=extend_schema(summary="特困供养详情"),
    create=extend_schema(
        summary="纳入特困供养",
        description="县级为在册成员直接纳入特困供养（审核流程记为县级认定，不经村镇申报）："
        "基本生活费按城市低保标准×倍数（或固定标准），护理费按自理能力，"
        "取纳入月份有效的参数（种子规则 R11）。",
        request=s.StartTekunSerializer,
        responses={201: s.TekunCaseSerializer},
    ),
)
@extend_schema(tags=["特困与两项补贴"])
class TekunCaseViewSet(ReviewStepsMixin, ReadOnly, mixins.CreateModelMixin):
    queryset = TekunCase.objects.all()
    serializer_class = s.TekunCaseSerializer
    filterset_class = filters.TekunCaseFilter
    policies = {
        "create": roles({COUNTY}),
        "apply": roles({CLERK, TOWNSHIP, COUNTY}),
        **ReviewStepsMixin.step_policies,
    }

    chain_services = tekun.STEPS

    def create(self, request, *args, **kwargs):
        data = _input(s.StartTekunSerializer, request).validated_data
        case = tekun.start_tekun(user=request.user, **data)
        return Response(s.TekunCaseSerializer(case).data, status=201)

    @extend_schema(
        summary="特困供养申请",
        description="村（或乡镇、县级窗口）为在册成员申请特困供养，进入审核链：村提交、镇审核、县审核确认；"
        "确认后次月起按当月参数核定基本生活费和护理费（种子规则 R11）。",
        request=s.ApplyTekunSerializer,
        responses={201: s.TekunCaseSerializer},
    )
    @action(detail=False, methods=["post"])
    def apply(self, request):
        data = _input(s.ApplyTekunSerializer, request).validated_data
        case = tekun.apply_tekun(user=request.user, **data)
        return Response(s.TekunCaseSerializer(case).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="残疾人两项补贴列表",
        description="低保确认时按残疾等级发放的生活补贴、护理补贴（种子规则 R10），随该低保案件审核确认、"
        "停保时随之停发；非低保户单独申请的护理补贴经村申请、镇审核、县审核确认后发放（P14）。"
        "可按区划前缀、户、成员、类别、等级、状态筛选。",
    ),
    retrieve=extend_schema(summary="两项补贴详情"),
    create=extend_schema(
        summary="单独申请护理补贴",
        description="非低保户的重度残疾人申请护理补贴（P14），进入审核链；县级审核确认后次月起发放。",
        request=s.ApplySubsidySerializer,
        responses={201: s.DisabilitySubsidySerializer},
    ),
)
@extend_schema(tags=["特困与两项补贴"])
class DisabilitySubsidyViewSet(ReviewStepsMixin, ReadOnly, mixins.CreateModelMixin):
    queryset = DisabilitySubsidy.objects.all()
    serializer_class = s.DisabilitySubsidySerializer
    filterset_class = filters.DisabilitySubsidyFilter
    policies = {"create": roles({CLERK, TOWNSHIP, COUNTY}), **ReviewStepsMixin.step_policies}

    chain_services = subsidies.STEPS

    def create(self, request, *args, **kwargs):
        data = _input(s.ApplySubsidySerializer, request).validated_data
        record = subsidies.apply_subsidy(user=request.user, **data)
        return Response(s.DisabilitySubsidySerializer(record).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="帮扶缺口",
        description="按种子文件003的两项目标逐户列出：每户至少一个产业帮扶项目；有劳动力的户至少一人稳定就业。"
        "missing=true 只列出有缺口的户；可按区划前缀筛选，游标分页。",
    ),
    retrieve=extend_schema(summary="一户的帮扶缺口"),
)
@extend_schema(tags=["帮扶力量"])
class MeasureGapViewSet(ReadOnly):
    serializer_class = s.MeasureGapSerializer
    filterset_class = filters.MeasureGapFilter

    def get_queryset(self):
        # measure_gaps starts from households_for(user): already scoped, as in the admin list.
        gaps = selectors.measure_gaps(user=self.request.user, as_of=timezone.localdate())
        return gaps.select_related("village").only("id", "household_no", "village__code", "village__name")


@extend_schema_view(
    list=extend_schema(
        summary="医疗救助列表",
        description="成员的医疗费用及核算的医疗救助金额；可按区划前缀、户、成员、类别、状态筛选。",
    ),
    retrieve=extend_schema(summary="医疗救助详情（含核算说明）"),
    create=extend_schema(
        summary="录入医疗费用",
        description="村（或乡镇、县级窗口）录入成员的医疗费用，按结算日期有效的参数核算医疗救助："
        "门诊慢病按医院级别年度自付上限累计核算（种子文件002），住院、大病补足至实际补偿比；"
        "进入审核链：村提交、镇审核、县审核确认，确认后次月随医疗救助发放表发放。",
        request=s.EnterMedicalBillSerializer,
        responses={201: s.MedicalBillSerializer},
    ),
)
@extend_schema(tags=["医疗救助"])
class MedicalBillViewSet(ReviewStepsMixin, ReadOnly, mixins.CreateModelMixin):
    queryset = MedicalBill.objects.all()
    serializer_class = s.MedicalBillSerializer
    filterset_class = filters.MedicalBillFilter
    policies = {"create": roles({CLERK, TOWNSHIP, COUNTY}), **ReviewStepsMixin.step_policies}

    chain_services = medical.STEPS

    def create(self, request, *args, **kwargs):
        data = _input(s.EnterMedicalBillSerializer, request).validated_data
        bill = medical.enter_bill(user=request.user, **data)
        return Response(s.MedicalBillSerializer(bill).data, status=201)
