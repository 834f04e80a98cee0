"""Village import: template, preview with every problem by row and column, all-or-nothing load."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import ReviewState
from core.idcard import make_id
from households.excel import loading, validation
from households.excel.services import confirm_batch, import_file, plan_upload, preview_upload
from households.excel.template import CODES_SHEET, DATA_SHEET, build_template
from households.models import Household, ImportBatch, IncomeYear, Member
from tests.excel.helpers import csv_bytes, member_row, workbook_bytes
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

V = "211223100001"  # village_a


def ids(n, *, start=0):
    return [
        make_id("211223", dt.date(1980, 1, 1) + dt.timedelta(days=start + i), i % 100, male=True)
        for i in range(n)
    ]


def family(no, id_list, village=V):
    head, *rest = id_list
    rows = [
        member_row(
            village,
            no,
            "户主" + no,
            head,
            "户主",
            工资性收入=3000,
            收入年度起="2018-10-01",
            收入年度止="2019-09-30",
        )
    ]
    rows += [member_row(village, no, f"子{i}", i_d, "之子") for i, i_d in enumerate(rest)]
    return rows


def counts():
    return (Household.objects.count(), Member.objects.count(), IncomeYear.objects.count())


def errors_of(plan):
    return {(e.row, e.column): e.message for e in plan.errors}


def test_template_has_headers_dropdowns_and_an_example_that_imports(clerk_a):
    data = build_template()
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    assert sheet["A1"].value.startswith("建档立卡户信息导入模板")
    headers = [c.value for c in sheet[2]]
    assert "身份证号*" in headers
    assert "主要致贫原因*" in headers
    assert "与户主关系*" in headers
    sources = {str(dv.formula1) for dv in sheet.data_validations.dataValidation}
    assert any(CODES_SHEET in s for s in sources)
    assert len(sheet.data_validations.dataValidation) >= 15
    codes = [c.value for c in book[CODES_SHEET]["A"]]
    assert "因病" in " ".join(str(v) for row in book[CODES_SHEET].iter_rows(values_only=True) for v in row)
    assert codes[0]
    # The example row (village_a's code, the spec's sample ID) passes validation for clerk_a.
    plan = plan_upload(data=data, filename="模板.xlsx", user=clerk_a)
    assert plan.errors == []
    assert plan.data_rows == 1


def test_clean_file_imports_as_drafts_created_by_the_importer(clerk_a):
    rows = family("A001", ids(3)) + family("A002", ids(2, start=10))
    preview = preview_upload(data=workbook_bytes(rows), filename="甲村.xlsx", user=clerk_a)
    assert preview.plan.ok
    assert preview.batch is not None
    assert counts() == (0, 0, 0)  # preview writes nothing but the batch
    result = confirm_batch(batch=preview.batch, user=clerk_a)
    assert result == {"households": 2, "members": 5, "incomes": 2}
    assert counts() == (2, 5, 2)
    household = Household.objects.get(household_no="A001")
    assert household.review_state == ReviewState.DRAFT
    assert household.created_by == clerk_a
    assert household.main_cause == "illness"
    head = household.members.get(relation="head")
    assert head.sex == "male"
    assert head.birth_date == dt.date(1980, 1, 1)
    assert ImportBatch.objects.get().status == ImportBatch.Status.IMPORTED
    with pytest.raises(ValidationError):
        confirm_batch(batch=preview.batch, user=clerk_a)
    assert counts() == (2, 5, 2)


def test_preview_lists_every_problem_by_row_and_column(clerk_a, village_b):
    good = ids(12)
    bad_checksum = good[1][:-1] + ("0" if good[1][-1] != "0" else "1")
    rows = [
        member_row(V, "B001", "甲", good[0]),  # row 3
        member_row(V, "B001", "乙", bad_checksum, "配偶"),  # row 4: checksum
        member_row(V, "B001", "丙", "110105194902301234", "之子"),  # row 5: date
        member_row(V, "B001", "丁", good[0], "之女"),  # row 6: same ID twice
        member_row(village_b.code, "B002", "戊", good[2]),  # row 7: village out of scope
        member_row(V, "B003", "己", good[3], 民族="火星族", 主要致贫原因="因懒"),  # row 8: codes
        member_row(V, "B004", "庚", good[4], "之子"),  # row 9: no head
        member_row(V, "B005", "辛", good[5]),  # row 10
        member_row(V, "B005", "壬", good[6]),  # row 11: second head
        member_row(
            V, "B006", "癸", good[7], 工资性收入="三千", 收入年度起="2019-02-30", 收入年度止="2019-09-30"
        ),
        member_row(V, "B007", "子", 360426199101010071),  # row 13: ID stored as a number
    ]
    plan = plan_upload(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    found = errors_of(plan)
    assert "校验码错误" in found[(4, "身份证号")]
    assert "1949-02-30 不是有效日期" in found[(5, "身份证号")]
    assert "重复出现（第 3 行已填写）" in found[(6, "身份证号")]
    assert "不在您的管辖范围内" in found[(7, "村代码")]
    assert "“火星族”不在“民族”代码表中" in found[(8, "民族")]
    assert "“因懒”不在“主要致贫原因”代码表中" in found[(8, "主要致贫原因")]
    assert "没有户主" in found[(9, "与户主关系")]
    assert "有 2 名户主" in found[(11, "与户主关系")]
    assert "“三千”不是数字" in found[(12, "工资性收入")]
    assert "“2019-02-30”不是有效日期" in found[(12, "收入年度起")]
    assert "以数字格式保存" in found[(13, "身份证号")]
    assert all(e.letter for e in plan.errors)
    assert counts() == (0, 0, 0)
    preview = preview_upload(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    # Kept only for its error report: 校验未通过, never confirmable, nothing imported.
    assert ImportBatch.objects.get() == preview.batch
    assert preview.batch.status == ImportBatch.Status.REJECTED
    assert preview.batch.summary == {"errors": len(plan.errors)}
    with pytest.raises(ValidationError):
        confirm_batch(batch=preview.batch, user=clerk_a)
    assert counts() == (0, 0, 0)


def test_id_already_active_elsewhere_is_reported(clerk_a, village_b):
    existing = MemberFactory(household__village=village_b)
    plan = plan_upload(
        data=workbook_bytes([member_row(V, "C001", "甲", existing.id_no)]), filename="x.xlsx", user=clerk_a
    )
    # Another township's household: the clerk learns only that the person is registered elsewhere.
    assert errors_of(plan)[(3, "身份证号")] == validation.ID_ACTIVE_ELSEWHERE


def test_household_number_taken_in_county(clerk_a, village_a):
    MemberFactory(household__village=village_a, household__household_no="D001")
    plan = plan_upload(
        data=workbook_bytes([member_row(V, "D001", "甲", ids(1)[0])]), filename="x.xlsx", user=clerk_a
    )
    assert "本县已有户编号为 D001" in errors_of(plan)[(3, "户编号")]


def test_household_columns_that_disagree_within_a_household(clerk_a):
    a, b = ids(2)
    rows = [
        member_row(V, "E001", "甲", a, 联系电话="13800000001"),
        member_row(V, "E001", "乙", b, "配偶", 联系电话="139"),
    ]
    plan = plan_upload(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    assert "各行的“联系电话”不一致" in errors_of(plan)[(4, "联系电话")]


def test_chinese_labels_and_slugs_map_to_codes_and_sex_is_checked(clerk_a):
    a, b = ids(2)
    rows = [
        member_row(
            V, "F001", "甲", a, 民族="回", 文化程度="junior", 残疾类别="肢体", 残疾等级="二级", 危房等级="D级"
        ),
        member_row(V, "F001", "乙", b, "配偶", 性别="女"),
    ]
    plan = plan_upload(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    assert "性别与身份证号码不符" in errors_of(plan)[(4, "性别")]
    first = plan.households[0]
    assert first.fields["danger_level"] == "D"
    member = next(plan.member_dicts(first))
    assert member["ethnicity"] == "03"
    assert member["disability_grade"] == 2


def test_csv_in_gbk_and_utf8_bom_with_apostrophes_and_fullwidth_digits(clerk_a):
    a, b = ids(2)
    fullwidth = a.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [member_row(V, "G001", " 甲 ", "'" + fullwidth), member_row(V, "G001", "乙", f" '{b} ", "配偶")]
    for encoding in ("gbk", "gb18030", "utf-8-sig", "utf-8"):
        plan = plan_upload(data=csv_bytes(rows, encoding=encoding), filename="x.csv", user=clerk_a)
        assert plan.errors == [], encoding
        assert [m["id_no"] for m in plan.member_dicts(plan.households[0])] == [a, b]
        assert next(plan.member_dicts(plan.households[0]))["name"] == "甲"


def test_scientific_notation_id_in_csv_is_a_clear_error(clerk_a):
    plan = plan_upload(
        data=csv_bytes([member_row(V, "H001", "甲", "3.60426E+17")]), filename="x.csv", user=clerk_a
    )
    assert "以数字格式保存" in errors_of(plan)[(2, "身份证号")]


def test_title_row_blank_rows_and_trailing_notes_are_skipped(clerk_a):
    a, b = ids(2)
    rows = [
        member_row(V, "J001", "甲", a),
        {},
        {},
        member_row(V, "J001", "乙", b, "配偶"),
        {},
        {"村代码": "填表人：张三"},
    ]
    plan = plan_upload(
        data=workbook_bytes(rows, title="西丰镇甲村2019年建档立卡户"), filename="x.xlsx", user=clerk_a
    )
    assert plan.errors == []
    assert plan.data_rows == 2
    assert plan.skipped_rows == 1
    assert plan.header_row == 2


def test_xls_from_older_excel_is_read(clerk_a):
    from pathlib import Path

    data = (Path(__file__).parent / "fixtures" / "village.xls").read_bytes()
    plan = plan_upload(data=data, filename="village.xls", user=clerk_a)
    assert plan.errors == []
    assert plan.data_rows == 2


def test_all_or_nothing_when_the_load_fails_half_way(clerk_a, monkeypatch):
    rows = family("K001", ids(3))
    original = loading.copy_rows

    def failing(model, rows, **kwargs):
        if model is IncomeYear:
            raise RuntimeError("disk full")
        return original(model, rows, **kwargs)

    monkeypatch.setattr(loading, "copy_rows", failing)
    with pytest.raises(RuntimeError):
        import_file(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    assert counts() == (0, 0, 0)


def test_confirm_revalidates_against_todays_database(clerk_a, village_a):
    a, b = ids(2)
    preview = preview_upload(data=workbook_bytes(family("L001", [a, b])), filename="x.xlsx", user=clerk_a)
    MemberFactory(household__village=village_a, id_no=b)  # someone registered b meanwhile
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        confirm_batch(batch=preview.batch, user=clerk_a)
    assert "重新校验发现 1 处问题" in excinfo.value.messages[0]
    assert counts() == before


def test_roles_that_do_not_enter_households_cannot_import(county_admin):
    with pytest.raises(PermissionDenied):
        plan_upload(data=workbook_bytes(family("M001", ids(1))), filename="x.xlsx", user=county_admin)


@pytest.mark.parametrize("n", [3, 30])
def test_validation_queries_do_not_grow_with_rows(clerk_a, n, django_assert_num_queries):
    rows = []
    id_list = ids(n * 2)
    for i in range(n):
        rows += family(f"N{i:03d}", id_list[2 * i : 2 * i + 2])
    data = workbook_bytes(rows)
    with django_assert_num_queries(3):
        plan = plan_upload(data=data, filename="x.xlsx", user=clerk_a)
    assert plan.ok


def test_import_writes_one_insert_event_per_row_under_the_batch_context(clerk_a):
    """COPY runs with the row triggers off; the same pghistory events are written in bulk after it."""
    MemberEvent, HouseholdEvent = Member.pgh_event_model, Household.pgh_event_model
    IncomeYearEvent = IncomeYear.pgh_event_model
    rows = family("P001", ids(3)) + family("P002", ids(2, start=10))
    preview = preview_upload(data=workbook_bytes(rows), filename="x.xlsx", user=clerk_a)
    confirm_batch(batch=preview.batch, user=clerk_a)
    member_ids = set(Member.objects.values_list("id", flat=True))
    events = MemberEvent.objects.filter(pgh_label="insert")
    assert sorted(events.values_list("pgh_obj_id", flat=True)) == sorted(member_ids)  # once each
    head = Member.objects.get(household__household_no="P001", relation="head")
    event = events.get(pgh_obj_id=head.pk)
    assert (event.name, event.id_no, event.household_id) == (head.name, head.id_no, head.household_id)
    assert event.pgh_context.metadata["source"] == "excel_import"
    assert event.pgh_context.metadata["import_batch"] == preview.batch.pk
    assert HouseholdEvent.objects.filter(pgh_label="insert").count() == 2
    assert IncomeYearEvent.objects.filter(pgh_label="insert").count() == 2


@pytest.mark.parametrize("piece_rows", [1, 2, 3])
def test_xlsx_read_in_pieces_gives_the_rows_and_numbers_of_the_whole_sheet(clerk_a, monkeypatch, piece_rows):
    """The sheet is cut into small workbooks at </row>: blank rows across a cut, errors keep their
    Excel row numbers and the same households come out as from one piece."""
    from core.excel import parsing

    id_list = ids(6)
    rows = family("Q001", id_list[:3]) + [{}, {}] + family("Q002", id_list[3:5]) + [{}]
    rows += [member_row(V, "Q003", "丙", "110101199003071234")]  # a bad checksum on the last row
    data = workbook_bytes(rows, title="西丰镇甲村")
    whole = plan_upload(data=data, filename="x.xlsx", user=clerk_a)
    monkeypatch.setattr(parsing, "PIECE_ROWS", piece_rows)
    pieces = plan_upload(data=data, filename="x.xlsx", user=clerk_a)
    assert [(e.row, e.column, e.message) for e in pieces.errors] == [
        (e.row, e.column, e.message) for e in whole.errors
    ]
    assert [e.row for e in pieces.errors] == [11]  # title, header, 3 + 2 blank + 2 + 1 blank, then it
    assert pieces.data_rows == whole.data_rows == 6
    assert [(h.household_no, len(h.members)) for h in pieces.households] == [
        ("Q001", 3),
        ("Q002", 2),
        ("Q003", 1),
    ]


def test_financial_assets_import_with_their_check_source_and_date(clerk_a):
    """Issue 23: the income year's financial assets (R7 asset test) come with where and when they
    were checked; assets without them are refused by column."""
    checked = family("A001", ids(2))
    checked[0].update(家庭金融资产=52000, 资产核对来源="银行核对", 资产核对日期="2019-09-20")
    unchecked = family("A002", ids(2, start=10))
    unchecked[0].update(家庭金融资产=8000)
    plan = plan_upload(data=workbook_bytes(checked + unchecked), filename="甲村.xlsx", user=clerk_a)
    assert {column for (_row, column) in errors_of(plan)} == {"资产核对来源", "资产核对日期"}
    assert set(errors_of(plan).values()) == {
        "填写了家庭金融资产，请选择资产核对来源", "填写了家庭金融资产，请填写资产核对日期",
    }  # fmt: skip

    preview = preview_upload(data=workbook_bytes(checked + family("A002", ids(2, start=10))),
                             filename="甲村.xlsx", user=clerk_a)  # fmt: skip
    confirm_batch(batch=preview.batch, user=clerk_a)
    income = IncomeYear.objects.get(household__household_no="A001")
    assert (income.financial_assets, income.assets_source, income.assets_checked_on) == (
        52000,
        "bank",
        dt.date(2019, 9, 20),
    )
    assert IncomeYear.objects.get(household__household_no="A002").financial_assets is None  # not checked
