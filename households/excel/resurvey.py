"""年度动态调整 (annual re-survey) round trip.

1. A county or township picks households (village, poverty status, review state) and downloads
   their current data as a fillable workbook: one row per active member, household and income
   columns repeated, plus the record keys (系统户号/系统成员号/系统收入号) and the member status.
2. The village updates it offline and uploads it. Each household's rows are compared with the
   database; a household with differences becomes one change request in the review chain
   (households.workflow.services.open_change_request), the rest are reported as unchanged.

A blank cell means "no change" (the workbook is pre-filled; clearing a value is a change to make in
the system). 村代码, 户编号 and an existing member's 身份证号 cannot change this way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core import privacy, scoping
from core.choices import RegionLevel, ReviewState
from core.excel.parsing import FILE_CORRUPT, NO_DATA_ROWS, FileRejected, SheetData, read_upload
from core.models import Region
from core.permissions import role_of
from households import selectors
from households.choices import ETHNICITY_CHOICES, MemberStatus
from households.excel.columns import (
    BOOL,
    CHOICE,
    DECIMAL,
    HOUSEHOLD,
    IDNO,
    INCOME,
    MEMBER,
    MULTI,
    REGISTRY_HEADERS,
    RESURVEY_COLUMNS,
    Column,
)
from households.excel.template import write_help, write_layout
from households.excel.validation import (
    _FACTORIES,
    _REPEATING,
    REQUIRED,
    CellError,
    RowError,
    _blank,
    _memo,
    _Sink,
    id_from_cell,
)
from households.models import Household, ImportBatch, IncomeYear, Member, ResurveyFilter

TITLE = "年度动态调整表（请核对并修改后回传；灰色列为系统编号，请勿修改）"
HELP_LINES = [
    "1. 本表由系统按所选条件导出，每行一名在册成员，户级信息和收入在同户各行重复。",
    "2. 直接修改有变化的单元格；空白单元格视为“不变”。系统按户比对，有变化的户生成变更申请进入审核。",
    "3. 新增成员：在该户下插入一行，填写系统户号、村代码、户编号和成员信息，系统成员号留空。",
    "4. 成员死亡、迁出等：修改“成员状态”并填写“状态变动日期”，不要删除该行。",
    "5. 村代码、户编号和已在册成员的身份证号不能在此修改。",
]
NO_HOUSEHOLD_KEY = "缺少系统户号：新增的户请使用“导入建档立卡户”功能"
HOUSEHOLD_UNKNOWN = "系统户号 {pk} 不存在或不在您的管辖范围内"
KEY_LOCKED = "“{column}”不能在动态调整中修改（系统中为“{old}”）"
ID_LOCKED = "已在册成员的身份证号不能在动态调整中修改（系统中为 {old}）"
MASKED_CHANGED = "遮蔽显示的“{column}”与系统不符：不修改请保留下发时的内容，修改请填写完整号码"
MASKED_NEW_MEMBER = "新增成员请填写完整的“{column}”"
FULL_REASON_REQUIRED = "导出含完整身份信息的动态调整表须填写事由"
MEMBER_UNKNOWN = "系统成员号 {pk} 不属于该户"
INCOME_UNKNOWN = "系统收入号 {pk} 不属于该户"
NOT_VERIFIED = "户编号 {household_no} 当前为“{state}”，尚未入库，不能提出变更申请；请直接在系统中修改"
CHANGE_OPEN = "户编号 {household_no} 已有未完成的变更申请，请待其审核完毕后再回传"
RESURVEY_NOT_ALLOWED = "只有村级录入员可以回传动态调整表（变更申请由村提出）"
EXPORT_NOT_ALLOWED = "只有县、乡镇可以下发动态调整表"
FILTER_NOT_VISIBLE = "该筛选条件不在您的可见范围内"
FILTER_NOT_YOURS = "只能修改自己保存的筛选条件"
FILTER_REGION_OUT_OF_SCOPE = "区划 {code} 不在您的管辖范围内"
FILTER_LEVEL = "筛选条件的区划应为乡镇或村"
RESURVEY_ROLES = ("county_admin", "township_reviewer", "system_admin")
NO_CHANGES = "文件中没有任何变化，未生成变更申请"

_HOUSEHOLD_LOCKED = ("village_id", "household_no")


@cache
def personal_columns() -> dict[str, privacy.Kind]:
    """Column key → kind for the columns holding a declared personal field (core.privacy)."""
    models_by_level = {HOUSEHOLD: Household, MEMBER: Member, INCOME: IncomeYear}
    kinds = {}
    for column in RESURVEY_COLUMNS:
        model = models_by_level.get(column.level)
        kind = privacy.personal_fields(model).get(column.key) if model is not None else None
        if kind is not None:
            kinds[column.key] = kind
    return kinds


class MaskedCell(str):
    """A cell still holding the masked value the download showed: "unchanged" if it masks the
    stored value, never a new value."""


def _is_masked(value) -> bool:
    return isinstance(value, str) and "*" in value


def _labels(column: Column) -> dict:
    if column.key == "ethnicity":
        return dict(ETHNICITY_CHOICES)
    return dict(column.choices)


# --- 1. the download ---------------------------------------------------------------------------


def resurvey_households(
    *, user, village_code: str = "", statuses: list[str] | None = None, attributes: list[str] | None = None
):
    """The households a county/township picked, inside its scope."""
    qs = selectors.households_for(user)
    if village_code:
        if not scoping.is_in_scope(user, village_code):
            raise PermissionDenied(EXPORT_NOT_ALLOWED)
        qs = qs.filter(village__code__startswith=Region.objects.get(code=village_code).prefix)
    if statuses:
        qs = qs.filter(poverty_status__in=statuses)
    if attributes:
        qs = qs.filter(attribute__in=attributes)
    return qs


# --- saved filters -----------------------------------------------------------------------------


def may_resurvey(user) -> bool:
    return role_of(user) in RESURVEY_ROLES


def saved_filters_for(user):
    """The user's own filters and those of users inside the user's scope."""
    return scoping.scoped(ResurveyFilter.objects.select_related("region"), user)


def save_filter(
    *,
    user,
    name: str,
    region_code: str = "",
    statuses=(),
    attributes=(),
    instance: ResurveyFilter | None = None,
    commit: bool = True,
) -> ResurveyFilter:
    """Save a named selection (new, or the user's own `instance`); its region must lie in the
    user's scope and be a township or village."""
    if not may_resurvey(user):
        raise PermissionDenied(EXPORT_NOT_ALLOWED)
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None or not scoping.is_in_scope(user, region_code):
            raise PermissionDenied(FILTER_REGION_OUT_OF_SCOPE.format(code=region_code))
        if region.level not in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
            raise ValidationError(FILTER_LEVEL)
    saved = instance if instance is not None else ResurveyFilter()
    if saved.owner_id is None:
        saved.owner, saved.owner_region_id = user, user.region_id
    elif saved.owner_id != user.pk:
        raise PermissionDenied(FILTER_NOT_YOURS)
    saved.name = name.strip()
    saved.region = region
    saved.statuses, saved.attributes = list(statuses), list(attributes)
    saved.full_clean()
    if commit:
        saved.save()
    return saved


def filter_selection(saved: ResurveyFilter, *, user) -> dict:
    """The selection of a filter the user may see; resurvey_households() then intersects it with
    the user's scope (a region outside it is refused), so a filter never widens a download."""
    if not saved_filters_for(user).filter(pk=saved.pk).exists():
        raise PermissionDenied(FILTER_NOT_VISIBLE)
    return {
        "village_code": saved.region_id or "",
        "statuses": list(saved.statuses),
        "attributes": list(saved.attributes),
    }


def _cell_value(column: Column, value):
    if value is None or value == "":
        return None
    if column.kind == CHOICE:
        return _labels(column).get(str(value), str(value))
    if column.kind == MULTI:
        labels = _labels(column)
        return "、".join(labels.get(v, v) for v in value) or None
    if column.kind == BOOL:
        return "是" if value else "否"
    return value


def _rows(households) -> Iterator[dict]:
    """One dict per active member with household, latest income and key values (streamed)."""
    household_fields = [c.key for c in RESURVEY_COLUMNS if c.level == HOUSEHOLD]
    income_fields = [c.key for c in RESURVEY_COLUMNS if c.level == INCOME]
    member_fields = [c.key for c in RESURVEY_COLUMNS if c.level == MEMBER]
    latest = IncomeYear.objects.filter(household=OuterRef("household")).order_by("-period_end")
    qs = (
        Member.objects.filter(household__in=households, member_status=MemberStatus.NORMAL)
        .annotate(
            income_pk=Subquery(latest.values("pk")[:1]),
            **{f"inc__{f}": Subquery(latest.values(f)[:1]) for f in income_fields},
        )
        .order_by("household__village_id", "household__household_no", "id")
        .values(
            "household_id",
            "pk",
            "income_pk",
            *member_fields,
            *[f"household__{f}" for f in household_fields],
            *[f"inc__{f}" for f in income_fields],
        )  # fmt: skip
    )
    for row in qs.iterator(chunk_size=2000):
        values = {"household_pk": row["household_id"], "member_pk": row["pk"], "income_pk": row["income_pk"]}
        values.update({f: row[f] for f in member_fields})
        values.update({f: row[f"household__{f}"] for f in household_fields})
        values.update({f: row[f"inc__{f}"] for f in income_fields})
        yield values


def build_resurvey_workbook(
    target,
    *,
    user,
    village_code: str = "",
    statuses: list[str] | None = None,
    attributes: list[str] | None = None,
    saved_filter: ResurveyFilter | None = None,
    full_identity: bool = False,
    reason: str = "",
    request=None,
) -> int:
    """Write the fillable workbook; returns the number of member rows. A saved filter replaces
    the region/status/attribute arguments. ID numbers, accounts and phones are masked by the
    policy for the user; 含完整身份信息 (a user who may reveal, with a reason) writes them in full
    and is recorded in the access log, like a ledger exported for the bank."""
    if not may_resurvey(user):
        raise PermissionDenied(EXPORT_NOT_ALLOWED)
    kinds = personal_columns()
    if full_identity:
        if not privacy.may_reveal(user, set(kinds.values())):
            raise PermissionDenied(privacy.REVEAL_FORBIDDEN)
        if not (reason or "").strip():
            raise ValidationError({"reason": FULL_REASON_REQUIRED})
    if saved_filter is not None:
        selection = filter_selection(saved_filter, user=user)
        village_code, statuses, attributes = (
            selection["village_code"],
            selection["statuses"],
            selection["attributes"],
        )
    households = resurvey_households(
        user=user, village_code=village_code, statuses=statuses, attributes=attributes
    )
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    data, title_format = write_layout(book, RESURVEY_COLUMNS, title=TITLE, rows=0)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    n = 0
    for n, values in enumerate(_rows(households), start=1):
        for c, column in enumerate(RESURVEY_COLUMNS):
            value = _cell_value(column, values.get(column.key))
            if value is not None and column.key in kinds and not full_identity:
                value = privacy.shown(user, kinds[column.key], value) or None
            if value is None:
                continue
            if isinstance(value, dt.date):
                data.write_datetime(n + 1, c, value, date_format)
            elif isinstance(value, int | float) or column.kind in (DECIMAL,):
                data.write_number(n + 1, c, value)
            else:
                data.write_string(n + 1, c, str(value))
    write_help(book, HELP_LINES, title_format)
    book.close()
    if full_identity:
        privacy.record_access(
            user=user,
            request=request,
            channel="export",
            region_code=village_code or (user.region_id or ""),
            record_kind="households.resurvey",
            record_id=None,
            subject="年度动态调整表_含完整身份信息.xlsx",
            kinds=sorted(set(kinds.values()), key=list(privacy.Kind).index),
            reason=reason.strip(),
            rows=n,
        )
    return n


# --- 2. the upload -----------------------------------------------------------------------------


@dataclass
class HouseholdDiff:
    household: Household
    changes: dict
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)  # 对象, 字段, 原值, 新值


