"""Paying through the bank: the county's bank layouts (configuration data it edits), the 代发 batch
of a confirmed roll with one bank line per paid line, the bank's 回盘 results, and the follow-up of
every failed line until it is re-issued once.

What keeps a household from being paid twice is in the database, not only in the services:
- one batch per roll, one bank line per payment line, line numbers unique in a batch;
- a bank line's result is final: once 已发放 or 发放失败 it never changes (trigger), so a 回盘
  uploaded twice changes nothing;
- one follow-up per failed bank line, and one 补发 payment line per failed bank line (unique), which
  may only cite a failed bank line and only for its amount (trigger on the payment line).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models

from assistance.choices import (
    BankChannel,
    BankEncoding,
    BankFileFormat,
    FailureReason,
    FailureStatus,
    LayoutField,
    LayoutSection,
    LineResult,
    Program,
    TotalsRow,
)
from core.privacy import Kind

BANK_LINE_FINAL_SQL = "回盘结果已确定，不能修改"
_money: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0.00")}


@pghistory.track()
class BankLayout(models.Model):
    """One payer bank's (or the 一卡通 platform's) file layout, as the county configures it."""

    county = models.ForeignKey("core.Region", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("格式名称", max_length=60)
    payer = models.CharField("代发机构", max_length=60, help_text="如：西丰县农村信用合作联社")
    channel = models.CharField(
        "发放渠道", max_length=12, choices=BankChannel.choices, default=BankChannel.BANK
    )
    file_format = models.CharField("文件格式", max_length=12, choices=BankFileFormat.choices)
    encoding = models.CharField(
        "文字编码", max_length=8, choices=BankEncoding.choices, default=BankEncoding.GBK,
        help_text="csv 表格和文本文件的编码；Excel 文件不用",
    )  # fmt: skip
    separator = models.CharField("分隔符", max_length=3, blank=True, default="|", help_text="分隔符文本使用")
    totals_row = models.CharField("汇总行", max_length=8, choices=TotalsRow.choices, default=TotalsRow.NONE)
    paid_values = models.CharField(
        "回盘“成功”标志", max_length=100, default="成功", help_text="处理结果列中表示成功的值，多个用逗号分隔"
    )
    failed_values = models.CharField("回盘“失败”标志", max_length=100, default="失败")
    pending_values = models.CharField("回盘“处理中”标志", max_length=100, blank=True, default="处理中")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "代发文件格式"
        verbose_name_plural = "代发文件格式"
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="bank_layout_name_per_county"),
        ]

    def __str__(self) -> str:
        return self.name


class BankLayoutColumn(models.Model):
    """A column (Excel/CSV) or field (text) of one part of a layout, in order."""

    layout = models.ForeignKey(
        BankLayout, verbose_name="格式", on_delete=models.CASCADE, related_name="columns"
    )
    section = models.CharField("部分", max_length=14, choices=LayoutSection.choices)
    position = models.PositiveSmallIntegerField("顺序")
    field = models.CharField("内容", max_length=14, choices=LayoutField.choices)
    header = models.CharField(
        "列名或固定文字",
        max_length=40,
        blank=True,
        help_text="Excel 或 csv 表格的列名；“固定文字”列写入的文字",
    )
    width = models.PositiveSmallIntegerField("宽度（字节）", null=True, blank=True, help_text="定长文本使用")
    right_align = models.BooleanField("右对齐", default=False)
    zero_pad = models.BooleanField("左补零", default=False)

    class Meta:
        verbose_name = "格式列"
        verbose_name_plural = "格式列"
        ordering = ["layout_id", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["layout", "section", "position"], name="bank_layout_column_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} {self.position} {self.get_field_display()}"


class BankLayoutProject(models.Model):
    """补贴项目 code and name of one program in this layout (the 一卡通 platform's item list)."""

    layout = models.ForeignKey(
        BankLayout, verbose_name="格式", on_delete=models.CASCADE, related_name="projects"
    )
    program = models.CharField("项目", max_length=12, choices=Program.choices)
    code = models.CharField("补贴项目代码", max_length=20)
    name = models.CharField("补贴项目名称", max_length=60)

    class Meta:
        verbose_name = "补贴项目代码"
        verbose_name_plural = "补贴项目代码"
        constraints = [
            models.UniqueConstraint(fields=["layout", "program"], name="bank_layout_project_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BankReasonCode(models.Model):
    """A bank's failure code (or text) and what it means in fupin's own list."""

    layout = models.ForeignKey(
        BankLayout, verbose_name="格式", on_delete=models.CASCADE, related_name="reason_codes"
    )
    bank_code = models.CharField("银行返回代码或文字", max_length=40)
    reason = models.CharField("失败原因", max_length=20, choices=FailureReason.choices)

    class Meta:
        verbose_name = "失败原因对照"
        verbose_name_plural = "失败原因对照"
        constraints = [
            models.UniqueConstraint(fields=["layout", "bank_code"], name="bank_reason_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_code} → {self.get_reason_display()}"


class BankBatch(models.Model):
    """The 代发 batch of one confirmed roll. The layout is copied in (`layout_spec`) when it is sent:
    the file downloaded again and the 回盘 read later follow what went to the bank, whatever the
    county edits in its layouts afterwards."""

    roll = models.OneToOneField(
        "assistance.PaymentRoll", verbose_name="发放表", on_delete=models.PROTECT, related_name="bank_batch"
    )
    batch_no = models.CharField("批次号", max_length=24, unique=True)
    layout = models.ForeignKey(
        BankLayout, verbose_name="代发文件格式", on_delete=models.PROTECT, related_name="+"
    )
    layout_spec = models.JSONField("格式（送盘时）", default=dict)
    line_count = models.PositiveIntegerField("送银行笔数", default=0)
    total_amount = models.DecimalField("送银行金额", **_money)
    unsent_count = models.PositiveIntegerField("无账号未送笔数", default=0)
    paid_count = models.PositiveIntegerField("已发放笔数", default=0)
    paid_amount = models.DecimalField("已发放金额", **_money)
    failed_count = models.PositiveIntegerField("发放失败笔数", default=0)
    failed_amount = models.DecimalField("发放失败金额", **_money)
    sent_at = models.DateTimeField("送银行时间")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送盘人", on_delete=models.PROTECT, related_name="+"
    )
    send_reason = models.CharField("导出事由", max_length=500)
    reconciled_at = models.DateTimeField("对账完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "代发批次"
        verbose_name_plural = "代发批次"
        ordering = ["-sent_at", "-id"]
        triggers = [pgtrigger.Protect(name="bank_batch_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"代发批次 {self.batch_no}"


class BankReturn(models.Model):
    """One accepted 回盘 upload (a refused file leaves nothing behind). The file itself is not kept:
    it carries full account numbers; its fingerprint says which file it was."""

    batch = models.ForeignKey(
        BankBatch, verbose_name="代发批次", on_delete=models.PROTECT, related_name="returns"
    )
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件指纹", max_length=64)
    line_count = models.PositiveIntegerField("回盘笔数", default=0)
    paid_count = models.PositiveIntegerField("其中成功", default=0)
    failed_count = models.PositiveIntegerField("其中失败", default=0)
    pending_count = models.PositiveIntegerField("其中处理中", default=0)
    applied_count = models.PositiveIntegerField("本次确定结果的笔数", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "银行回盘"
        verbose_name_plural = "银行回盘"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"回盘 {self.filename}"


class BankLine(models.Model):
    """One payment line as sent to the bank (payee and account as they were sent) and its result.

    A line without an account is not sent (no line number) and fails at once as 无银行账号."""

    PERSONAL_FIELDS = {"payee_id_no": Kind.ID_NO, "bank_account": Kind.BANK_ACCOUNT}

    batch = models.ForeignKey(
        BankBatch, verbose_name="代发批次", on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveIntegerField("序号", null=True, blank=True)
    payment_line = models.OneToOneField(
        "assistance.PaymentLine", verbose_name="发放明细", on_delete=models.PROTECT, related_name="bank_line"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    payee_name = models.CharField("户名", max_length=50)
    payee_id_no = models.CharField("身份证号", max_length=18, blank=True)
    bank_name = models.CharField("开户行", max_length=60, blank=True)
    bank_account = models.CharField("账号", max_length=40, blank=True)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    result = models.CharField(
        "发放结果", max_length=8, choices=LineResult.choices, default=LineResult.PENDING, db_index=True
    )
    reason = models.CharField("失败原因", max_length=20, choices=FailureReason.choices, blank=True)
    bank_code = models.CharField("银行返回代码", max_length=40, blank=True)
    bank_message = models.CharField("银行返回说明", max_length=200, blank=True)
    result_at = models.DateTimeField("回盘时间", null=True, blank=True)
    bank_return = models.ForeignKey(
        BankReturn, verbose_name="回盘", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "代发明细"
        verbose_name_plural = "代发明细"
        ordering = ["batch_id", "line_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="bank_line_no_unique_in_batch"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="bank_line_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(result="failed", reason__gt="")
                | (~models.Q(result="failed") & models.Q(reason="")),
                name="bank_line_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(line_no__isnull=False) | models.Q(result="failed", reason="no_account"),
                name="bank_line_unsent_only_without_account",
            ),
        ]
        indexes = [models.Index(fields=["household", "result"], name="bank_line_household_idx")]
        triggers = [
            # A result, once the bank gave it, is final; what was sent never changes.
            pgtrigger.Trigger(
                name="bank_line_result_is_final",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.result <> 'pending' OR (OLD.batch_id, OLD.line_no, OLD.payment_line_id, OLD.amount,"
                    " OLD.bank_account, OLD.payee_name) IS DISTINCT FROM (NEW.batch_id, NEW.line_no,"
                    " NEW.payment_line_id, NEW.amount, NEW.bank_account, NEW.payee_name)"
                ),
                func=f"RAISE EXCEPTION '{BANK_LINE_FINAL_SQL}'; RETURN NULL;",
            ),
            pgtrigger.Protect(name="bank_line_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.batch.batch_no} 第{self.line_no or '—'}笔 {self.payee_name}"


@pghistory.track()
class PaymentFailure(models.Model):
    """The follow-up of one failed bank line: a task for the village, until the amount is re-issued
    (or the county decides not to)."""

    PERSONAL_FIELDS = {"payee_id_no": Kind.ID_NO, "bank_account": Kind.BANK_ACCOUNT}

    bank_line = models.OneToOneField(
        BankLine, verbose_name="代发明细", on_delete=models.PROTECT, related_name="failure"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="payment_failures"
    )
    program = models.CharField("项目", max_length=12, choices=Program.choices)
    month = models.DateField("发放月份", help_text="未到账的是哪个月的钱")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    reason = models.CharField("失败原因", max_length=20, choices=FailureReason.choices)
    status = models.CharField(
        "处理状态", max_length=16, choices=FailureStatus.choices, default=FailureStatus.OPEN, db_index=True
    )
    change_request = models.ForeignKey(
        "households.ChangeRequest",
        verbose_name="账户变更申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 更换领款人 (or the same payee, account usable again): proposed by the village, confirmed by the county.
    payee_name = models.CharField("领款人", max_length=50, blank=True)
    payee_id_no = models.CharField("领款人身份证号", max_length=18, blank=True)
    bank_name = models.CharField("开户行", max_length=60, blank=True)
    bank_account = models.CharField("账号", max_length=40, blank=True)
    payee_reason = models.CharField("更换领款人事由", max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="纠正人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="县级经办人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    decision_note = models.CharField("县级意见", max_length=300, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    corrected_at = models.DateTimeField("纠正完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放失败"
        verbose_name_plural = "发放失败"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="payee_proposed")
                | models.Q(payee_name__gt="", bank_account__gt=""),
                name="payment_failure_payee_complete",
            ),
        ]
        triggers = [pgtrigger.Protect(name="payment_failure_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}{self.get_program_display()} {self.get_reason_display()}"
