from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from core.choices import ROLE_LEVEL, RegionLevel, Role

ROLE_REGION_LEVEL_WRONG = "{role}应属于{level}级区划"
ROLE_REGION_REQUIRED = "除系统管理员外，用户必须属于一个区划"
HELPER_PERSON_REQUIRED = "帮扶责任人账号必须关联一名帮扶责任人"
HELPER_COUNTY_WRONG = "帮扶责任人账号的所属区划应为该责任人所属的县"


class User(AbstractUser):
    """A staff member: one region, one role. The region decides what data the user sees."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.VILLAGE_CLERK)
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    # A 帮扶责任人 account sees the households assigned to this helper (households.helper_scope).
    helper_person = models.OneToOneField(
        "households.HelperPerson",
        verbose_name="帮扶责任人档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
        help_text="角色为帮扶责任人时必填",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.SYSTEM_ADMIN) | models.Q(region__isnull=False),
                name="user_region_required_unless_sysadmin",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.HELPER) | models.Q(helper_person__isnull=False),
                name="user_helper_has_helper_person",
                violation_error_message=HELPER_PERSON_REQUIRED,
            ),
        ]

    def __str__(self) -> str:
        # What a page shows for a person (录入人, 办理人 …): their name; a login name only when the
        # account has none (a login name is not Chinese and means nothing to the reader).
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.SYSTEM_ADMIN:
            return
        if not self.region_id:
            raise ValidationError({"region": ROLE_REGION_REQUIRED})
        if self.role == Role.HELPER:
            if not self.helper_person_id:
                raise ValidationError({"helper_person": HELPER_PERSON_REQUIRED})
            if self.helper_person.county_id != self.region_id:
                raise ValidationError({"region": HELPER_COUNTY_WRONG})
        expected = ROLE_LEVEL[Role(self.role)]
        if self.region.level != expected:
            raise ValidationError(
                {
                    "region": ROLE_REGION_LEVEL_WRONG.format(
                        role=self.get_role_display(), level=RegionLevel(expected).label
                    )
                }
            )