@dataclass
class ResurveyPlan:
    changed: list[HouseholdDiff]
    unchanged: list[Household]
    errors: list[RowError]
    data_rows: int

    @property
    def ok(self) -> bool:
        return not self.errors


def _shown(column: Column, value) -> str:
    shown = _cell_value(column, value)
    return "" if shown is None else str(shown)


def _same(old, new) -> bool:
    from households.workflow.changes import dump_value

    if isinstance(old, list) or isinstance(new, list):
        return sorted(old or []) == sorted(new or [])
    return dump_value(old) == dump_value(new)


def _converters(sheet: SheetData) -> list[tuple[int, Column, object]]:
    from households.excel.columns import COLUMN_BY_KEY

    result = []
    for idx, key in sheet.columns.items():
        column = COLUMN_BY_KEY[key]
        if column.kind == IDNO:
            result.append((idx, column, None))
            continue
        convert = _FACTORIES[column.kind](column)
        if column.kind in _REPEATING:
            convert = _memo(convert)
        result.append((idx, column, convert))
    return result


def plan_resurvey(*, data: bytes, filename: str, user, today: dt.date | None = None) -> ResurveyPlan:
    if role_of(user) not in ("village_clerk",):
        raise PermissionDenied(RESURVEY_NOT_ALLOWED)
    today = today or timezone.localdate()
    sheet = read_upload(data, filename, REGISTRY_HEADERS)
    if "household_pk" not in sheet.columns.values():
        raise FileRejected(NO_HOUSEHOLD_KEY, code="missing_columns")
    sink = _MaskingSink(sheet)
    converters = _converters(sheet)
    kinds = personal_columns()
    rows_by_household: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    data_rows = 0
    seen_ids: dict[str, int] = {}
    try:
        for row_no, cells in sheet.rows:
            if all(_blank(v) for v in cells):
                continue
            data_rows += 1
            values: dict = {}
            for idx, column, convert in converters:
                value = cells[idx] if idx < len(cells) else ""
                if _blank(value):
                    continue
                if column.key in kinds and _is_masked(value):
                    values[column.key] = MaskedCell(str(value).strip())
                    continue
                try:
                    if convert is None:
                        values["id_no"], _facts = id_from_cell(value, today=today)
                    else:
                        values[column.key] = convert(value)
                except CellError as exc:
                    sink.add(row_no, column.key, exc.message, value)
            number = values.get("id_no")
            if number and not isinstance(number, MaskedCell):
                if number in seen_ids:
                    sink.add(
                        row_no,
                        "id_no",
                        f"身份证号在本文件中重复出现（第 {seen_ids[number]} 行已填写）",
                        number,
                    )
                seen_ids.setdefault(number, row_no)
            pk = values.get("household_pk")
            if pk is None:
                sink.add(row_no, "household_pk", NO_HOUSEHOLD_KEY)
                continue
            rows_by_household[pk].append((row_no, values))
    except Exception as exc:  # noqa: BLE001 - csv.Error mid-file
        if isinstance(exc, FileRejected):
            raise
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    if data_rows == 0:
        raise FileRejected(NO_DATA_ROWS.format(row=sheet.header_row), code="no_data")

    households = {
        h.pk: h
        for h in selectors.households_for(user)
        .filter(pk__in=list(rows_by_household))
        .prefetch_related("members", "incomes")
    }
    from households.workflow.choices import ChangeState
    from households.workflow.models import ChangeRequest

    open_changes = set(
        ChangeRequest.objects.filter(household_id__in=list(households))
        .exclude(state__in=[ChangeState.VERIFIED, ChangeState.WITHDRAWN])
        .values_list("household_id", flat=True)
    )
    changed, unchanged = [], []
    for pk, rows in rows_by_household.items():
        household = households.get(pk)
        first_row = rows[0][0]
        if household is None:
            sink.add(first_row, "household_pk", HOUSEHOLD_UNKNOWN.format(pk=pk), pk)
            continue
        diff = _diff_household(household, rows, sink, user=user)
        if diff.changes:
            if household.review_state != ReviewState.VERIFIED:
                state = household.get_review_state_display()
                sink.add(
                    first_row,
                    "household_no",
                    NOT_VERIFIED.format(household_no=household.household_no, state=state),
                )
            elif pk in open_changes:
                sink.add(first_row, "household_no", CHANGE_OPEN.format(household_no=household.household_no))
            changed.append(diff)
        else:
            unchanged.append(household)
    sink.errors.sort(key=lambda e: (e.row, e.letter.rjust(3)))
    return ResurveyPlan(changed=changed, unchanged=unchanged, errors=sink.errors, data_rows=data_rows)


