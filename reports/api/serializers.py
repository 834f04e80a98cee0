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


class MonitoringCategoryRowSerializer(GroupSerializer):
    category = serializers.CharField(help_text="监测类别代码")
    category_label = serializers.CharField(help_text="监测类别")
    households = serializers.IntegerField(help_text="监测对象户数（已审定纳入监测）")


class MonitoringRiskRowSerializer(GroupSerializer):
    risk_type = serializers.CharField(help_text="风险类型代码")
    risk_type_label = serializers.CharField(help_text="风险类型")
    households = serializers.IntegerField(help_text="监测对象户数（一户多项风险分别计入）")


class MonitoringSummaryRowSerializer(GroupSerializer):
    objects = serializers.IntegerField(help_text="监测对象户数")
    eliminated = serializers.IntegerField(help_text="风险已消除户数")
    elimination_rate = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="风险消除率（%）；无监测对象为空"
    )
    avg_days_to_identify = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="平均认定用时（天，线索发现至县级审定）"
    )
    leads = serializers.IntegerField(help_text="线索总数")
    leads_open = serializers.IntegerField(help_text="未办结线索")
    leads_overdue = serializers.IntegerField(help_text="逾期线索（入户核实或认定超期）")


class MonitoringLeadRowSerializer(GroupSerializer):
    source = serializers.CharField(help_text="线索来源代码")
    source_label = serializers.CharField(help_text="线索来源")
    leads = serializers.IntegerField(help_text="线索数")
    open = serializers.IntegerField(help_text="未办结")
    overdue = serializers.IntegerField(help_text="逾期")


class ProjectFundRowSerializer(GroupSerializer):
    source = serializers.CharField(help_text="资金来源代码")
    source_label = serializers.CharField(help_text="资金来源")
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="预算（元，县审批入库项目）")
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="已支付（元）")
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="剩余（元）")


class ProjectStageRowSerializer(GroupSerializer):
    stage = serializers.CharField(help_text="审核状态或实施阶段代码")
    stage_label = serializers.CharField(help_text="审核状态或实施阶段")
    projects = serializers.IntegerField(help_text="项目数")


class IndustryGapRowSerializer(GroupSerializer):
    households = serializers.IntegerField(help_text="建档立卡户数（已入库）")
    with_industry = serializers.IntegerField(help_text="参与入库产业项目的户数")
    without_industry = serializers.IntegerField(help_text="未参与任何入库产业项目的户数")
