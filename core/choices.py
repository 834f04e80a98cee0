"""Code lists every floor uses: region levels, roles, the review chain's states.

Stable English slugs stored, Chinese labels shown."""

from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村"


# Digits of the 12-digit code that identify a region at each level (省2 市2 县2 乡镇3 村3).
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class UrbanRuralCode(models.TextChoices):
    MAIN_URBAN = "111", "111 主城区"
    URBAN_RURAL_FRINGE = "112", "112 城乡结合区"
    TOWN_CENTER = "121", "121 镇中心区"
    TOWN_RURAL_FRINGE = "122", "122 镇乡结合区"
    SPECIAL_AREA = "123", "123 特殊区域"
    TOWNSHIP_CENTER = "210", "210 乡中心区"
    VILLAGE = "220", "220 村庄"


class ExitRegionClass(models.TextChoices):
    EAST = "east", "东部"
    CENTRAL = "central", "中部"
    WEST = "west", "西部"


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", "村级录入员"
    TOWNSHIP_REVIEWER = "township_reviewer", "乡镇审核员"
    COUNTY_ADMIN = "county_admin", "县级管理员"
    CITY_SUPERVISOR = "city_supervisor", "市级监督员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    # A cadre assigned to households (结对帮扶): sees the households assigned to them, not a region.
    HELPER = "helper", "帮扶责任人"


# The level of region each role is attached to.
ROLE_LEVEL = {
    Role.VILLAGE_CLERK: RegionLevel.VILLAGE,
    Role.TOWNSHIP_REVIEWER: RegionLevel.TOWNSHIP,
    Role.COUNTY_ADMIN: RegionLevel.COUNTY,
    Role.CITY_SUPERVISOR: RegionLevel.CITY,
    # A helper belongs to the county that registered them; their scope is their assignments.
    Role.HELPER: RegionLevel.COUNTY,
}


class ReviewState(models.TextChoices):
    """The record chain of domain.md#workflow-household: village enters, township reviews, county checks."""

    DRAFT = "draft", "草稿"
    PENDING_TOWNSHIP = "pending_township", "待镇审核"
    PENDING_COUNTY = "pending_county", "待县核查"
    VERIFIED = "verified", "已入库"
    RETURNED_TO_VILLAGE = "returned_to_village", "村修正"
    RETURNED_TO_TOWNSHIP = "returned_to_township", "镇修正"