class _MaskingSink(_Sink):
    """Error rows echo a personal column's content masked (a file may carry full values)."""

    def add(self, row: int, key: str, message: str, value: object = "") -> None:
        kind = personal_columns().get(key)
        if kind is not None and value and not _is_masked(value):
            value = privacy.mask(kind, str(value))
        super().add(row, key, message, value)


def _masked_unchanged(key: str, value, old, sink: _Sink, row_no: int) -> bool:
    """A masked cell: True when it masks the stored value (no change); otherwise an error."""
    if not isinstance(value, MaskedCell):
        return False
    if not old or value != privacy.mask(personal_columns()[key], str(old)):
        from households.excel.columns import COLUMN_BY_KEY

        sink.add(row_no, key, MASKED_CHANGED.format(column=COLUMN_BY_KEY[key].header), value)
    return True


def _diff_household(
    household: Household, rows: list[tuple[int, dict]], sink: _Sink, *, user
) -> HouseholdDiff:
    from households.excel.columns import COLUMN_BY_KEY

    kinds = personal_columns()

    def shown(column: Column, value) -> str:
        text = _shown(column, value)
        return privacy.shown(user, kinds[column.key], text) if column.key in kinds and text else text

    diff = HouseholdDiff(household=household, changes={})
    household_changes: dict = {}
    income_values: dict = {}
    income_pk = None
    members = {m.pk: m for m in household.members.all()}
    incomes = {i.pk: i for i in household.incomes.all()}
    member_rows = []
    for row_no, values in rows:
        for key, value in values.items():
            column = COLUMN_BY_KEY[key]
            if column.level == HOUSEHOLD:
                if key in _HOUSEHOLD_LOCKED:
                    old = getattr(household, key)
                    if str(value) != str(old):
                        sink.add(row_no, key, KEY_LOCKED.format(column=column.header, old=old), value)
                    continue
                old = getattr(household, key)
                if _masked_unchanged(key, value, old, sink, row_no):
                    continue
                if not _same(old, value) and key not in household_changes:
                    household_changes[key] = value
                    diff.lines.append(("户", column.header, shown(column, old), shown(column, value)))
            elif column.level == INCOME:
                income_values.setdefault(key, value)
        if values.get("income_pk"):
            income_pk = values["income_pk"]
        member_rows.append((row_no, values))
    if household_changes:
        diff.changes["household"] = household_changes
    member_changes = []
    for row_no, values in member_rows:
        member_values = {k: v for k, v in values.items() if COLUMN_BY_KEY[k].level == MEMBER}
        pk = values.get("member_pk")
        if pk is None:
            missing = [k for k in ("name", "id_no", "relation") if k not in member_values]
            for key in missing:
                sink.add(row_no, key, REQUIRED)
            for key, value in member_values.items():
                if isinstance(value, MaskedCell):
                    missing.append(key)
                    sink.add(row_no, key, MASKED_NEW_MEMBER.format(column=COLUMN_BY_KEY[key].header), value)
            if member_values and not missing:
                member_changes.append({"id": None, **member_values})
                name = member_values.get("name", "")
                diff.lines.append((f"新增成员 {name}", "全部", "", "新增"))
            continue
        member = members.get(pk)
        if member is None:
            sink.add(row_no, "member_pk", MEMBER_UNKNOWN.format(pk=pk), pk)
            continue
        number = member_values.get("id_no")
        if number and number != member.id_no and number != privacy.mask(privacy.Kind.ID_NO, member.id_no):
            old = privacy.mask(privacy.Kind.ID_NO, member.id_no)
            sink.add(row_no, "id_no", ID_LOCKED.format(old=old), number)
        delta = {}
        for key, value in member_values.items():
            if key == "id_no":
                continue
            old = getattr(member, key)
            if _masked_unchanged(key, value, old, sink, row_no):
                continue
            if not _same(old, value):
                delta[key] = value
                column = COLUMN_BY_KEY[key]
                diff.lines.append(
                    (f"成员 {member.name}", column.header, shown(column, old), shown(column, value))
                )
        if delta:
            member_changes.append({"id": pk, **delta})
    if member_changes:
        diff.changes["members"] = member_changes
    if income_values:
        income = incomes.get(income_pk) if income_pk else None
        if income_pk and income is None:
            sink.add(rows[0][0], "income_pk", INCOME_UNKNOWN.format(pk=income_pk), income_pk)
        delta = {}
        for key, value in income_values.items():
            old = getattr(income, key) if income is not None else None
            if not _same(old, value):
                delta[key] = value
                column = COLUMN_BY_KEY[key]
                diff.lines.append(("收入", column.header, shown(column, old), shown(column, value)))
        if delta:
            diff.changes["incomes"] = [{"id": income.pk if income else None, **delta}]
    return diff


