"""Outside lists (比对名单), check runs and 疑点 (hits). Lists are county-and-above data; a hit belongs
to a household's village and goes down the chain: village answers, township confirms."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.privacy import Kind
from reports.crosscheck.choices import (
    Answer,
    BatchStatus,
    CheckResult,
    HitStatus,
    ListKind,
    Rule,
    RunKind,
    RunStatus,
    RunTrigger,
    Severity,
)

OTHER_NEEDS_NAME = "名单类别为“其他”时请填写名单名称"


class OutsideList(models.Model):
    """One uploaded agency list. All-or-nothing: a file with any bad row keeps its errors and no rows."""

    kind = models.CharField("名单类别", max_length=20, choices=ListKind.choices)
    kind_name = models.CharField("名单名称", max_length=50, blank=True, help_text="类别为“其他”时填写")
    cutoff_date = models.DateField("截止日期", help_text="名单数据截至的日期")
    source_agency = models.CharField("提供单位", max_length=100)
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("名单文件", upload_to="crosscheck/lists/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices)
    row_count = models.PositiveIntegerField("行数", default=0)
    error_count = models.PositiveIntegerField("错误行数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True, help_text="[{row, message}]")

    class Meta:
        verbose_name = "比对名单"
        verbose_name_plural = "比对名单"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="other") | ~models.Q(kind_name=""),
                name="outside_list_other_has_name",
                violation_error_message=OTHER_NEEDS_NAME,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label}名单（{self.source_agency}，截至{self.cutoff_date:%Y-%m-%d}）"

    @property
    def kind_label(self) -> str:
        return self.kind_name if self.kind == ListKind.OTHER else self.get_kind_display()


class OutsideListRow(models.Model):
    PERSONAL_FIELDS = {"id_no": Kind.ID_NO}

    batch = models.ForeignKey(OutsideList, verbose_name="名单", on_delete=models.PROTECT, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    id_no = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50, blank=True)
    event_date = models.DateField("事件日期", null=True, blank=True, help_text="死亡、迁出、登记等日期")
    detail = models.CharField("说明", max_length=200, blank=True)
    amount = models.DecimalField(
        "金额(元)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="医保个人自付、灾害损失等",
    )
    village_code = models.CharField("村代码", max_length=12, blank=True)
    village_name = models.CharField("所在村", max_length=50, blank=True)

    class Meta:
        verbose_name = "比对名单明细"
        verbose_name_plural = "比对名单明细"
        ordering = ["batch_id", "row_no"]
        indexes = [models.Index(fields=["id_no"], name="outside_row_id_no_idx")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_no"], name="outside_row_once_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.row_no}行）"


class CheckRun(models.Model):
    """One county's check: after an upload (that list) or nightly (the internal rules); or 疑似同一人
    alone over a county or a city (`county` is then the city), nightly or asked for by a user."""

    county = models.ForeignKey("core.Region", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("比对内容", max_length=10, choices=RunKind.choices, default=RunKind.INTERNAL)
    trigger = models.CharField("触发方式", max_length=10, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    batch = models.ForeignKey(
        OutsideList, verbose_name="名单", null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    as_of = models.DateField("比对日期")
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    hits_found = models.PositiveIntegerField("新增疑点", default=0)
    leads_found = models.PositiveIntegerField("新增监测线索", default=0)
    holds_placed = models.PositiveIntegerField("暂停发放户数", default=0)
    seconds = models.FloatField("耗时(秒)", default=0)
    timings = models.JSONField("各规则耗时(秒)", default=dict, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "比对运行"
        verbose_name_plural = "比对运行"
        ordering = ["-started_at", "-id"]
        constraints = [
            # One 疑似同一人 check at a time per region: a second request is refused (services).
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(kind="duplicates", status="running"),
                name="crosscheck_one_running_duplicate_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.as_of:%Y-%m-%d}"


class Hit(models.Model):
    """A 疑点: one finding of one rule about one member (or a pair). `key` makes a check safe to run
    again: the same finding is never recorded twice, whatever its answer was."""

    PERSONAL_FIELDS = {"id_no": Kind.ID_NO}

    rule = models.CharField("比对规则", max_length=24, choices=Rule.choices)
    key = models.CharField("疑点标识", max_length=80)
    severity = models.CharField("风险等级", max_length=8, choices=Severity.choices)
    village = models.ForeignKey(
        "core.Region", verbose_name="村", on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="crosscheck_hits",
    )
    member = models.ForeignKey(
        "households.Member",
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    other_household = models.ForeignKey(
        "households.Household",
        verbose_name="另一户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    other_member = models.ForeignKey(
        "households.Member",
        verbose_name="另一户成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    id_no = models.CharField("身份证号", max_length=18, blank=True)
    reason = models.CharField("疑点说明", max_length=400)
    on_payee = models.BooleanField("涉及发放对象", default=False)
    batch = models.ForeignKey(
        OutsideList, verbose_name="名单", null=True, blank=True, on_delete=models.PROTECT, related_name="hits"
    )
    list_row = models.ForeignKey(
        OutsideListRow,
        verbose_name="名单行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    run = models.ForeignKey(
        CheckRun, verbose_name="比对运行", on_delete=models.PROTECT, db_index=False, related_name="hits"
    )
    deadline = models.DateField("核实期限")
    status = models.CharField("办理状态", max_length=10, choices=HitStatus.choices, default=HitStatus.OPEN)
    answer = models.CharField("核实结论", max_length=12, choices=Answer.choices, blank=True)
    answer_reason = models.CharField("核实情况", max_length=400, blank=True)
    attachment = models.FileField("佐证材料", upload_to="crosscheck/answers/%Y/%m/", blank=True)
    change_request = models.ForeignKey(
        "households.ChangeRequest",
        verbose_name="变更申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    stopped_case = models.ForeignKey(
        "assistance.DibaoCase",
        verbose_name="停保案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    answered_at = models.DateTimeField("核实时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对疑点"
        verbose_name_plural = "比对疑点"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="crosscheck_hit_once"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(answer=""),
                name="crosscheck_hit_closed_has_answer",
            ),
        ]
        # Few indexes on purpose: a check inserts tens of thousands of hits at once and each index is
        # written for each of them. Lists filter by village prefix and status, or by household/batch.
        indexes = [
            models.Index(
                fields=["village", "status"],
                name="crosscheck_hit_village_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["household"], name="crosscheck_hit_household_idx"),
            # The 疑点 list's order (newest first): a page is read off it, then its households;
            # without it the list joined every household of the county before sorting (0.7 s at
            # 1,000,000 households, bench/pages.py). Appended to at the end by each check.
            models.Index(fields=["-created_at", "-id"], name="crosscheck_hit_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}：{self.reason}"


class HitCheck(models.Model):
    """入户核实 of a 疑点 at the home (issue 26, the phone pages): what the 帮扶责任人 or the village
    clerk found, on the visit it was made on (date, photos, location, the phone's client id). It is
    evidence for the village's answer; a clerk's own check is also her answer (services.answer_hit),
    a helper's waits for the clerk — the chain stays village answers, township confirms."""

    hit = models.ForeignKey(Hit, verbose_name="疑点", on_delete=models.PROTECT, related_name="checks")
    visit = models.OneToOneField(
        "households.Visit", verbose_name="入户核实走访", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("核实结果", max_length=16, choices=CheckResult.choices)
    note = models.CharField("核实情况", max_length=400)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核实人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "疑点入户核实"
        verbose_name_plural = "疑点入户核实"
        ordering = ["hit_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_result_display()}（{self.hit}）"
