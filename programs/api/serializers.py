"""Shapes of the programs API: catalogue, dated parameters, stored results and what-if decisions."""

from __future__ import annotations

from rest_framework import serializers

from programs.models import EligibilityResult, Parameter, Program


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["code", "name", "category", "rule", "source", "sort_order", "is_active"]


class ParameterSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="参数中文名称")

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
