"""帮扶力量: responsible helpers, village work teams (驻村工作队, 第一书记) and visits."""

from django.core.exceptions import ValidationError
from django.db import models

from households.choices import HelperUnitLevel, RegionLevel

PERIOD_ORDER_WRONG = "结束日期不能早于开始日期"


class HelperPerson(models.Model):
    """帮扶责任人: a cadre assigned to help households."""

    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    unit_level = models.CharField("单位隶属", max_length=16, choices=HelperUnitLevel.choices)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    county = models.ForeignKey(
        "households.Region",
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
        "households.Region",
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
    """走访记录."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="visits"
    )
    visit_date = models.DateField("走访日期")
    visitor = models.CharField("走访人", max_length=50)
    helper = models.ForeignKey(
        HelperPerson, verbose_name="帮扶责任人", null=True, blank=True, on_delete=models.PROTECT
    )
    content = models.TextField("走访内容")
    problems = models.TextField("存在问题", blank=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visit_date"]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.visitor}"
