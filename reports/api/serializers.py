from rest_framework import serializers


class GroupSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="分组区划代码前缀（下一级：市→县6位、县→乡镇9位、乡镇→村12位）")
    name = serializers.CharField(help_text="分组区划名称")


class PovertyStatusRowSerializer(GroupSerializer):
    status = serializers.CharField(help_text="脱贫状态代码")
    status_label = serializers.CharField(help_text="脱贫状态")
    households = serializers.IntegerField(help_text="已入库户数")
    persons = serializers.IntegerField(help_text="已入库户的在册人数")


class ReviewStateRowSerializer(GroupSerializer):
    state = serializers.CharField(help_text="审核状态代码")
    state_label = serializers.CharField(help_text="审核状态")
    households = serializers.IntegerField(help_text="户数")


class IncidenceRowSerializer(GroupSerializer):
    group = serializers.CharField(help_text="所属分组区划代码前缀")
    not_exited_persons = serializers.IntegerField(help_text="未脱贫人口")
    persons = serializers.IntegerField(help_text="已入库在册人口")
    population = serializers.IntegerField(allow_null=True, help_text="农业户籍人口，未登记时为空")
    rate_pct = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="贫困发生率（%）"
    )
    threshold_pct = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="退出标准（%，参数）"
    )
    meets = serializers.BooleanField(help_text="是否低于退出标准")


class DibaoMonthRowSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="发放月份（每月1日）")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="保障人数")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="发放金额（元）")


class PhaseOutRowSerializer(GroupSerializer):
    active = serializers.IntegerField(help_text="渐退中")
    proposed = serializers.IntegerField(help_text="拟渐退")


class MeasureGapRowSerializer(GroupSerializer):
    households = serializers.IntegerField(help_text="已入库户数")
    gap_industry = serializers.IntegerField(help_text="缺产业项目户数")
    gap_employment = serializers.IntegerField(help_text="有劳动力但无稳定就业户数")
