"""低保 cases, 特困供养, 两项补贴 and the 渐退 phase-out (domain.md#entity-cases)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.db import models

from assistance.choices import (
    CLOSED_STATUSES,
    OPEN_PHASE_OUT_STATUSES,
    AmountBasis,
    CaseStatus,
    CaseType,
    PhaseOutSchedule,
    PhaseOutStatus,
    PhaseOutTrigger,
    SelfCare,
    SimpleStatus,
    StopGround,
    StopMode,
    StopProposalStatus,
    SubsidyKind,
    TekunMode,
    VisitLevel,
)
from assistance.models.person_keys import (
    PERSON_KEYS,
    person_key_fields,
    person_key_indexes,
    person_keys_trigger,
)
from core.choices import ReviewState
from households.models.village_code import village_code_field, village_code_trigger

_money: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


def _review_state() -> models.CharField:
    """Where a record is in the review chain (households.workflow); rows written by SQL (benchmarks,
    bulk loads) get the draft default too."""
    return models.CharField(
        "审核环节",
        max_length=24,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_default=ReviewState.DRAFT,
        db_index=True,
    )


def _applied_by(label: str) -> models.ForeignKey:
    """Who entered the application: the chain's segregation of duties keeps them from approving it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip


# The village code follows the household: no history of its own (nor an event for the backfill or a
# household's move).
@pghistory.track(exclude=["village_code"])
class DibaoCase(models.Model):
    """低保案件. Amount fields hold the figures of the last computation; rolls keep their own copies."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="dibao_cases"
    )
    # The household's village (denormalised like Member.village_code, households.models.village_code):
    # cases are scoped by an index of their own (a township's list, its count, the API's pages and
    # the search read the township's range of dibao_village_idx instead of joining its 50,000
    # households to every case). Kept by the database: the trigger below on every write, and a
    # trigger on the household when it moves village (installed by assistance migration 0019).
    village_code = village_code_field()
    case_type = models.CharField("保障类别", max_length=8, choices=CaseType.choices, default=CaseType.WHOLE)
    covered_members = models.ManyToManyField(
        "households.Member", verbose_name="保障对象", blank=True, related_name="dibao_cases"
    )
    covered_persons = models.PositiveSmallIntegerField("保障人数", default=0)
    grade = models.CharField("档次", max_length=4, blank=True, help_text="实行分档发放的地区填写 A/B/C")
    is_registered_poor = models.BooleanField("建档立卡户", default=True)
    household_size = models.PositiveSmallIntegerField("家庭人口", default=0)
    monthly_percap_income = models.DecimalField("月人均收入(低保口径)", **_money)
    annual_percap_income = models.DecimalField("年人均收入(低保口径)", **_money)
    standard_month = models.DecimalField("适用月保障标准", **_money)
    standard_parameter_ids = models.JSONField("标准参数编号", default=list, blank=True)
    topup_amount = models.DecimalField("月补差金额", **_money)
    classified_amount = models.DecimalField("月分类施保金", **_money)
    subsidy_amount = models.DecimalField("月两项补贴", **_money)
    monthly_amount = models.DecimalField("月保障金合计", **_money)
    classified_items = models.JSONField(
        "分类施保明细", default=list, blank=True, help_text="[{member_id, categories, rate, amount}]"
    )
    applied_on = models.DateField("申请日期")
    applied_by = _applied_by("受理人")
    start_month = models.DateField("纳入月份", null=True, blank=True, help_text="每月1日")
    stop_month = models.DateField("停保月份", null=True, blank=True, help_text="自该月起不再发放")
    status = models.CharField(
        "案件状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.APPLIED, db_index=True
    )
    # Where the case is in the review chain (households.workflow: 镇审核 → 县审核确认, returns with
    # a reason); `status` is the 低保 life cycle around it (调查, 公示, 保障中 …).
    review_state = _review_state()
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    publicity_place = models.CharField("公示地点", max_length=100, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refused_on = models.DateField("不予确认日期", null=True, blank=True)
    refusal_reason = models.CharField("不予确认理由", max_length=300, blank=True)
    refusal_notice_due = models.DateField("书面通知期限", null=True, blank=True)
    refusal_notice_sent_on = models.DateField("书面通知送达日期", null=True, blank=True)
    stop_reason = models.CharField("停保原因", max_length=300, blank=True)
    special_reason = models.CharField(
        "特殊情况确认理由",
        max_length=300,
        blank=True,
        help_text="规则不符（家庭金融资产超过规定标准）而县级经特殊情况决定确认时填写",
    )
    special_assets = models.DecimalField(
        "特殊情况确认时的家庭金融资产",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="资产此后超过该数额时，照常提出停保建议",
    )
    next_review_date = models.DateField("下次复核日期", null=True, blank=True)
    near_relative_of_staff = models.BooleanField(
        "经办人员近亲属", default=False, help_text="须经县级入户核查方可确认"
    )
    computed_at = models.DateTimeField("最近核算时间", null=True, blank=True)
    # The case's figures above are its latest amount-history row (CaseAmount), valid from this month
    # for this reason: a roll for this month or later reads them off the case, an earlier month's
    # roll looks the history up (assistance.services.rolls). Empty while the figures differ from
    # the row (a recalculation that updates the income of a case whose amount is frozen) or for a
    # case without history. Set only with that row: by record_amount and the recalculation.
    amount_valid_from = models.DateField(
        "当前金额起始月份", null=True, blank=True, help_text="案件当前金额自该月起适用（金额记录的起始月份）"
    )
    amount_basis = models.CharField(
        "当前金额变动依据", max_length=16, choices=AmountBasis.choices, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "低保案件"
        verbose_name_plural = "低保案件"
        ordering = ["-id"]
        indexes = [
            # A scope's cases by id (the list's -id order, the API's keyset pages and their bounds).
            models.Index(fields=["village_code", "id"], name="dibao_village_idx"),
            # The 工作台's 30天内到期须复核 (reports.todo.alerts): the live cases due soon, with their
            # village for the scope, read off the index alone; without it every 工作台 read all the
            # county's live cases for a count (216,000 at 1,000,000 households: 30-50 ms).
            models.Index(
                fields=["next_review_date", "village_code"],
                condition=models.Q(status__in=[CaseStatus.ACTIVE.value, CaseStatus.PHASING_OUT.value]),
                name="dibao_review_due_idx",
            ),
        ]
        triggers = [village_code_trigger("dibao_village_code")]
        constraints = [
            # One live case per household; a stopped or refused case may be followed by a new one.
            models.UniqueConstraint(
                fields=["household"],
                condition=~models.Q(status__in=[s.value for s in CLOSED_STATUSES]),
                name="dibao_one_open_case_per_household",
                violation_error_message="该户已有未结束的低保案件",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="dibao_amount_not_negative"
            ),
        ]

    # Admin pages show the stored calculation details in words (assistance.wording).
    READONLY_LABELS = {"classified_items": "classified_items_text"}

    def __str__(self) -> str:
        return f"低保案件#{self.pk}"

    @property
    def classified_items_text(self) -> str:
        from assistance.wording import plain_details

        return plain_details(self.classified_items)

    classified_items_text.fget.short_description = "分类施保明细"


class CaseAmount(models.Model):
    """A case's amount and the figures behind it, valid from a month until the next row's month.

    A roll for month M pays the row valid in M (assistance.services.rolls), whenever the roll is
    built: a change of standard in January recorded by January's recalculation never reaches
    December's roll. Written by every service that changes the amount (confirmation, recalculation,
    渐退 start/step/return, stop); a later decision replaces rows dated after its own month. The rows
    are the history themselves (no pghistory event table): a recalculation that changes every case
    writes one row each, not two."""

    case = models.ForeignKey(
        DibaoCase, verbose_name="低保案件", on_delete=models.PROTECT, related_name="amounts"
    )
    valid_from = models.DateField("起始月份", help_text="每月1日；至下一条记录的起始月份前有效")
    basis = models.CharField("变动依据", max_length=16, choices=AmountBasis.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口", default=0)
    covered_persons = models.PositiveSmallIntegerField("保障人数", default=0)
    annual_percap_income = models.DecimalField("年人均收入(低保口径)", **_money)
    monthly_percap_income = models.DecimalField("月人均收入(低保口径)", **_money)
    standard_month = models.DecimalField("适用月保障标准", **_money)
    topup_amount = models.DecimalField("月补差金额", **_money)
    classified_amount = models.DecimalField("月分类施保金", **_money)
    subsidy_amount = models.DecimalField("月两项补贴", **_money)
    monthly_amount = models.DecimalField("月保障金合计", **_money)
    classified_items = models.JSONField("分类施保明细", default=list, blank=True)
    parameter_ids = models.JSONField("所用参数", default=list, blank=True)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "保障金额记录"
        verbose_name_plural = "保障金额记录"
        ordering = ["case_id", "-valid_from"]
        constraints = [
            # the index the roll's "latest row on or before the month" lookup walks backwards
            models.UniqueConstraint(fields=["case", "valid_from"], name="case_amount_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(valid_from__day=1), name="case_amount_valid_from_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y年%m月}起 {self.monthly_amount}元"


class CaseHomeVisit(models.Model):
    """入户调查/核查记录 of a 低保 case (经济状况调查; county visits for staff relatives, P10)."""

    case = models.ForeignKey(
        DibaoCase, verbose_name="低保案件", on_delete=models.PROTECT, related_name="visits"
    )
    level = models.CharField("核查层级", max_length=12, choices=VisitLevel.choices)
    visit_date = models.DateField("入户日期")
    visitors = models.CharField("核查人员", max_length=100)
    findings = models.TextField("核查情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "入户核查记录"
        verbose_name_plural = "入户核查记录"
        ordering = ["-visit_date"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}入户 {self.visit_date}"


@pghistory.track()
class PhaseOut(models.Model):
    """低保渐退 (R12): proposed by the recalculation, approved by the county, stepped monthly."""

    case = models.ForeignKey(
        DibaoCase, verbose_name="低保案件", on_delete=models.PROTECT, related_name="phase_outs"
    )
    trigger = models.CharField("渐退原因", max_length=16, choices=PhaseOutTrigger.choices)
    status = models.CharField(
        "渐退状态", max_length=16, choices=PhaseOutStatus.choices, default=PhaseOutStatus.PROPOSED
    )
    proposed_on = models.DateField("提出日期")
    proposed_income = models.DecimalField("触发时年人均收入", **_money)
    start = models.DateField("渐退开始", null=True, blank=True)
    months = models.PositiveSmallIntegerField("渐退月数", null=True, blank=True)
    end = models.DateField("渐退结束", null=True, blank=True)
    schedule_kind = models.CharField("递减方式", max_length=10, choices=PhaseOutSchedule.choices, blank=True)
    base_amount = models.DecimalField("原月保障金", **_money)
    schedule = models.JSONField("每月金额", default=list, blank=True)
    parameter_ids = models.JSONField("所用参数", default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("批准日期", null=True, blank=True)
    alerted_on = models.DateField("到期提醒日期", null=True, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    early_end_reason = models.CharField("提前终止/恢复原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "低保渐退"
        verbose_name_plural = "低保渐退"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=[s.value for s in OPEN_PHASE_OUT_STATUSES]),
                name="phase_out_one_open_per_case",
                violation_error_message="该案件已有进行中的渐退",
            ),
            models.CheckConstraint(
                condition=models.Q(months__isnull=True) | models.Q(months__gte=1),
                name="phase_out_months_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"渐退#{self.pk}"


@pghistory.track()
class StopProposal(models.Model):
    """停保建议: an active 低保 case whose income rose above the standard while 渐退 does not apply
    (not 建档立卡, or 渐退 used up). Raised by the recalculation with a county alert; the county
    confirms (停保 from the next month) or rejects with a reason — or, where the county's parameter
    dibao.stop_without_phase_out says automatic, the case stops from the next month by itself."""

    case = models.ForeignKey(
        DibaoCase, verbose_name="低保案件", on_delete=models.PROTECT, related_name="stop_proposals"
    )
    ground = models.CharField("停保依据", max_length=20, choices=StopGround.choices)
    mode = models.CharField("处理方式", max_length=10, choices=StopMode.choices)
    status = models.CharField(
        "状态", max_length=10, choices=StopProposalStatus.choices, default=StopProposalStatus.PROPOSED
    )
    proposed_on = models.DateField("提出日期")
    proposed_income = models.DecimalField("年人均收入(低保口径)", **_money)
    monthly_percap_income = models.DecimalField("月人均收入", **_money)
    standard_month = models.DecimalField("月保障标准", **_money)
    amount = models.DecimalField("现月保障金", **_money)
    reason = models.CharField("停保理由", max_length=300)
    parameter_ids = models.JSONField("所用参数", default=list, blank=True)
    stop_month = models.DateField("停保月份", null=True, blank=True, help_text="自该月起不再发放")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_reason = models.CharField("不予停保理由", max_length=300, blank=True)
    notice_text = models.TextField("停保通知书", blank=True)

    class Meta:
        verbose_name = "停保建议"
        verbose_name_plural = "停保建议"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="proposed"),
                name="stop_proposal_one_open_per_case",
                violation_error_message="该案件已有待决定的停保建议",
            ),
        ]

    def __str__(self) -> str:
        return f"停保建议#{self.pk}"


# The village code follows the household (as DibaoCase's), the person's search keys the member: no
# history of their own.
@pghistory.track(exclude=["village_code", *PERSON_KEYS])
class TekunCase(models.Model):
    """特困供养 (R11): basic standard = urban 低保 standard × multiplier; care by self-care ability."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="tekun_cases"
    )
    # The household's village, kept by the database (as DibaoCase.village_code): a township's list,
    # its count and the API's pages read their range of tekun_village_idx instead of a join.
    village_code = village_code_field()
    member = models.ForeignKey(
        "households.Member", verbose_name="供养对象", on_delete=models.PROTECT, related_name="tekun_cases"
    )
    # The member's name, pinyin and ID tail, kept by the database (assistance.models.person_keys):
    # the search finds a case by an index of its own.
    person_name, person_name_pinyin, person_name_initials, person_id_tail = person_key_fields()
    mode = models.CharField("供养方式", max_length=12, choices=TekunMode.choices)
    self_care = models.CharField("自理能力", max_length=8, choices=SelfCare.choices)
    assessed_on = models.DateField("能力评估日期", null=True, blank=True)
    basic_standard = models.DecimalField("基本生活费(月)", **_money)
    care_standard = models.DecimalField("护理费(月)", **_money)
    start_month = models.DateField("纳入月份", null=True, blank=True)  # set by the county's confirmation
    stop_month = models.DateField("停止月份", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=SimpleStatus.choices, default=SimpleStatus.ACTIVE)
    # Review chain (households.workflow): 申请 → 镇审核 → 县审核确认; see assistance.services.tekun.
    review_state = _review_state()
    applied_by = _applied_by("申请录入人")

    class Meta:
        verbose_name = "特困供养"
        verbose_name_plural = "特困供养"
        indexes = [
            models.Index(fields=["village_code", "id"], name="tekun_village_idx"),
            *person_key_indexes("tekun_person"),
        ]
        triggers = [village_code_trigger("tekun_village_code"), person_keys_trigger("tekun_person_keys")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="active"), name="tekun_one_active_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"特困供养#{self.pk}"


