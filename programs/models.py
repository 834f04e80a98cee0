"""Programs catalogue, dated region-scoped policy parameters, and stored eligibility results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Func, Q, Value

from programs.parameter_keys import spec_for
from programs.rules.params import Kind, ParamVersion, parse_value

PREFIX_WRONG = "区划范围应为空（全国）或2、4、6、9、12位区划代码前缀"
PERIOD_ORDER_WRONG = "失效日期不能早于生效日期"
OVERLAP = "同一参数在同一区划范围内的有效期不能重叠"
KIND_MISMATCH = "参数「{key}」的类型应为{kind}"


class ProgramCode(models.TextChoices):
    DIBAO = "dibao", "农村最低生活保障（低保）"
    TEKUN = "tekun", "特困人员救助供养"
    DISABILITY_LIVING = "disability_living", "困难残疾人生活补贴"
    DISABILITY_CARE = "disability_care", "重度残疾人护理补贴"
    PENSION = "pension", "城乡居民养老保险"
    EDUCATION = "education", "教育资助"
    MEDICAL = "medical", "慢病/大病医疗扶助"
    RELOCATION = "relocation", "易地搬迁临时救助"
    EMPLOYMENT = "employment", "就业补贴"
    EXIT = "exit", "贫困户退出测算"
    MONITORING = "monitoring", "防返贫监测"


class ProgramCategory(models.TextChoices):
    SOCIAL_ASSISTANCE = "social_assistance", "社会救助"
    SUBSIDY = "subsidy", "补贴"
    INSURANCE = "insurance", "社会保险"
    EDUCATION = "education", "教育"
    HEALTH = "health", "健康"
    EMPLOYMENT = "employment", "就业"
    INDICATOR = "indicator", "测算指标"


class Program(models.Model):
    """A benefit or indicator the rules decide on; the catalogue is loaded by a data migration."""

    code = models.CharField("代码", max_length=32, primary_key=True, choices=ProgramCode.choices)
    name = models.CharField("名称", max_length=60)
    category = models.CharField("类别", max_length=24, choices=ProgramCategory.choices)
    rule = models.CharField(
        "规则", max_length=200, help_text="规则编号（docs/domain.md 中的 R1、R2 …）与说明"
    )
    source = models.CharField("政策依据", max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "帮扶项目"
        verbose_name_plural = "帮扶项目"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class DateRange(Func):
    """daterange(valid_from, valid_to, '[]'); a NULL upper bound is open."""

    function = "DATERANGE"
    output_field = DateRangeField()


@pghistory.track()
class Parameter(models.Model):
    """One dated version of a policy figure for a region prefix ('' = nationwide).

    A change from date D closes the previous version on D−1 and adds a new one, so results for days
    before D never move (services.set_parameter)."""

    key = models.CharField("参数键", max_length=80, db_index=True)
    region_prefix = models.CharField(
        "区划范围",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$", PREFIX_WRONG)],
        help_text="留空为全国；县级填6位代码，市级填4位",
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="含当日；留空为长期有效")
    kind = models.CharField("值类型", max_length=10, choices=list(Kind.LABELS.items()), default=Kind.DECIMAL)
    value = models.TextField("参数值")
    unit = models.CharField("单位", max_length=30, blank=True)
    source = models.CharField("依据（文号/出处）", max_length=300)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["key", "region_prefix", "valid_from"]
        indexes = [models.Index(fields=["key", "region_prefix"], name="parameter_key_prefix_idx")]
        constraints = [
            ExclusionConstraint(
                name="parameter_no_overlap",
                expressions=[
                    ("key", RangeOperators.EQUAL),
                    ("region_prefix", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
                violation_error_message=OVERLAP,
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="parameter_period_ordered",
                violation_error_message=PERIOD_ORDER_WRONG,
            ),
            models.CheckConstraint(
                condition=Q(region_prefix__regex=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})?$"),
                name="parameter_prefix_digits",
                violation_error_message=PREFIX_WRONG,
            ),
        ]

    def __str__(self) -> str:
        scope = self.region_prefix or "全国"
        end = self.valid_to or "长期"
        return f"{self.key} [{scope}] {self.valid_from}～{end} = {self.value}{self.unit}"

    @property
    def label(self) -> str:
        spec = spec_for(self.key)
        return spec.label if spec else self.key

    @property
    def typed_value(self):
        return parse_value(self.kind, self.value)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_version(self) -> ParamVersion:
        return ParamVersion(
            id=self.pk,
            key=self.key,
            region_prefix=self.region_prefix,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            value=self.typed_value,
            unit=self.unit,
            source=self.source,
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(PERIOD_ORDER_WRONG)
        spec = spec_for(self.key or "")
        if spec is not None and self.kind != spec.kind:
            errors.setdefault("kind", []).append(
                KIND_MISMATCH.format(key=self.key, kind=Kind.LABELS[spec.kind])
            )
        try:
            parse_value(self.kind, self.value)
        except ValidationError as exc:
            errors.setdefault("value", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)


class EligibilityResult(models.Model):
    """The latest decision per household and program: queryable for lists and ledgers.

    Written set-based by programs.results.write_results (the recalculation and store_decisions)."""

    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        related_name="eligibility_results",
    )
    program = models.ForeignKey(Program, verbose_name="项目", on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField("符合条件")
    monthly_amount = models.DecimalField("月金额(元)", max_digits=12, decimal_places=2, default=Decimal("0"))
    annual_amount = models.DecimalField(
        "年/一次性金额(元)", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    persons = models.PositiveSmallIntegerField("涉及人数", default=0)
    reasons = models.JSONField("理由", default=list)
    parameter_ids = ArrayField(models.BigIntegerField(), verbose_name="所用参数版本", default=list)
    as_of = models.DateField("测算日期")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "资格测算结果"
        verbose_name_plural = "资格测算结果"
        ordering = ["household_id", "program_id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "program"], name="eligibility_one_per_program"),
        ]
        indexes = [models.Index(fields=["program", "eligible"], name="eligibility_program_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.program_id} {'符合' if self.eligible else '不符合'}"


class HouseholdEvaluation(models.Model):
    """Fingerprints of what the rules read when a household's results were last computed and of the
    decisions stored then (programs.rules.digest): the recalculation skips households whose inputs
    are unchanged, and does not rewrite results that came out the same. A cache: deleting a row
    only makes the next run evaluate that household again."""

    household = models.OneToOneField(
        "households.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
    )
    inputs_digest = models.BigIntegerField("输入指纹")
    results_digest = models.BigIntegerField(
        "结果指纹", help_text="所存各项目测算结果的指纹：结果未变则不重写"
    )
    as_of = models.DateField("测算日期")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "测算输入指纹"
        verbose_name_plural = "测算输入指纹"

    def __str__(self) -> str:
        return f"{self.household_id} {self.as_of}"


class VillagePopulation(models.Model):
    """农业户籍人口 of a village for a year: the denominator of 贫困发生率 (R5)."""

    village = models.ForeignKey("core.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    agricultural_population = models.PositiveIntegerField("农业户籍人口")
    source = models.CharField("数据来源", max_length=200, blank=True)

    class Meta:
        verbose_name = "村农业户籍人口"
        verbose_name_plural = "村农业户籍人口"
        ordering = ["village_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="village_population_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}: {self.agricultural_population}"
