"""load_regions (CSV/xlsx, Chinese row errors, all-or-nothing) and load_demo (idempotent, users per level)."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from core.choices import RegionLevel, Role
from core.models import Region, User
from devdata.registry import demo_password
from households.models import Household, Member

pytestmark = pytest.mark.django_db

HEADER = "code,name,level,parent_code,urban_rural_code\n"
GOOD = (
    "210000000000,辽宁省,province,,\n"
    "211200000000,铁岭市,city,210000000000,\n"
    "211223000000,西丰县,县,211200000000,\n"
    "211223100000,西丰镇,township,211223000000,\n"
    "211223100200,朝阳村民委员会,village,211223100000,122\n"
)


def _csv(tmp_path, body: str, name: str = "regions.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_load_regions_upserts_and_is_idempotent(tmp_path):
    path = _csv(tmp_path, GOOD)
    call_command("load_regions", str(path), stdout=io.StringIO())
    village = Region.objects.get(code="211223100200")
    assert village.parent_id == "211223100000"
    assert village.level == RegionLevel.VILLAGE
    assert village.urban_rural_code == "122"
    # A flag set in the system survives a re-load; a renamed village is updated, not duplicated.
    Region.objects.filter(code="211223100200").update(is_poor_village=True)
    _csv(tmp_path, GOOD.replace("朝阳村民委员会", "朝阳村"))
    out = io.StringIO()
    call_command("load_regions", str(path), stdout=out)
    assert "新增 0 个，更新 5 个" in out.getvalue()
    village.refresh_from_db()
    assert (village.name, village.is_poor_village) == ("朝阳村", True)
    assert Region.objects.count() == 5


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("21122310020,短码村,village,211223100000,220", "第7行：区划代码“21122310020”应为12位数字"),
        ("211223100201,,village,211223100000,220", "第7行：名称不能为空"),
        ("211223100201,某村,hamlet,211223100000,220", "第7行：级别“hamlet”无效"),
        ("211224100201,越界村,village,211223100000,220", "不以上级 211223100000 的前缀 211223100 开头"),
        (
            "211223100201,孤村,village,211223999000,220",
            "第7行：上级区划代码 211223999000 在文件和数据库中都不存在",
        ),
        ("211223100201,某村,village,211223100000,999", "第7行：城乡分类代码“999”无效"),
        ("211223100200,重复村,village,211223100000,220", "第7行：区划代码 211223100200 与第6行重复"),
        (
            "211223100299,某村,village,211223100200,220",
            "第7行：上级区划 211223100200 的级别（村）应高于本级（村）",
        ),
        (
            "211223101000,某村,village,211223000000,220",
            "第7行：区划代码 211223101000 的村级代码段（第10-12位）不能全为0",
        ),
        ("211223100201,某村,township,211223000000,", "与级别“乡镇”不符"),
    ],
)
def test_load_regions_bad_row_writes_nothing(tmp_path, bad_line, message):
    path = _csv(tmp_path, GOOD + bad_line + "\n")
    with pytest.raises(CommandError) as exc:
        call_command("load_regions", str(path), stdout=io.StringIO())
    assert "未写入任何数据" in str(exc.value)
    assert message in str(exc.value)
    assert not Region.objects.exists()


def test_load_regions_reads_xlsx_with_numeric_codes(tmp_path):
    import xlsxwriter

    path = tmp_path / "regions.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    rows = [line.split(",") for line in (HEADER + GOOD).strip().splitlines()]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            # Spreadsheets often hold codes as numbers; the loader must turn them back into text.
            sheet.write(r, c, int(value) if value.isdigit() and len(value) == 12 else value)
    book.close()
    call_command("load_regions", str(path), stdout=io.StringIO())
    assert Region.objects.filter(code="211223100200", parent_id="211223100000").exists()


def test_load_regions_rejects_unknown_file_type(tmp_path):
    path = tmp_path / "regions.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match="只支持 .csv 或 .xlsx"):
        call_command("load_regions", str(path), stdout=io.StringIO())


def test_load_demo_is_idempotent_and_has_a_user_per_level():
    out = io.StringIO()
    call_command("load_demo", "--households", "30", stdout=out)
    first = out.getvalue()
    assert "演示账号" in first
    assert "cun_dongping" in first
    assert "村级录入员" in first
    assert Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="211223").count() == 187
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith="211223").count() == 18
    county = Region.objects.get(code="211223000000")
    assert county.is_deep_poverty_county
    assert county.is_key_poverty_county
    assert Region.objects.get(code="211223206200").effective_exit_class() == "central"
    households, members = Household.objects.count(), Member.objects.count()
    assert 25 <= households <= 35
    assert members >= households

    clerk = User.objects.get(username="cun_dongping")
    clerk.set_password("changed-by-someone")
    clerk.save()
    out = io.StringIO()
    call_command("load_demo", "--households", "30", stdout=out)
    assert "未重复生成" in out.getvalue()
    assert (Household.objects.count(), Member.objects.count()) == (households, members)
    roles = {u.role: u for u in User.objects.all()}
    assert set(roles) == set(Role.values)
    levels = {Role.VILLAGE_CLERK: 5, Role.TOWNSHIP_REVIEWER: 4, Role.COUNTY_ADMIN: 3, Role.CITY_SUPERVISOR: 2}
    for role, level in levels.items():
        assert roles[role].region.level == level
        assert roles[role].region.code.startswith("2112")
        roles[role].full_clean()
    for user in User.objects.all():
        assert authenticate(username=user.username, password=demo_password(user.username)) is not None


def test_demo_members_are_valid_and_households_belong_to_the_clerk_scope():
    call_command("load_demo", "--households", "20", stdout=io.StringIO())
    for member in Member.objects.all():
        member.full_clean()
        assert member.id_no.startswith("211223")
    for household in Household.objects.prefetch_related("members"):
        household.full_clean()
        assert sum(m.relation == "head" for m in household.members.all()) == 1


def test_load_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match="生产环境不加载演示数据"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()
