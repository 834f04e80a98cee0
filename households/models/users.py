from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from households.choices import ROLE_LEVEL, RegionLevel, Role

ROLE_REGION_LEVEL_WRONG = "{role}应属于{level}级区划"
ROLE_REGION_REQUIRED = "除系统管理员外，用户必须属于一个区划"


class User(AbstractUser):
    """A staff member: one region, one role. The region decides what data the user sees."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.VILLAGE_CLERK)
    region = models.ForeignKey(
        "households.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.SYSTEM_ADMIN) | models.Q(region__isnull=False),
                name="user_region_required_unless_sysadmin",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.SYSTEM_ADMIN:
            return
        if not self.region_id:
            raise ValidationError({"region": ROLE_REGION_REQUIRED})
        expected = ROLE_LEVEL[Role(self.role)]
        if self.region.level != expected:
            raise ValidationError(
                {
                    "region": ROLE_REGION_LEVEL_WRONG.format(
                        role=self.get_role_display(), level=RegionLevel(expected).label
                    )
                }
            )
