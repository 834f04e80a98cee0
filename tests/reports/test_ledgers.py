"""County ledgers: 14 sheets (scenario 26), scope, masking, formula neutralisation, jobs."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from assistance.models import AssistanceMeasure, MonitoringRecord
from core.models import AccessLog
from households.choices import MemberStatus
from households.models import HelperAssignment, Household, IncomeYear, Member, WorkTeamMember
from households.models.support import WorkTeam
from programs.models import EligibilityResult
from programs.services import evaluate_household
from reports.exporting import export_context, start_export, write_workbook
from reports.ledgers import COUNTY_WORKBOOK, COUNTY_WORKBOOK_KEY
from reports.models import ExportJob
from tests.assistance.monitoring.helpers import episode
from tests.factories import (
    HelperAssignmentFactory,
    IncomeYearFactory,
    MemberFactory,
    household_with_members,
)

pytestmark = pytest.mark.django_db

# domain.md#ledgers: the headers each sheet must carry (scenario 26).
SPEC_HEADERS = {
    "建档立卡户花名册": [
        "序号",
        "县",
        "乡镇",
        "村",
        "组",
        "户编号",
        "户主",
        "身份证号",
        "人口",
        "贫困户属性",
        "主要致贫原因",
        "其他致贫原因",
        "识别年度",
        "脱贫状态",
        "脱贫年度",
        "人均纯收入",
        "危房等级",
        "帮扶责任人",
        "电话",
    ],
    "人口明细": [
        "户编号",
        "姓名",
        "身份证",
        "与户主关系",
        "性别",
        "年龄",
        "民族",
        "文化程度",
        "在校生状况",
        "健康状况",
        "残疾类别/等级",
        "劳动技能",
        "务工状况",
        "务工月数",
        "医保",
        "大病保险",
        "养老保险",
        "低保",
        "特困",
    ],
    "收入测算表": [
        "工资性收入",
        "生产经营性收入",
        "资产收益扶贫分红",
        "其他财产性收入",
        "计划生育金",
        "低保金",
        "特困供养金",
        "养老保险金",
        "生态补偿金",
        "两项补贴",
        "其他转移性收入",
        "生产经营性支出",
        "纯收入",
        "人均纯收入",
        "贫困线",
        "是否达标",
    ],
    "低保月发放表": [
        "乡镇",
        "村",
        "户主",
        "身份证",
        "保障人数",
        "类别",
        "档次",
        "月人均收入",
        "月低保金",
        "分类施保金",
        "合计",
        "开户行",
        "账号",
        "纳入时间",
        "是否建档立卡",
    ],
    "低保增减变动表": ["变动类型", "变动月", "原金额", "新金额", "原因"],
    "渐退台账": [
        "类别",
        "户主",
        "身份证",
        "建档立卡",
        "原金额",
        "渐退起",
        "渐退止",
        "月数",
        "每月金额",
        "到期提醒",
        "结果",
    ],
    "特困供养台账": ["供养方式", "自理能力", "基本生活费", "护理费"],
    "残疾人两项补贴台账": ["残疾证号", "类别", "等级", "生活补贴", "护理补贴"],
    "教育资助台账": ["学生", "学段/年级", "学校", "资助项目", "金额"],
    "健康扶贫台账": ["慢病/大病", "家庭医生签约", "住院费用", "自付", "扶助"],
    "危房改造台账": ["危房等级", "改造方式", "开工日期", "竣工日期", "补助金额"],
    # issue 25's columns (domain.md#ledger-12: 类别, 风险, 识别途径/时间, 措施, 风险消除)
    "防返贫监测台账": [
        "户编号",
        "户主",
        "监测类别",
        "风险类型",
        "识别方式",
        "纳入日期",
        "认定用时（天）",
        "帮扶措施",
        "风险消除日期",
        "状态",
    ],  # fmt: skip
    "村级汇总": ["户数", "人数", "未脱贫人数", "贫困发生率", "达标"],
    "帮扶力量台账": ["类别", "姓名", "工作单位", "第一书记"],
}


def totals_row(sheet):
    """The 合计 row under the table."""
    return next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "合计")


def read(path_or_bytes):
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return openpyxl.load_workbook(source, read_only=False)


def data_rows(sheet):
    """Rows under the title (1) and header (2), without the totals, note and signature rows."""
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if any(v not in (None, "") for v in r)]
    if rows and rows[-1][0] == "制表人：":
        rows = rows[:-1]
    if rows and (rows[-1][0] == "合计" or str(rows[-1][0]).startswith("本期无数据：")):
        rows = rows[:-1]
    return rows


@pytest.fixture
def registry(village_a, village_b):
    """Two townships of one county, with members, incomes, helpers and a work team."""
    stored = {"review_state": "verified"}  # the ledgers hold the approved register (scenario 34)
    a = [
        household_with_members(3, village=village_a, bank_account="6217001234567890123", **stored)
        for _ in range(3)
    ]
    b = [household_with_members(2, village=village_b, **stored) for _ in range(2)]
    a[0].danger_level = "D"
    a[0].save()
    for h in a + b:
        IncomeYearFactory(household=h)
    MemberFactory(
        household=a[1],
        relation="other",
        name='=HYPERLINK("http://x","点")',
        member_status=MemberStatus.NORMAL,
    )
    MemberFactory(
        household=a[2], relation="son", member_status=MemberStatus.MOVED_OUT, status_date=dt.date(2019, 1, 1)
    )
    HelperAssignmentFactory(household=a[0], helper__county=village_a.parent.parent)
    HelperAssignmentFactory(household=b[0], helper__county=village_a.parent.parent)
    team = WorkTeam.objects.create(village=village_a, dispatching_unit="县财政局", start=dt.date(2018, 1, 1))
    WorkTeamMember.objects.create(team=team, name="王书记", unit="县财政局", is_first_secretary=True)
    # Programs: two students (a[0]), a chronic patient and a mental disability (a[1]), and b[0]
    # flagged for 防返贫监测 with a measure; then the real rules store their decisions.
    MemberFactory(household=a[0], relation="son", name="学生甲", school_status="grade_8", boarding=True)
    MemberFactory(
        household=a[0], relation="daughter", name="学生乙", school_status="vocational_1", sex="female"
    )
    MemberFactory(household=a[1], relation="son", name="病人甲", health="chronic")
    MemberFactory(household=a[1], relation="son", name="病人乙", disability_type="mental", disability_grade=2)
    watched = episode(b[0], category="edge_vulnerable", risk_types=("employment",))
    episode(a[2], category="sudden_hardship", eliminated_on=dt.date(2021, 5, 1))
    AssistanceMeasure.objects.create(
        household=b[0], kind="employment", content="公益岗位", date=dt.date(2019, 5, 1),
        responsible_unit="镇", monitoring_record=watched, risk_type="employment",
    )  # fmt: skip
    for h in a + b:
        evaluate_household(household=h, as_of=dt.date(2021, 6, 30), approved_only=False)
    return {"a": a, "b": b}


def export(user, key=COUNTY_WORKBOOK_KEY, **kwargs):
    outcome = start_export(user=user, key=key, **kwargs)
    assert outcome.job is None
    with open(outcome.path, "rb") as handle:
        return read(handle.read())


def test_scenario_26_county_workbook_has_14_sheets_headers_and_row_counts(registry, county_admin):
    book = export(county_admin)
    assert book.sheetnames == [ledger.sheet_name for ledger in COUNTY_WORKBOOK]
    assert len(book.sheetnames) == 14
    for name, expected in SPEC_HEADERS.items():
        headers = [c.value for c in book[name][2]]
        missing = [h for h in expected if h not in headers]
        assert not missing, (name, missing)
        assert "导出时间" in book[name]["A1"].value
        assert book[name].freeze_panes == "A3"
    active_members = Member.objects.filter(member_status=MemberStatus.NORMAL)
    assert len(data_rows(book["建档立卡户花名册"])) == Household.objects.count() == 5
    assert len(data_rows(book["人口明细"])) == active_members.count() == 18
    assert len(data_rows(book["收入测算表"])) == IncomeYear.objects.count() == 5
    assert (
        len(data_rows(book["危房改造台账"]))
        == Household.objects.filter(danger_level__in=["C", "D"]).count()
        == 1
    )
    assert len(data_rows(book["村级汇总"])) == 2
    helpers = HelperAssignment.objects.values("helper").distinct().count()
    assert len(data_rows(book["帮扶力量台账"])) == helpers + WorkTeamMember.objects.count() == 3
    # Program ledgers: rows and totals match the stored decisions.
    results = EligibilityResult.objects.filter(eligible=True)
    education = data_rows(book["教育资助台账"])
    students = active_members.exclude(school_status__in=["not_in_school", "preschool"]).filter(
        household__in=results.filter(program="education").values("household")
    )
    assert len(education) == students.count() == 2
    assert {row[3] for row in education} == {"学生甲", "学生乙"}
    assert all(row[8] > 0 and "元/年" in row[7] for row in education)
    education_total = sum(r.annual_amount for r in results.filter(program="education"))
    assert totals_row(book["教育资助台账"])[8] == education_total
    health = data_rows(book["健康扶贫台账"])
    patients = active_members.filter(
        Q(health__in=["chronic", "serious"]) | Q(disability_type="mental"),
        household__in=results.filter(program="medical").values("household"),
    )
    assert len(health) == patients.count() == 2
    assert {row[3]: row[5] for row in health} == {"病人甲": "长期慢性病", "病人乙": "精神残疾"}
    medical_total = sum(r.annual_amount for r in results.filter(program="medical"))
    assert medical_total > 0
    assert totals_row(book["健康扶贫台账"])[13] == medical_total
    monitoring = data_rows(book["防返贫监测台账"])
    assert len(monitoring) == MonitoringRecord.objects.filter(decision="included").count() == 2
    by_no = {row[3]: row for row in monitoring}
    watched, eliminated = by_no[registry["b"][0].household_no], by_no[registry["a"][2].household_no]
    assert (watched[5], watched[6], watched[7]) == ("边缘易致贫户", "因务工就业不稳", "干部走访排查")
    assert (watched[9], watched[10], watched[12]) == (7, "公益岗位", "监测对象（风险未消除）")
    assert (eliminated[5], eliminated[12]) == ("突发严重困难户", "监测对象（风险已消除）")
    for name in ("教育资助台账", "健康扶贫台账", "防返贫监测台账"):
        assert "仅输出表头" not in book[name]["A1"].value
    # Totals where sums make sense.
    total = totals_row(book["村级汇总"])
    assert total[0] == "合计"
    assert total[4] == 5
    assert total[5] == 18


def test_township_export_holds_only_that_township(registry, township_reviewer_a, village_a):
    book = export(township_reviewer_a)
    roster = data_rows(book["建档立卡户花名册"])
    expected = set(Household.objects.filter(village=village_a).values_list("household_no", flat=True))
    assert {row[5] for row in roster} == expected
    assert {row[2] for row in roster} == {"西丰镇"}
    people = data_rows(book["人口明细"])
    assert {row[0] for row in people} <= expected
    assert len(people) == Member.objects.filter(household__village=village_a, member_status="normal").count()
    assert [row[1] for row in data_rows(book["村级汇总"])] == ["甲村"]
    helper_rows = data_rows(book["帮扶力量台账"])
    assert len(helper_rows) == 2  # a[0]'s helper and the work team member, not b[0]'s helper


def test_region_outside_scope_is_refused(registry, township_reviewer_a, village_b):
    with pytest.raises(PermissionDenied):
        start_export(user=township_reviewer_a, key="roster", region_code=village_b.code)


def test_ids_are_masked_unless_the_county_asks_for_full_identity_with_a_reason(
    registry, county_admin, township_reviewer_a
):
    people = data_rows(export(county_admin, "population")["人口明细"])
    ids = [row[2] for row in people]
    assert all("********" in i for i in ids)
    full_ids = set(Member.objects.values_list("id_no", flat=True))
    assert not full_ids & set(ids)
    # The permission alone no longer unmasks: the full export is asked for, with a reason.
    township_reviewer_a.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    with pytest.raises(PermissionDenied):  # never below the county (policy: township masked)
        export(township_reviewer_a, "population", full_identity=True, reason="核对")
    with pytest.raises(ValidationError):
        export(county_admin, "population", full_identity=True, reason=" ")
    assert not AccessLog.objects.exists()
    people = data_rows(export(county_admin, "population", full_identity=True, reason="银行代发")["人口明细"])
    assert {row[2] for row in people} <= full_ids
    (log,) = AccessLog.objects.all()
    assert (log.user, log.channel, log.reason, log.rows) == (county_admin, "export", "银行代发", len(people))
    assert log.fields == "身份证号、银行账号"


def test_formula_like_text_is_neutralised(registry, county_admin):
    people = data_rows(export(county_admin, "population")["人口明细"])
    names = [row[1] for row in people]
    assert '\'=HYPERLINK("http://x","点")' in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)


def test_large_export_runs_as_a_job_with_progress_and_a_file(
    registry, county_admin, settings, django_capture_on_commit_callbacks
):
    settings.EXCEL_EXPORT_ASYNC_ROWS = 3
    settings.EXCEL_EXPORT_CHUNK_SIZE = 2
    with django_capture_on_commit_callbacks(execute=True):
        outcome = start_export(user=county_admin, key="population")
    assert outcome.job is not None
    job = ExportJob.objects.get(pk=outcome.job.pk)
    assert job.status == ExportJob.Status.DONE
    assert job.done_rows == job.total_rows == 18
    assert job.progress_percent == 100
    with job.file.open("rb") as handle:
        assert len(data_rows(read(handle.read())["人口明细"])) == 18


def test_city_supervisor_gets_summaries_only(registry, city_supervisor):
    with pytest.raises(PermissionDenied):
        start_export(user=city_supervisor, key="population")
    book = export(city_supervisor, "village_summary")
    assert len(data_rows(book["村级汇总"])) == 2


# 24 queries for 14 sheets whatever the row count: region names once, one streamed query per ledger
# (server-side cursors), the roll month, the poverty line, and one exit threshold per township.
WORKBOOK_QUERIES = 24


@pytest.mark.parametrize("n", [3, 30])
def test_county_workbook_queries_do_not_grow_with_households(
    village_a, county_admin, n, django_assert_num_queries, tmp_path
):
    for _ in range(n):
        h = household_with_members(2, village=village_a, review_state="verified")
        IncomeYearFactory(household=h)
        HelperAssignmentFactory(household=h, helper__county=village_a.parent.parent)
    ctx = export_context(user=county_admin)
    county_admin.has_perm("households.view_full_identity")  # load the permission cache first
    with django_assert_num_queries(WORKBOOK_QUERIES):
        counts = write_workbook(str(tmp_path / "x.xlsx"), key=COUNTY_WORKBOOK_KEY, ctx=ctx)
    assert counts["建档立卡户花名册"] == n