# The village code follows the household (as DibaoCase's), the person's search keys the member: no
# history of their own.
@pghistory.track(exclude=["village_code", *PERSON_KEYS])
class DisabilitySubsidy(models.Model):
    """残疾人两项补贴 (R10), one row per member and kind."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        related_name="disability_subsidies",
    )
    # The household's village, kept by the database (as DibaoCase.village_code).
    village_code = village_code_field()
    member = models.ForeignKey(
        "households.Member",
        verbose_name="残疾人",
        on_delete=models.PROTECT,
        related_name="disability_subsidies",
    )
    # As TekunCase's (assistance.models.person_keys).
    person_name, person_name_pinyin, person_name_initials, person_id_tail = person_key_fields()
    kind = models.CharField("补贴类别", max_length=8, choices=SubsidyKind.choices)
    grade = models.PositiveSmallIntegerField("残疾等级")
    monthly_amount = models.DecimalField("月补贴金额", **_money)
    start_month = models.DateField("开始月份", null=True, blank=True)  # set when approved
    stop_month = models.DateField("停止月份", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=SimpleStatus.choices, default=SimpleStatus.ACTIVE)
    # A record granted with a 低保 case is approved by that case's chain (县审核确认) and follows it;
    # a stand-alone application (护理补贴 outside 低保, P14) passes 村 → 镇 → 县 itself.
    dibao_case = models.ForeignKey(
        DibaoCase,
        verbose_name="随低保案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disability_subsidies",
    )
    review_state = _review_state()
    applied_by = _applied_by("申请录入人")

    class Meta:
        verbose_name = "残疾人两项补贴"
        verbose_name_plural = "残疾人两项补贴"
        indexes = [
            models.Index(fields=["village_code", "id"], name="subsidy_village_idx"),
            *person_key_indexes("subsidy_person"),
        ]
        triggers = [
            village_code_trigger("subsidy_village_code"),
            person_keys_trigger("subsidy_person_keys"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(status="active"),
                name="subsidy_one_active_per_member_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"
