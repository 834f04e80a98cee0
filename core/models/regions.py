from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from core.choices import PREFIX_LENGTH, ExitRegionClass, RegionLevel, UrbanRuralCode

REGION_CODE_WRONG = "区划代码应为12位数字"
REGION_PARENT_WRONG = "上级区划代码 {parent} 不是 {code} 的前缀"


class Region(models.Model):
    """A 统计用区划代码 division. The code is the key, so a household's village id is its code
    and subtree queries are `code LIKE 'prefix%'` with no join."""

    code = models.CharField(
        "区划代码",
        max_length=12,
        primary_key=True,
        validators=[RegexValidator(r"^\d{12}$", REGION_CODE_WRONG)],
    )
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural_code = models.CharField(
        "城乡分类代码", max_length=3, choices=UrbanRuralCode.choices, blank=True
    )
    exit_region_class = models.CharField(
        "退出区域类别",
        max_length=10,
        choices=ExitRegionClass.choices,
        blank=True,
        help_text="贫困村退出的贫困发生率阈值按中部2%、西部3%区分；留空则沿用上级",
    )
    is_key_poverty_county = models.BooleanField("重点贫困县", default=False)
    is_deep_poverty_county = models.BooleanField("深度贫困县", default=False)
    is_deep_poverty_village = models.BooleanField("深度贫困村", default=False)
    is_poor_village = models.BooleanField("贫困村", default=False)
    is_synthetic = models.BooleanField(
        "合成代码", default=False, help_text="演示用的虚构代码，非国家统计局发布"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [
            # LIKE 'prefix%' on any collation.
            models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "name"], name="region_level_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^\d{12}$"), name="region_code_12_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The digits that identify this region; every code under it starts with them."""
        return self.code[: PREFIX_LENGTH[RegionLevel(self.level)]]

    def clean(self) -> None:
        if self.parent_id and not self.code.startswith(self.parent.prefix):
            raise ValidationError(
                {"parent": REGION_PARENT_WRONG.format(parent=self.parent_id, code=self.code)}
            )

    def effective_exit_class(self) -> str:
        """The exit region class of this region or the nearest ancestor that sets one."""
        node: Region | None = self
        while node is not None:
            if node.exit_region_class:
                return node.exit_region_class
            node = node.parent
        return ""

    def full_name(self) -> str:
        names, node = [], self
        while node is not None and node.level >= RegionLevel.COUNTY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
