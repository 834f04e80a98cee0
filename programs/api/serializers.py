"""Shapes of the programs API: catalogue, dated parameters, stored results and what-if decisions."""

from __future__ import annotations

from rest_framework import serializers

from programs.models import EligibilityResult, Parameter, Program, VillagePopulation


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["code", "name", "category", "rule", "source", "sort_order", "is_active"]


class ParameterSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="参数中文名称")
    # Plain string in the schema (the model's regex + blank became an ambiguous oneOf); the format
    # (empty, or 2/4/6/9/12 digits) is checked by the model in programs.services.set_parameter.
    region_prefix = serializers.CharField(
        max_length=12,
        allow_blank=True,
        required=False,
        default="",
        help_text="区划范围：空为全国，或2/4/6/9/12位代码前缀",
    )

    class Meta:
        model = Parameter
        fields = [
            "id",
            "key",
            "label",
            "region_prefix",
            "valid_from",
            "valid_to",
            "kind",
            "value",
            "unit",
            "source",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "label", "created_by", "created_at"]
        extra_kwargs = {"kind": {"required": False}, "unit": {"required": False}}
        validators = []  # overlap and scope are checked by programs.services.set_parameter


class EligibilityResultSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True, help_text="项目名称")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="中文理由（引用所用数值）")

    class Meta:
        model = EligibilityResult
        fields = [
            "id",
            "household",
            "program",
            "program_name",
            "eligible",
            "monthly_amount",
            "annual_amount",
            "persons",
            "reasons",
            "parameter_ids",
            "as_of",
            "computed_at",
        ]


class DecisionSerializer(serializers.Serializer):
    program = serializers.CharField(help_text="项目代码")
    eligible = serializers.BooleanField(help_text="是否符合条件")
    monthly_amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="月金额（元）")
    annual_amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="年/一次性金额（元）")
    persons = serializers.IntegerField(help_text="涉及人数")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="中文理由")
    parameter_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="所用参数版本（0 为模拟值）"
    )
    failed = serializers.BooleanField(help_text="因参数缺失等原因未能测算")


class EvaluateInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text="户ID（须在本人管辖范围内）")
    as_of = serializers.DateField(required=False, help_text="测算日期，默认今天")


class WhatIfInputSerializer(EvaluateInputSerializer):
    overrides = serializers.DictField(
        child=serializers.CharField(),
        help_text='要模拟的参数：{参数键: 新值}，如 {"dibao.rural_standard_year": "4200"}',
    )
    approved_only = serializers.BooleanField(
        default=True, help_text="只用已入库数据（默认）；否则按当前录入数据测算"
    )


class WhatIfSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text="户ID")
    as_of = serializers.DateField(help_text="测算日期")
    overrides = serializers.DictField(child=serializers.CharField(), help_text="模拟的参数值")
    baseline = DecisionSerializer(many=True, help_text="按现行参数的测算")
    simulated = DecisionSerializer(many=True, help_text="按模拟参数的测算（不保存）")
    changed = serializers.ListField(child=serializers.CharField(), help_text="结论或金额发生变化的项目")


# ---------------------------------------------------------------- village population and indicators (R5)


class VillagePopulationSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True, help_text="村名")

    class Meta:
        model = VillagePopulation
        fields = ["id", "village", "village_name", "year", "agricultural_population", "source"]
        read_only_fields = ["id", "village_name"]
        extra_kwargs = {
            "village": {"help_text": "村（12位区划代码，须在本人管辖范围内）"},
            "year": {"help_text": "年度", "min_value": 2000, "max_value": 2100},
            "agricultural_population": {"help_text": "农业户籍人口（贫困发生率的分母）"},
            "source": {"help_text": "数据来源，如 公安户籍统计"},
        }
        # set_village_population corrects an existing (village, year) row instead of refusing it.
        validators = []

    def get_fields(self):
        from core.choices import RegionLevel
        from core.models import Region
        from core.scoping import scoped

        fields = super().get_fields()
        request = self.context.get("request")
        villages = Region.objects.filter(level=RegionLevel.VILLAGE)
        fields["village"].queryset = scoped(villages, getattr(request, "user", None))
        return fields


class VillageIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="村区划代码")
    name = serializers.CharField(help_text="村名")
    households = serializers.IntegerField(help_text="已入库户数")
    people = serializers.IntegerField(help_text="已入库在册人数")
    not_exited_people = serializers.IntegerField(help_text="未脱贫人数")
    agricultural_population = serializers.IntegerField(
        allow_null=True, help_text="农业户籍人口（未登记为空）"
    )
    region_class = serializers.CharField(
        help_text="退出标准地区类别（east 东部 / central 中部 / west 西部；本村未登记时取上级）"
    )
    incidence_pct = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        source="decision.amounts.incidence_pct",
        help_text="贫困发生率（%），未登记人口时为空",
    )
    threshold_pct = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        source="decision.amounts.threshold_pct",
        help_text="退出标准（%）",
    )
    meets_exit_standard = serializers.BooleanField(source="decision.eligible", help_text="贫困发生率是否达标")
    reasons = serializers.ListField(
        child=serializers.CharField(), source="decision.reasons", help_text="中文说明"
    )
    parameter_ids = serializers.ListField(
        child=serializers.IntegerField(), source="decision.parameter_ids", help_text="所用参数版本"
    )


class VillageIndicatorQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="农业户籍人口的年度，默认今年"
    )


class RegionWhatIfInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("standard", "调整农村低保标准"), ("phase_out", "调整低保渐退期限")], help_text="模拟内容"
    )
    as_of = serializers.DateField(required=False, help_text="拟生效日期，默认今天")
    standard_year = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="拟调整的农村低保标准（元/人/年），kind=standard 时必填",
    )
    phase_out_months = serializers.IntegerField(
        min_value=1, max_value=60, required=False, help_text="拟设置的渐退期限（月），kind=phase_out 时必填"
    )

    def validate(self, attrs):
        from programs.views_admin import MONTHS_REQUIRED, STANDARD_REQUIRED

        if attrs["kind"] == "standard" and attrs.get("standard_year") is None:
            raise serializers.ValidationError({"standard_year": STANDARD_REQUIRED})
        if attrs["kind"] == "phase_out" and not attrs.get("phase_out_months"):
            raise serializers.ValidationError({"phase_out_months": MONTHS_REQUIRED})
        return attrs


MONEY = {"max_digits": 14, "decimal_places": 2}


class TallySerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="参与测算户数")
    people = serializers.IntegerField(help_text="参与测算人数")
    enter_households = serializers.IntegerField(help_text="新纳入户数")
    enter_people = serializers.IntegerField(help_text="新纳入人数")
    leave_households = serializers.IntegerField(help_text="退出户数")
    leave_people = serializers.IntegerField(help_text="退出人数")
    change_households = serializers.IntegerField(help_text="金额变化户数")
    change_people = serializers.IntegerField(help_text="金额变化人数")
    budget_before = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="调整前月支出（元）")
    budget_after = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="调整后月支出（元）")
    budget_difference = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="月支出变化（元）"
    )


class TownshipTallySerializer(TallySerializer):
    township = serializers.CharField(help_text="乡镇区划代码前缀（9位）")
    name = serializers.CharField(help_text="乡镇名称")


class RegionWhatIfSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="县级区划代码")
    kind = serializers.CharField(help_text="模拟内容")
    as_of = serializers.DateField(help_text="拟生效日期")
    standard_year = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="模拟的农村低保标准（元/人/年）"
    )
    phase_out_months = serializers.IntegerField(allow_null=True, help_text="模拟的渐退期限（月）")
    total = TallySerializer(help_text="全县合计")
    by_township = TownshipTallySerializer(many=True, help_text="按乡镇")
    notes = serializers.ListField(child=serializers.CharField(), help_text="说明")
