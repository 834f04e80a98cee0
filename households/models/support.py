"""帮扶力量: responsible helpers, village work teams (驻村工作队, 第一书记) and visits."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.choices import RegionLevel
from households.choices import HelperUnitLevel, ProposalState, VisitPurpose
from households.models.geo import latitude_field, longitude_field

PERIOD_ORDER_WRONG = "结束日期不能早于开始日期"


class HelperPerson(models.Model):
    """帮扶责任人: a cadre assigned to help households."""

    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    unit_level = models.CharField("单位隶属", max_length=16, choices=HelperUnitLevel.choices)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    county = models.ForeignKey(
        "core.Region",
        verbose_name="所属县",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )

    class Meta:
        verbose_name = "帮扶责任人"
        verbose_name_plural = "帮扶责任人"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class HelperAssignment(models.Model):
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="helper_assignments"
    )
    helper = models.ForeignKey(HelperPerson, verbose_name="帮扶责任人", on_delete=models.PROTECT)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        # A helper's households (their scope) are read on every request they make.
        indexes = [models.Index(fields=["helper", "end"], name="assignment_helper_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="helper_assignment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.household}"

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": PERIOD_ORDER_WRONG})


class WorkTeam(models.Model):
    """驻村工作队 stationed in one village."""

    village = models.ForeignKey(
        "core.Region",
        verbose_name="驻村",
        on_delete=models.PROTECT,
        related_name="work_teams",
        limit_choices_to={"level": RegionLevel.VILLAGE},
    )
    dispatching_unit = models.CharField("派出单位", max_length=100)
    start = models.DateField("进驻日期")
    end = models.DateField("撤离日期", null=True, blank=True)

    class Meta:
        verbose_name = "驻村工作队"
        verbose_name_plural = "驻村工作队"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="work_team_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village}工作队（{self.dispatching_unit}）"


class WorkTeamMember(models.Model):
    team = models.ForeignKey(
        WorkTeam, verbose_name="工作队", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_first_secretary = models.BooleanField("第一书记", default=False)
    is_leader = models.BooleanField("队长", default=False)

    class Meta:
        verbose_name = "工作队队员"
        verbose_name_plural = "工作队队员"
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(is_first_secretary=True),
                name="one_first_secretary_per_team",
                violation_error_message="每个工作队只能有一名第一书记",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """走访记录. Append-only: a visit recorded on a phone carries the id the phone gave it
    (`client_id`), so an upload repeated after a lost answer never creates a second record."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="visits"
    )
    visit_date = models.DateField("走访日期")
    visitor = models.CharField("走访人", max_length=50)
    helper = models.ForeignKey(
        HelperPerson, verbose_name="帮扶责任人", null=True, blank=True, on_delete=models.PROTECT
    )
    purpose = models.CharField(
        "走访类型", max_length=12, choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE
    )
    met_persons = models.CharField("见到的人", max_length=200, blank=True)
    content = models.TextField("走访内容")
    measures_delivered = models.TextField("落实的帮扶措施", blank=True)
    problems = models.TextField("存在问题", blank=True)
    client_id = models.UUIDField("客户端编号", null=True, blank=True, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)
    latitude = latitude_field("走访位置纬度")
    longitude = longitude_field("走访位置经度")
    accuracy_m = models.PositiveIntegerField("定位精度(米)", null=True, blank=True)
    distance_m = models.PositiveIntegerField("距农户登记位置(米)", null=True, blank=True, editable=False)
    far_from_home = models.BooleanField(
        "位置异常", default=False, editable=False, help_text="走访位置距农户登记位置超过规定距离，供乡镇核查"
    )
    proposed_changes = models.JSONField(
        "走访发现的信息变化", default=dict, blank=True, editable=False,
        help_text="经变更申请审核后才改动登记信息",
    )  # fmt: skip
    change_request = models.ForeignKey(
        "households.ChangeRequest",
        verbose_name="变更申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # What became of proposed_changes (households.visit_proposals): the village clerk turns it into
    # a change request or dismisses it with a reason.
    # db_default: rows written by SQL (bench/field.py's seed, bulk loads) need no value either
    proposal_state = models.CharField(
        "信息变化处理", max_length=10, choices=ProposalState.choices, default="", db_default="", blank=True,
        editable=False,
    )  # fmt: skip
    proposal_reason = models.CharField(
        "不予采纳理由", max_length=200, blank=True, default="", db_default="", editable=False
    )
    proposal_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="信息变化处理人",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    proposal_handled_at = models.DateTimeField("信息变化处理时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visit_date", "-id"]
        indexes = [
            # last visit of a household; visits of a month
            models.Index(fields=["household", "-visit_date"], name="visit_household_date_idx"),
            models.Index(fields=["visit_date"], name="visit_date_idx"),
            # the village's 走访发现信息变化 to handle: a few rows of millions
            models.Index(
                fields=["household"],
                condition=models.Q(proposal_state="pending"),
                name="visit_proposal_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="visit_location_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.visitor}"


def _photo_path(instance: "VisitPhoto", filename: str) -> str:
    # Never under a public URL: photos are served by a scoped view (households.views.visit_photo).
    return f"visits/{timezone.localdate():%Y/%m}/{instance.pk}.jpg"


class VisitPhoto(models.Model):
    """A photo of a visit: re-encoded on the server (households.photos) with only its time kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, verbose_name="走访记录", on_delete=models.PROTECT, related_name="photos")
    image = models.FileField("照片", upload_to=_photo_path)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    width = models.PositiveIntegerField("宽(像素)")
    height = models.PositiveIntegerField("高(像素)")
    size_bytes = models.PositiveIntegerField("大小(字节)")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["visit_id", "created_at"]

    def __str__(self) -> str:
        return f"走访照片（{self.visit}）"
