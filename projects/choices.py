"""Code lists of the 扶贫项目库: English slugs stored, Chinese labels shown (domain.md#entity-projects)."""

from django.db import models


class ProjectType(models.TextChoices):
    INDUSTRY = "industry", "产业"
    EMPLOYMENT = "employment", "就业"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    PUBLIC_SERVICE = "public_service", "公共服务"
    RELOCATION_SUPPORT = "relocation_support", "易地搬迁配套"
    OTHER = "other", "其他"


class FundSource(models.TextChoices):
    CENTRAL = "central", "中央衔接资金"
    PROVINCIAL = "provincial", "省级衔接资金"
    CITY = "city", "市级衔接资金"
    COUNTY = "county", "县级衔接资金"
    SECTOR = "sector", "行业资金"
    SOCIAL = "social", "社会帮扶"
    SELF_RAISED = "self_raised", "自筹"


class Stage(models.TextChoices):
    """Where a project is after the review chain (its review_state says where it is inside it)."""

    PROPOSED = "proposed", "申报审核中"
    IN_LIBRARY = "in_library", "已入库"
    ANNOUNCED = "announced", "已公告"
    IMPLEMENTING = "implementing", "实施中"
    ACCEPTED = "accepted", "已验收"
    PUBLICIZED = "publicized", "已公示（完成）"


# The 工作台 chart "projects by stage" names the chain's states before 已入库 (R31).
STAGES_AFTER_APPROVAL = (
    Stage.IN_LIBRARY,
    Stage.ANNOUNCED,
    Stage.IMPLEMENTING,
    Stage.ACCEPTED,
    Stage.PUBLICIZED,
)
FINISHED_STAGES = (Stage.ACCEPTED, Stage.PUBLICIZED)


class BenefitKind(models.TextChoices):
    DIVIDEND = "dividend", "资产收益分红"
    EMPLOYMENT = "employment", "务工就业"
    INDUSTRY = "industry", "产业带动（种养殖）"
    FACILITY = "facility", "设施受益"
    RELOCATION = "relocation", "搬迁安置"
    OTHER = "other", "其他"


class NoticeKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "实施前公告"
    RESULTS = "results", "验收后结果公示"


class AssetType(models.TextChoices):
    PV = "pv", "光伏电站"
    GREENHOUSE = "greenhouse", "温室大棚"
    COLD_STORE = "cold_store", "冷库"
    WORKSHOP = "workshop", "扶贫车间（厂房）"
    LIVESTOCK = "livestock", "养殖场"
    ROAD_WATER = "road_water", "道路水利设施"
    OTHER = "other", "其他"


class DistributionRule(models.TextChoices):
    EQUAL = "equal", "按户平均"
    PERSONS = "persons", "按人口"
    LIST = "list", "按名单金额"
