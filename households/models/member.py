import datetime as dt

import pghistory
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Reverse

from core.idcard import check_sex_matches, normalize_id, parse_id
from core.privacy import Kind
from households.choices import (
    ETHNICITY_CHOICES,
    DisabilityGrade,
    DisabilityType,
    Education,
    Health,
    Labor,
    MemberStatus,
    Relation,
    SchoolCategory,
    SchoolStatus,
    Sex,
    WorkStatus,
)
from households.models.village_code import village_code_field, village_code_trigger
from households.pinyin import INITIALS_MAX, PINYIN_MAX, pinyin_fields

STATUS_DATE_REQUIRED = "成员状态为“{status}”时必须填写变动日期"
DISABILITY_CARD_WRONG = "残疾人证号应为身份证号加残疾类别和等级两位（共20位）"
DISABILITY_GRADE_REQUIRED = "填写了残疾类别时必须填写残疾等级"


# The pinyin columns follow the name, the village code the household: no history of their own (nor
# an event for a backfill or a household's move).
@pghistory.track(append_only=True, exclude=["name_pinyin", "name_initials", "village_code"])
class Member(models.Model):
    """A household member. Leaves by status (死亡/迁出/…) with a date, never by deletion."""

    PERSONAL_FIELDS = {"id_no": Kind.ID_NO, "disability_card_no": Kind.DISABILITY_CARD}

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    # Kept with the name by save() and every bulk path (households.pinyin): search by `wjg`.
    name_pinyin = models.CharField("姓名全拼", max_length=PINYIN_MAX, blank=True, default="", editable=False)
    name_initials = models.CharField(
        "姓名首字母", max_length=INITIALS_MAX, blank=True, default="", editable=False
    )
    # The household's village (denormalised, issue 28): members are scoped and searched by an index
    # of their own (village code + search key), so a township's or village's query reads its own
    # range instead of the county's matches joined to their households. Set by the database on every
    # write (households.models.village_code: the trigger below and the household's), whatever the
    # path: save(), bulk_create, COPY, a household's move.
    village_code = village_code_field()
    id_no = models.CharField("身份证号", max_length=18)
    disability_card_no = models.CharField("残疾人证号", max_length=20, blank=True)
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    birth_date = models.DateField("出生日期", editable=False)
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITY_CHOICES, default="01")
    education = models.CharField("文化程度", max_length=16, choices=Education.choices, blank=True)
    school_status = models.CharField(
        "在校生状况", max_length=16, choices=SchoolStatus.choices, default=SchoolStatus.NOT_IN_SCHOOL
    )
    school_category = models.CharField(
        "学校类别", max_length=10, choices=SchoolCategory.choices, blank=True,
        help_text="普通高中在校生填写：各校资助标准不同（种子文件002）",
    )  # fmt: skip
    boarding = models.BooleanField("寄宿生", default=False, help_text="义务教育阶段寄宿生享受生活费补助")
    school_exception_approved = models.BooleanField(
        "失学例外已批准", default=False, help_text="义务教育阶段因重度残疾等原因经批准不在校"
    )
    health = models.CharField("健康状况", max_length=16, choices=Health.choices, default=Health.HEALTHY)
    disability_type = models.CharField("残疾类别", max_length=16, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", choices=DisabilityGrade.choices, null=True, blank=True
    )
    labor = models.CharField("劳动技能", max_length=16, choices=Labor.choices, default=Labor.ORDINARY)
    work_status = models.CharField(
        "务工状况", max_length=20, choices=WorkStatus.choices, default=WorkStatus.NONE
    )
    work_months = models.PositiveSmallIntegerField(
        "务工时间(月)", default=0, validators=[MinValueValidator(0), MaxValueValidator(12)]
    )
    employer = models.CharField("务工单位", max_length=100, blank=True)
    in_medical_ins = models.BooleanField("参加城乡居民基本医疗保险", default=True)
    in_critical_ins = models.BooleanField("参加大病保险", default=True)
    in_pension = models.BooleanField("参加城乡居民基本养老保险", default=False)
    is_soldier = models.BooleanField("现役军人", default=False)
    member_status = models.CharField(
        "成员状态", max_length=16, choices=MemberStatus.choices, default=MemberStatus.NORMAL
    )
    status_date = models.DateField("状态变动日期", null=True, blank=True)
    status_note = models.CharField("变动说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["id_no"], name="member_id_no_idx"),
            # A scope's members in list order (village, household, member): lists and small scopes.
            models.Index(fields=["village_code", "household", "id"], name="member_village_idx"),
            # Search (households.search): each key first, then the village code, so an exact or
            # starts-with match is one range whose rows outside the scope are skipped inside the
            # index; the end of a name or of an ID by prefix of the reversed value; any other part
            # of the name or its pinyin (three characters or more) by trigrams.
            models.Index(
                OpClass(F("name"), name="varchar_pattern_ops"),
                F("village_code"),
                name="member_name_village_idx",
            ),
            models.Index(
                OpClass(Reverse("name"), name="text_pattern_ops"),
                F("village_code"),
                name="member_name_tail_idx",
            ),
            models.Index(
                OpClass(F("name_pinyin"), name="varchar_pattern_ops"),
                F("village_code"),
                name="member_pinyin_idx",
            ),
            models.Index(
                OpClass(F("name_initials"), name="varchar_pattern_ops"),
                F("village_code"),
                name="member_initials_village_idx",
            ),
            models.Index(
                OpClass(Reverse("id_no"), name="text_pattern_ops"),
                F("village_code"),
                name="member_id_tail_village_idx",
            ),
            GinIndex(fields=["name"], name="member_name_trgm_idx", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name_pinyin"], name="member_pinyin_trgm_idx", opclasses=["gin_trgm_ops"]),
        ]
        triggers = [village_code_trigger("member_village_code")]
        permissions = [
            # Full ID numbers and bank accounts (pages, API, ledgers) only for holders of this
            # (county admins, by the 「县级台账（完整证件号）」 group; see docs/excel.md).
            ("view_full_identity", "可在台账中查看完整身份证号和银行账号"),
        ]
        constraints = [
            # The same person may be an active member of only one household.
            models.UniqueConstraint(
                fields=["id_no"],
                condition=models.Q(member_status="normal"),
                name="member_active_id_unique",
                violation_error_message="该身份证号已是其他户的在册成员",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(member_status="normal", relation="head"),
                name="member_one_active_head",
                violation_error_message="一户只能有一名户主",
            ),
            models.CheckConstraint(
                condition=models.Q(member_status="normal") | models.Q(status_date__isnull=False),
                name="member_left_has_date",
                violation_error_message="成员离开时必须填写变动日期",
            ),
            models.CheckConstraint(
                condition=models.Q(work_months__lte=12),
                name="member_work_months_le_12",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # birth_date is always what the ID says; set it even when clean() was not called.
        self.id_no = normalize_id(self.id_no)
        if self.id_no and not self.birth_date:
            self.birth_date = parse_id(self.id_no).birth_date
        for field, value in pinyin_fields(self.name).items():
            setattr(self, field, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.member_status == MemberStatus.NORMAL

    @property
    def is_head(self) -> bool:
        return self.relation == Relation.HEAD

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.id_no = normalize_id(self.id_no)
        try:
            facts = parse_id(self.id_no)
            self.birth_date = facts.birth_date
            if self.sex:
                check_sex_matches(self.id_no, self.sex)
            else:
                self.sex = facts.sex
        except ValidationError as exc:
            field = "sex" if exc.code == "id_sex" else "id_no"
            errors.setdefault(field, []).extend(exc.messages)
        if self.member_status != MemberStatus.NORMAL and not self.status_date:
            errors.setdefault("status_date", []).append(
                STATUS_DATE_REQUIRED.format(status=self.get_member_status_display())
            )
        if self.disability_card_no and not (
            len(self.disability_card_no) == 20 and self.disability_card_no.startswith(self.id_no)
        ):
            errors.setdefault("disability_card_no", []).append(DISABILITY_CARD_WRONG)
        if self.disability_type and not self.disability_grade:
            errors.setdefault("disability_grade", []).append(DISABILITY_GRADE_REQUIRED)
        if errors:
            raise ValidationError(errors)
