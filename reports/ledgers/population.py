"""人口明细 (domain.md#ledger-2): one row per active member, the largest ledger (300,000 rows)."""

from __future__ import annotations

from collections.abc import Iterator

from households.choices import (
    ETHNICITY_CHOICES,
    DisabilityGrade,
    DisabilityType,
    Education,
    Health,
    Labor,
    MemberStatus,
    PovertyAttribute,
    Relation,
    SchoolStatus,
    Sex,
    WorkStatus,
)
from households.models import Member
from reports.ledgers.base import INT, Col, ExportContext, Ledger, id_col, label_map

# 低保/特困 columns follow the household's 贫困户属性 (R18 keeps it in step with the cases).
DIBAO_ATTRIBUTES = frozenset(
    {PovertyAttribute.DIBAO, PovertyAttribute.DIBAO_TEKUN, PovertyAttribute.DIBAO_EXITED}
)
TEKUN_ATTRIBUTES = frozenset(
    {PovertyAttribute.TEKUN, PovertyAttribute.DIBAO_TEKUN, PovertyAttribute.TEKUN_EXITED}
)

FIELDS = (
    "household__household_no",
    "name",
    "id_no",
    "relation",
    "sex",
    "birth_date",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "disability_type",
    "disability_grade",
    "labor",
    "work_status",
    "work_months",
    "in_medical_ins",
    "in_critical_ins",
    "in_pension",
    "household__attribute",
)


class PopulationLedger(Ledger):
    key = "population"
    sheet_name = "人口明细"
    title = "人口明细"
    empty_note = "所选区划没有已入库户的在册人口"
    columns = (
        Col("户编号", 14),
        Col("姓名", 10),
        id_col("身份证"),
        Col("与户主关系", 10),
        Col("性别", 5),
        Col("年龄", 5, INT),
        Col("民族", 8),
        Col("文化程度", 12),
        Col("在校生状况", 12),
        Col("健康状况", 12),
        Col("残疾类别/等级", 12),
        Col("劳动技能", 12),
        Col("务工状况", 16),
        Col("务工月数", 8, INT),
        Col("医保", 5),
        Col("大病保险", 8),
        Col("养老保险", 8),
        Col("低保", 5),
        Col("特困", 5),
    )

    def queryset(self, ctx: ExportContext):
        return ctx.approved(Member.objects.filter(member_status=MemberStatus.NORMAL), "household__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        relation = label_map(Relation)
        sex = label_map(Sex)
        ethnicity = dict(ETHNICITY_CHOICES)
        education = label_map(Education)
        school = label_map(SchoolStatus)
        health = label_map(Health)
        dis_type = label_map(DisabilityType)
        dis_grade = label_map(DisabilityGrade)
        labor = label_map(Labor)
        work = label_map(WorkStatus)
        yes = {True: "是", False: "否", None: ""}
        as_of = ctx.as_of
        y, md = as_of.year, (as_of.month, as_of.day)
        qs = (
            self.queryset(ctx)
            .order_by("household__village_id", "household__household_no", "id")
            .values_list(*FIELDS)
        )
        for (number, name, id_no, rel, sx, born, eth, edu, sch, hea, dtype, dgrade, lab, wst, months, med,
             crit, pen, attribute) in qs.iterator(chunk_size=ctx.chunk_size):  # fmt: skip
            disability = f"{dis_type[dtype]}/{dis_grade.get(dgrade, '')}".rstrip("/") if dtype else ""
            yield (
                number,
                name,
                id_no,
                relation.get(rel, rel),
                sex.get(sx, sx),
                y - born.year - ((born.month, born.day) > md),
                ethnicity.get(eth, eth),
                education.get(edu, edu),
                school.get(sch, sch),
                health.get(hea, hea),
                disability,
                labor.get(lab, lab),
                work.get(wst, wst),
                months,
                yes[med],
                yes[crit],
                yes[pen],
                "是" if attribute in DIBAO_ATTRIBUTES else "否",
                "是" if attribute in TEKUN_ATTRIBUTES else "否",
            )
