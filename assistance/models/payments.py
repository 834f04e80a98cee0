"""Monthly payment rolls (月发放表). A confirmed roll is locked by a database trigger too: after
confirmation only its status moves forward (已确认 → 已送银行 → 已对账), nothing else changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models

from assistance.choices import LineKind, Program, RollStatus
from core.privacy import Kind

_money: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}

ROLL_LOCKED_SQL = "发放表已确认，不能修改"
REISSUE_INVALID_SQL = "补发只能针对发放失败的代发明细，金额须与原失败金额一致"
# The only writes a confirmed roll accepts: its status one step forward, every other column as it was.
_ROLL_COLUMNS = (
    "county_id, month, program, line_count, total_amount, generated_at, confirmed_at, confirmed_by_id"
)
_ROLL_LOCK_FUNC = f"""
    IF TG_OP = 'UPDATE'
       AND ((OLD.status = 'confirmed' AND NEW.status = 'sent')
            OR (OLD.status = 'sent' AND NEW.status = 'reconciled'))
       AND ({", ".join("NEW." + c.strip() for c in _ROLL_COLUMNS.split(","))})
           IS NOT DISTINCT FROM ({", ".join("OLD." + c.strip() for c in _ROLL_COLUMNS.split(","))}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{ROLL_LOCKED_SQL}';
"""


class PaymentRoll(models.Model):
    county = models.ForeignKey("core.Region", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("发放月份", help_text="每月1日")
    program = models.CharField("项目", max_length=12, choices=Program.choices)
    status = models.CharField("状态", max_length=10, choices=RollStatus.choices, default=RollStatus.DRAFT)
    line_count = models.PositiveIntegerField("人次", default=0)
    total_amount = models.DecimalField("合计金额", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "月发放表"
        verbose_name_plural = "月发放表"
        ordering = ["-month", "county_id", "program"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "program"], name="roll_one_per_county_month_program"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="roll_confirmed_is_locked",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Condition("OLD.status <> 'draft'"),
                func=_ROLL_LOCK_FUNC,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}{self.get_program_display()}发放表"


class PaymentLine(models.Model):
    """One case in one month. Keeps the figures it was computed from, so later edits never move it."""

    PERSONAL_FIELDS = {"payee_id_no": Kind.ID_NO, "bank_account": Kind.BANK_ACCOUNT}

    roll = models.ForeignKey(
        PaymentRoll, verbose_name="发放表", on_delete=models.PROTECT, related_name="lines"
    )
    month = models.DateField("发放月份")
    program = models.CharField("项目", max_length=12, choices=Program.choices)
    case_id = models.BigIntegerField("案件编号")
    kind = models.CharField("类别", max_length=12, choices=LineKind.choices, default=LineKind.REGULAR)
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    payee_name = models.CharField("领款人", max_length=50)
    payee_id_no = models.CharField("身份证号", max_length=18, blank=True)
    bank_name = models.CharField("开户行", max_length=60, blank=True)
    bank_account = models.CharField("账号", max_length=40, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口", default=0)
    covered_persons = models.PositiveSmallIntegerField("保障人数", default=0)
    percap_income = models.DecimalField("月人均收入", **_money)
    standard_month = models.DecimalField("月保障标准", **_money)
    topup_amount = models.DecimalField("补差/基本生活费", **_money)
    classified_amount = models.DecimalField("分类施保金", **_money)
    subsidy_amount = models.DecimalField("补贴/护理费", **_money)
    total_amount = models.DecimalField("合计", **_money)
    in_phase_out = models.BooleanField("渐退期", default=False)
    rates = models.JSONField("计算依据", default=dict, blank=True)
    parameter_ids = models.JSONField("所用参数", default=list, blank=True)
    adjusts_line = models.ForeignKey(
        "self",
        verbose_name="调整的原发放行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    note = models.CharField("备注", max_length=300, blank=True)
    held = models.BooleanField(
        "暂停发放",
        default=False,
        db_default=False,
        help_text="该户有未解除的暂停发放（如信息比对高风险疑点），本月不发放",
    )
    reissue_of = models.ForeignKey(
        "assistance.BankLine",
        verbose_name="补发的失败明细",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissues",
    )

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["roll_id", "household_id", "id"]
        constraints = [
            # Generating a roll twice gives the same roll: one regular line per case and month.
            models.UniqueConstraint(
                fields=["program", "case_id", "month"],
                condition=models.Q(kind="regular"),
                name="payment_line_once_per_case_month",
            ),
            # A failed bank line is re-issued once, whatever is uploaded or approved afterwards.
            models.UniqueConstraint(fields=["reissue_of"], name="payment_line_reissue_once"),
            models.CheckConstraint(
                condition=models.Q(kind="reissue", reissue_of__isnull=False)
                | (~models.Q(kind="reissue") & models.Q(reissue_of__isnull=True)),
                name="payment_line_reissue_cites_failure",
            ),
        ]
        indexes = [models.Index(fields=["roll", "household"], name="payment_line_roll_hh_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="line_of_confirmed_roll_is_locked",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=(
                    "IF EXISTS (SELECT 1 FROM assistance_paymentroll r WHERE r.status <> 'draft' "
                    "AND r.id IN (COALESCE(NEW.roll_id, OLD.roll_id), COALESCE(OLD.roll_id, NEW.roll_id))) "
                    f"THEN RAISE EXCEPTION '{ROLL_LOCKED_SQL}'; END IF; "
                    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
                ),
            ),
            # A 补发 line pays a failed bank line's amount, nothing else.
            pgtrigger.Trigger(
                name="reissue_pays_a_failed_line",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Condition("NEW.reissue_of_id IS NOT NULL"),
                func=(
                    "IF NOT EXISTS (SELECT 1 FROM assistance_bankline b WHERE b.id = NEW.reissue_of_id "
                    "AND b.result = 'failed' AND b.amount = NEW.total_amount) "
                    f"THEN RAISE EXCEPTION '{REISSUE_INVALID_SQL}'; END IF; RETURN NEW;"
                ),
            ),
        ]

    # Admin pages show the stored calculation details in words (assistance.wording).
    READONLY_LABELS = {"rates": "rates_text"}

    def __str__(self) -> str:
        return f"{self.payee_name} {self.total_amount}"

    @property
    def rates_text(self) -> str:
        from assistance.wording import plain_details

        return plain_details(self.rates)

    rates_text.fget.short_description = "计算依据"
