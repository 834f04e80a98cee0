from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Reverse, Substr

from core.choices import RegionLevel, ReviewState
from core.privacy import Kind
from households.choices import (
    AssetSource,
    DangerLevel,
    HouseStructure,
    IdentifyStandard,
    MemberStatus,
    MonitoringState,
    PovertyAttribute,
    PovertyCause,
    PovertyStatus,
    RoadType,
)
from households.models.geo import latitude_field, longitude_field
from households.models.village_code import household_move_trigger, village_code_field, village_code_trigger
from households.validators import check_causes

VILLAGE_REQUIRED = "户籍所在地必须选择到村（社区）一级"
ASSETS_SOURCE_REQUIRED = "填写了家庭金融资产，请选择资产核对来源"
ASSETS_DATE_REQUIRED = "填写了家庭金融资产，请填写资产核对日期"

_money: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}
_area: dict[str, Any] = {
    "max_digits": 10,
    "decimal_places": 2,
    "default": Decimal("0.00"),
    "validators": [MinValueValidator(0)],
}


@pghistory.track(append_only=True)
class Household(models.Model):
    """A registered household (建档立卡户 / 低保户). Never hard-deleted: archived instead."""

    PERSONAL_FIELDS = {"phone": Kind.PHONE, "bank_account": Kind.BANK_ACCOUNT}

    household_no = models.CharField("户编号", max_length=30)
    village = models.ForeignKey(
        "core.Region",
        verbose_name="所在村",
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": RegionLevel.VILLAGE},
    )
    group_name = models.CharField("村民小组", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)

    identify_standard = models.CharField(
        "识别标准", max_length=16, choices=IdentifyStandard.choices, default=IdentifyStandard.NATIONAL
    )
    attribute = models.CharField(
        "贫困户属性", max_length=20, choices=PovertyAttribute.choices, default=PovertyAttribute.GENERAL
    )
    main_cause = models.CharField("主要致贫原因", max_length=20, choices=PovertyCause.choices)
    other_causes = ArrayField(
        models.CharField(max_length=20, choices=PovertyCause.choices),
        verbose_name="其他致贫原因",
        default=list,
        blank=True,
        help_text="最多选两项",
    )
    poverty_status = models.CharField(
        "脱贫状态", max_length=24, choices=PovertyStatus.choices, default=PovertyStatus.NOT_EXITED
    )
    democratic_review_date = models.DateField(
        "民主评议日期", null=True, blank=True, help_text="拟退出前村两委民主评议的日期"
    )
    monitoring_state = models.CharField(
        "防返贫监测", max_length=20, choices=MonitoringState.choices, default=MonitoringState.NONE
    )
    identify_year = models.PositiveSmallIntegerField("识别年度", null=True, blank=True)
    plan_exit_year = models.PositiveSmallIntegerField("计划脱贫年度", null=True, blank=True)
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)

    is_military_family = models.BooleanField("军烈属", default=False)
    is_only_child = models.BooleanField("独生子女户", default=False)
    is_two_daughters = models.BooleanField("双女户", default=False)
    is_relocated = models.BooleanField("易地扶贫搬迁户", default=False)

    land_arable = models.DecimalField("耕地面积(亩)", **_area)
    land_irrigated = models.DecimalField("有效灌溉面积(亩)", **_area)
    land_forest = models.DecimalField("林地面积(亩)", **_area)
    land_returned_forest = models.DecimalField("退耕还林面积(亩)", **_area)
    land_orchard = models.DecimalField("林果面积(亩)", **_area)
    land_pasture = models.DecimalField("牧草地面积(亩)", **_area)
    land_water = models.DecimalField("水面面积(亩)", **_area)

    has_production_power = models.BooleanField("通生产用电", default=True)
    has_living_power = models.BooleanField("通生活用电", default=True)
    has_safe_water = models.BooleanField("饮水安全", default=True)
    has_water_difficulty = models.BooleanField("饮水困难", default=False)
    road_type = models.CharField(
        "入户路类型", max_length=16, choices=RoadType.choices, default=RoadType.HARDENED
    )
    distance_to_road_km = models.DecimalField(
        "距村主干路(公里)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    house_area = models.DecimalField("住房面积(㎡)", **_area)
    house_structure = models.CharField(
        "房屋结构", max_length=20, choices=HouseStructure.choices, default=HouseStructure.BRICK_WOOD
    )
    danger_level = models.CharField(
        "危房等级", max_length=4, choices=DangerLevel.choices, default=DangerLevel.NONE
    )
    # Where the household lives (WGS-84 as browsers report it): a visit recorded far from here is
    # flagged for the township (households.visits).
    latitude = latitude_field("住址纬度")
    longitude = longitude_field("住址经度")

    review_state = models.CharField(
        "审核状态", max_length=24, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    archived_at = models.DateTimeField("注销时间", null=True, blank=True)
    archive_reason = models.CharField("注销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "建档立卡户"
        verbose_name_plural = "建档立卡户"
        ordering = ["village_id", "household_no"]
        indexes = [
            models.Index(
                fields=["village"], name="household_village_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["poverty_status"], name="household_status_idx"),
            # 防返贫监测 statistics start from the few monitored households of a county, not a million.
            models.Index(
                fields=["village"],
                name="household_monitored_idx",
                opclasses=["varchar_pattern_ops"],
                condition=~models.Q(monitoring_state="none"),
            ),
            # Search (households.search): 户编号 whole, by its start or its end, and the phone by its
            # last digits, each with the village code after the key (the scope is skipped inside the
            # index); any other part of the 户编号 by trigrams.
            models.Index(
                OpClass(F("household_no"), name="varchar_pattern_ops"),
                OpClass(F("village"), name="varchar_pattern_ops"),
                name="household_no_village_idx",
            ),
            models.Index(
                OpClass(Reverse("household_no"), name="text_pattern_ops"),
                OpClass(F("village"), name="varchar_pattern_ops"),
                name="household_no_tail_idx",
            ),
            GinIndex(fields=["household_no"], name="household_no_trgm_idx", opclasses=["gin_trgm_ops"]),
            models.Index(
                OpClass(Reverse("phone"), name="text_pattern_ops"),
                OpClass(F("village"), name="varchar_pattern_ops"),
                name="household_phone_village_idx",
            ),
            # A scope's households in one review state (the 工作台's 待我审核 and 退回: count and the
            # oldest five; the list filtered by state) from the index alone: in the busy season the
            # county's 20,000 households 待县核查 were read row by row for a count (25 ms; 2.5 ms).
            models.Index(
                fields=["review_state", "village"],
                name="household_state_village_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                include=["id"],
            ),
        ]
        triggers = [
            # A household moved to another village takes its members and income years along
            # (Member.village_code, IncomeYear.village_code).
            household_move_trigger("household_village_to_members", "households_member"),
            household_move_trigger("household_village_to_incomes", "households_incomeyear"),
        ]
        constraints = [
            # 户编号 is unique within a county: the first 6 digits of the village code.
            models.UniqueConstraint(
                Substr("village_id", 1, 6),
                "household_no",
                name="household_no_unique_in_county",
                violation_error_message="本县内已有相同的户编号",
            ),
            models.CheckConstraint(
                condition=models.Q(other_causes__len__lte=2),
                name="household_other_causes_at_most_2",
                violation_error_message="其他致贫原因最多两项",
            ),
        ]

    # Admin pages show these read-only fields through the property on the right (Chinese names).
    READONLY_LABELS = {"other_causes": "other_causes_labels"}

    def __str__(self) -> str:
        return f"{self.household_no} {self.head_name or ''}".strip()

    @property
    def other_causes_labels(self) -> str:
        names = dict(PovertyCause.choices)
        return "、".join(names.get(code, code) for code in self.other_causes or []) or "无"

    other_causes_labels.fget.short_description = "其他致贫原因"

    def clean(self) -> None:
        if self.village_id and self.village.level != RegionLevel.VILLAGE:
            raise ValidationError({"village": VILLAGE_REQUIRED})
        check_causes([self.main_cause] if self.main_cause else [], self.other_causes or [])

    @property
    def head_name(self) -> str | None:
        heads = [m for m in self.members.all() if m.is_head and m.is_active]
        return heads[0].name if heads else None

    def active_members(self) -> models.QuerySet:
        return self.members.filter(member_status=MemberStatus.NORMAL)


@pghistory.track(append_only=True, exclude=["village_code"])
class IncomeYear(models.Model):
    """One income period of a household (yuan per year). R1/R2 derive per-capita figures."""

    household = models.ForeignKey(
        Household, verbose_name="户", on_delete=models.PROTECT, related_name="incomes"
    )
    # The household's village (denormalised, issue 28), as Member.village_code: income years are
    # scoped by an index of their own (village code, id), so a township's API list and its id bounds
    # read its own range instead of the county's income years joined to their households. Set by
    # the database on every write (households.models.village_code: the trigger below and the
    # household's); no part of the history (a household's move writes no income event).
    village_code = village_code_field()
    period_start = models.DateField("收入年度起")
    period_end = models.DateField("收入年度止")
    wage = models.DecimalField("工资性收入", **_money)
    business_income = models.DecimalField("生产经营性收入", **_money)
    property_dividend = models.DecimalField("资产收益扶贫分红", **_money)
    property_other = models.DecimalField("其他财产性收入", **_money)
    transfer_family_planning = models.DecimalField("计划生育金", **_money)
    transfer_dibao = models.DecimalField("低保金", **_money)
    transfer_tekun = models.DecimalField("特困供养金", **_money)
    transfer_pension = models.DecimalField("养老保险金", **_money)
    transfer_eco = models.DecimalField("生态补偿金", **_money)
    transfer_disability = models.DecimalField("两项补贴", **_money)
    transfer_other = models.DecimalField("其他转移性收入", **_money)
    business_expense = models.DecimalField("生产经营性支出", **_money)
    # Dibao-basis (R2) adjustments: which are excluded or deducted is a local parameter.
    basic_pension = models.DecimalField("其中：基础养老金", **_money)
    new_job_first_months = models.DecimalField("其中：新就业前3个月收入", **_money)
    rigid_medical = models.DecimalField("刚性支出：医疗", **_money)
    rigid_education = models.DecimalField("刚性支出：教育", **_money)
    rigid_disability = models.DecimalField("刚性支出：残疾康复", **_money)
    job_costs = models.DecimalField("就业成本", **_money)
    # Financial assets of the income year (R7 asset test): empty when not checked.
    financial_assets = models.DecimalField(
        "家庭金融资产",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="存款、有价证券、商业保险现金价值等合计（元）；未核对的留空",
    )
    assets_source = models.CharField("资产核对来源", max_length=16, choices=AssetSource.choices, blank=True)
    assets_checked_on = models.DateField("资产核对日期", null=True, blank=True)

    class Meta:
        verbose_name = "年度收入"
        verbose_name_plural = "年度收入"
        ordering = ["household_id", "-period_end"]
        indexes = [
            # A scope's income years in id order (the API's keyset pages and their id bounds).
            models.Index(fields=["village_code", "id"], name="income_village_idx"),
        ]
        triggers = [village_code_trigger("income_village_code")]
        constraints = [
            models.UniqueConstraint(fields=["household", "period_end"], name="income_one_row_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="income_period_ordered",
                violation_error_message="收入年度止日期应晚于起始日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m}至{self.period_end:%Y-%m}"

    def clean(self) -> None:
        super().clean()
        if self.financial_assets is None:
            return
        errors = {}
        if not self.assets_source:
            errors["assets_source"] = ASSETS_SOURCE_REQUIRED
        if self.assets_checked_on is None:
            errors["assets_checked_on"] = ASSETS_DATE_REQUIRED
        if errors:
            raise ValidationError(errors)

    def as_components(self):
        from households.income import IncomeComponents

        return IncomeComponents.from_obj(self)