def stage_resurvey(*, data: bytes, filename: str, user) -> tuple[ResurveyPlan, ImportBatch | None]:
    plan = plan_resurvey(data=data, filename=filename, user=user)
    if not plan.ok or not plan.changed:
        return plan, None
    from django.core.files.base import ContentFile

    batch = ImportBatch(
        kind=ImportBatch.Kind.RESURVEY,
        original_name=filename[:200],
        created_by=user,
        region_id=user.region_id,
        row_count=plan.data_rows,
        household_count=len(plan.changed),
        summary={"changed": len(plan.changed), "unchanged": len(plan.unchanged)},
    )
    batch.file.save(f"resurvey-{user.pk}-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(data), save=False)
    batch.save()
    return plan, batch


def confirm_resurvey(*, batch: ImportBatch, user) -> dict[str, int]:
    """One change request per changed household, all or none; unchanged households are counted."""
    from households.workflow.services import open_change_request

    if batch.created_by_id != user.pk:
        raise PermissionDenied("只能确认自己上传的批次")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ValidationError(f"该批次已处理（{batch.get_status_display()}），不能重复提交")
        with batch.file.open("rb") as handle:
            data = handle.read()
        plan = plan_resurvey(data=data, filename=batch.original_name, user=user)
        if not plan.ok:
            raise ValidationError(
                f"重新校验发现 {len(plan.errors)} 处问题，未生成任何变更申请，请重新上传预览"
            )
        if not plan.changed:
            raise ValidationError(NO_CHANGES)
        note = f"年度动态调整：{batch.original_name}"
        requests = [
            open_change_request(household=diff.household, user=user, changes=diff.changes, note=note).pk
            for diff in plan.changed
        ]
        batch.status = ImportBatch.Status.IMPORTED
        batch.summary = {
            "changed": len(requests),
            "unchanged": len(plan.unchanged),
            "change_requests": requests,
        }
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "summary", "finished_at"])
    return {"changed": len(requests), "unchanged": len(plan.unchanged)}
