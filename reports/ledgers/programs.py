"""Ledgers from the stored policy decisions (programs.EligibilityResult) and the registry:
教育资助台账 and 健康扶贫台账 (domain.md#ledger-9, domain.md#ledger-10); the 防返贫监测台账 reads the
monitoring records (reports.ledgers.monitoring).

The decisions are stored per household (amount, reasons); the education and health ledgers list one
row per student / patient, so each member's items and amounts are the lines of the household's
reasons that name that member (the rules write "{name}（…）…"), and the amounts are those lines'
figures: the per-member amounts add up to the stored household amount. Columns the registry has no
source for yet (学校, 家庭医生签约, 其他报销) stay empty; the
health ledger's bill columns come from the approved 医疗救助 bills (assistance.MedicalBill).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import DecimalField, Exists, JSONField, OuterRef, Q, Subquery, Sum

from households.choices import Health, MemberStatus, SchoolStatus
from households.models import Member
from programs.models import EligibilityResult, ProgramCode
from programs.rules import education as education_rule
from programs.rules import medical as medical_rule
from reports.ledgers.base import MONEY, Col, ExportContext, Ledger, id_col, label_map

NOT_STUDENTS = (SchoolStatus.NOT_IN_SCHOOL, SchoolStatus.PRESCHOOL)
ILL = (Health.CHRONIC, Health.SERIOUS)
_AMOUNT = re.compile(r"([\d,]+\.\d{2}) 元")
_SCHOOL = label_map(SchoolStatus)
_HEALTH = label_map(Health)


def _result(program: str, field: str, *, household: str = "household", output_field=None) -> Subquery:
    qs = EligibilityResult.objects.filter(household=OuterRef(household), program_id=program)
    return Subquery(qs.values(field)[:1], output_field=output_field)


def _eligible(program: str, *, household: str = "household") -> Exists:
    return Exists(
        EligibilityResult.objects.filter(household=OuterRef(household), program_id=program, eligible=True)
    )


def member_lines(reasons: list[str] | None, name: str) -> list[str]:
    """The reason lines about one member (the rules start them with the member's name)."""
    prefixes = (f"{name}（", f"{name} ")
    return [line for line in reasons or () if line.startswith(prefixes)]


def line_amount(line: str) -> Decimal:
    found = _AMOUNT.search(line)
    return Decimal(found.group(1).replace(",", "")) if found else Decimal(0)


def _members(ctx: ExportContext, program: str):
    return ctx.approved(Member.objects.filter(member_status=MemberStatus.NORMAL), "household__").filter(
        _eligible(program)
    )


def _member_rows(queryset, program: str, *fields: str):
    """(village, 户编号, name, id_no, the household's decision reasons, *fields), in ledger order."""
    return (
        queryset.annotate(reasons=_result(program, "reasons", output_field=JSONField()))
        .order_by("household__village_id", "household__household_no", "id")
        .values_list("household__village_id", "household__household_no", "name", "id_no", "reasons", *fields)
    )


class EducationLedger(Ledger):
    """One row per student of a household whose education decision is eligible (S002 items)."""

    key = "education"
    sheet_name = "教育资助台账"
    title = "教育资助台账"
    empty_note = "已入库户中没有经测算可享受教育资助的在校生"
    columns = (
        Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("学生", 10), id_col("身份证号"),
        Col("学段/年级", 12), Col("学校", 20), Col("资助项目", 40), Col("金额", 10, MONEY, total=True),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return _members(ctx, ProgramCode.EDUCATION).exclude(school_status__in=NOT_STUDENTS)

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        qs = _member_rows(self.queryset(ctx), ProgramCode.EDUCATION, "school_status")
        loan = education_rule.LOAN.split("{name}", 1)[1].split("{", 1)[0]  # " 可申请生源地…"
        for village, number, name, id_no, reasons, school in qs.iterator(chunk_size=ctx.chunk_size):
            lines = member_lines(reasons, name)
            aid = [line for line in lines if not line.startswith(name + loan)]
            yield (
                ctx.township_name(village),
                ctx.village_name(village),
                number,
                name,
                id_no,
                _SCHOOL.get(school, school),
                "",
                "；".join(line.split("：", 1)[-1] for line in aid) or "；".join(lines),
                sum((line_amount(line) for line in aid), Decimal(0)),
            )


BILL_SUMS = {
    "bill_cost": "total_cost",
    "bill_basic": "basic_insurance_paid",
    "bill_critical": "critical_insurance_paid",
    "bill_aid": "assistance_amount",
    "bill_oop": "out_of_pocket",
}


def _bill_sums(year: int) -> dict[str, Subquery]:
    """The member's 医疗救助 bills the county approved in the ledger's year, summed per column."""
    from assistance.choices import MedicalBillStatus
    from assistance.models import MedicalBill

    bills = MedicalBill.objects.filter(
        member=OuterRef("pk"), status=MedicalBillStatus.APPROVED, bill_date__year=year
    ).order_by()
    money = DecimalField(max_digits=14, decimal_places=2)
    return {
        name: Subquery(bills.values("member").annotate(t=Sum(field)).values("t")[:1], output_field=money)
        for name, field in BILL_SUMS.items()
    }


class HealthLedger(Ledger):
    """One row per member with a chronic or serious illness or a mental disability, in a household
    whose 慢病/大病医疗扶助 decision is eligible; 扶助 = that member's amount in the decision. The bill
    columns sum the member's approved 医疗救助 bills of the year (住院费用 = their total cost, all
    kinds; 自付 = self-pay left after 医疗救助)."""

    key = "health"
    sheet_name = "健康扶贫台账"
    title = "健康扶贫台账"
    empty_note = "已入库户中没有经测算可享受医疗扶助的慢病、大病或精神残疾人员"
    columns = (
        Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("姓名", 10), id_col("身份证号"),
        Col("慢病/大病", 10), Col("家庭医生签约", 10), Col("住院费用", 11, MONEY, total=True),
        Col("基本医保报销", 11, MONEY, total=True), Col("大病保险报销", 11, MONEY, total=True),
        Col("医疗救助", 11, MONEY, total=True), Col("其他报销", 11, MONEY, total=True),
        Col("自付", 11, MONEY, total=True), Col("扶助", 11, MONEY, total=True),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return _members(ctx, ProgramCode.MEDICAL).filter(Q(health__in=ILL) | Q(disability_type="mental"))

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        sums = _bill_sums(ctx.as_of.year)
        qs = _member_rows(
            self.queryset(ctx).annotate(**sums), ProgramCode.MEDICAL, "health", "disability_type", *sums
        )
        mental = "精神残疾"
        for village, number, name, id_no, reasons, health, disability, *bills in qs.iterator(
            chunk_size=ctx.chunk_size
        ):
            cost, basic, critical, aid, oop = bills
            kinds = [_HEALTH[health]] if health in medical_rule.HEALTH_NAMES else []
            if disability == "mental":
                kinds.append(mental)
            lines = member_lines(reasons, name)
            yield (
                ctx.township_name(village), ctx.village_name(village), number, name, id_no,
                "、".join(kinds), "", cost, basic, critical, aid, None,
                None if oop is None else oop - aid,
                sum((line_amount(line) for line in lines), Decimal(0)),
            )  # fmt: skip
