"""The documents offices post and sign, as data for print-ready pages: a village's 公示 list and a
低保 case's 审批表. Reads only, in the user's scope; ID numbers are always masked (both go on paper
that leaves the system: the 公示 on a village notice board, the 审批表 in a paper file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from assistance import integration
from assistance.amounts import case_amount
from assistance.models import DibaoCase
from core import scoping
from core.choices import Role
from core.idcard import mask_id
from core.models import Region
from core.workflow.choices import PublicitySubject, WorkflowAction
from core.workflow.models import Publicity, WorkflowEvent
from households.choices import Relation
from households.models import Household, Member

OBJECTION_PHONE_KEY = "publicity.objection_phone"
SUBJECT_TITLES = {
    PublicitySubject.DIBAO: "农村最低生活保障拟保障对象",
    PublicitySubject.EXIT: "贫困户拟退出",
    PublicitySubject.IDENTIFY: "贫困户识别",
}


@dataclass(frozen=True)
class PublicityRow:
    number: int
    subject: str
    head: str
    masked_id: str
    persons: int
    monthly_amount: Decimal | None  # 低保: the amount the case would be paid; others: none


@dataclass(frozen=True)
class PublicitySheet:
    village: Region
    title: str
    start: dt.date | None
    end: dt.date | None
    places: list[str]
    objection_phone: str
    rows: list[PublicityRow]

    @property
    def total_amount(self) -> Decimal:
        return sum((r.monthly_amount or Decimal("0")) for r in self.rows)


def _head(household) -> Member | None:
    members = list(household.members.all())
    return next((m for m in members if m.relation == Relation.HEAD), members[0] if members else None)


def objection_phone(region_code: str, as_of: dt.date) -> str:
    """The 监督电话 of the village's county or township, a dated text parameter; blank when not set
    (the sheet then leaves a line to write it in)."""
    try:
        return str(integration.param(OBJECTION_PHONE_KEY, region_code=region_code, as_of=as_of) or "")
    except ValidationError:  # ParameterMissing included
        return ""


def publicity_sheet(*, user, village_code: str, on: dt.date) -> PublicitySheet | None:
    """The 公示 of one village running on `on`: who is publicised for what, with the 低保 amount."""
    village = scoping.scoped(Region.objects.filter(code=village_code), user).first()
    if village is None:
        return None
    publicities = list(
        scoping.scoped(Publicity.objects.all(), user).filter(
            region_code=village_code, start__lte=on, end__gte=on
        )
    )
    # The chain keeps a household's id; the households, with their members, in one query more.
    members = Prefetch("members", queryset=Member.objects.order_by("id"))
    ids = {p.household_id for p in publicities if p.household_id}
    households = Household.objects.prefetch_related(members).in_bulk(ids)

    def household_no(publicity) -> str:
        return households[publicity.household_id].household_no if publicity.household_id else ""

    publicities.sort(key=lambda p: (p.subject_kind, household_no(p), p.pk))
    case_ids = [p.record_id for p in publicities if p.record_kind == integration.WORKFLOW_KIND]
    cases = DibaoCase.objects.in_bulk(case_ids)
    rows = []
    for number, publicity in enumerate(publicities, start=1):
        household = households.get(publicity.household_id)
        head = _head(household) if household is not None else None
        persons = len([m for m in household.members.all() if m.is_active]) if household else 0
        amount = None
        case = cases.get(publicity.record_id) if publicity.record_kind == integration.WORKFLOW_KIND else None
        if case is not None:
            amount = case.monthly_amount
            persons = case.covered_persons or persons
            if not case.computed_at:  # not confirmed yet: the amount it would get now
                try:
                    calc = case_amount(case, as_of=publicity.start)
                except ValidationError:  # not computable yet (not approved, a parameter missing)
                    amount = None
                else:
                    amount, persons = calc.amount.total, calc.amount.covered_persons
        rows.append(
            PublicityRow(
                number=number,
                subject=publicity.get_subject_kind_display(),
                head=head.name if head else "",
                masked_id=mask_id(head.id_no) if head else "",
                persons=persons,
                monthly_amount=amount,
            )
        )
    kinds = list(dict.fromkeys(p.subject_kind for p in publicities))
    subjects = "、".join(SUBJECT_TITLES.get(k, PublicitySubject(k).label) for k in kinds) or "公示"
    return PublicitySheet(
        village=village,
        title=f"{village.name}{subjects}名单公示",
        start=min((p.start for p in publicities), default=None),
        end=max((p.end for p in publicities), default=None),
        places=list(dict.fromkeys(p.place for p in publicities)),
        objection_phone=objection_phone(village_code, on),
        rows=rows,
    )


@dataclass(frozen=True)
class MemberLine:
    name: str
    relation: str
    sex: str
    birth_date: dt.date
    masked_id: str
    health: str
    labor: str
    covered: bool


@dataclass(frozen=True)
class Opinion:
    level: str
    text: str
    who: str
    on: dt.date | None


@dataclass(frozen=True)
class ApprovalForm:
    case: DibaoCase
    address: str
    head: MemberLine | None
    members: list[MemberLine]
    visits: list
    opinions: list[Opinion]
    publicity: Publicity | None
    classified: list[dict] = field(default_factory=list)


def _opinion(events, level: str, roles: set[str]) -> Opinion:
    event = next((e for e in reversed(events) if e.actor_role in roles), None)
    if event is None:
        return Opinion(level=level, text="", who="", on=None)
    who = str(event.actor) if event.actor_id else ""
    text = event.reason or WorkflowAction(event.action).label
    return Opinion(level=level, text=text, who=who, on=timezone.localdate(event.created_at))


def approval_form(*, user, case_id: int) -> ApprovalForm | None:
    """The 低保审批表 of one case in scope: applicant, family, income, checks, 公示 and each level's
    opinion (the last workflow step each level took, with its note)."""
    case = (
        scoping.scoped(DibaoCase.objects.all(), user)
        .select_related("household", "household__village", "confirmed_by")
        .prefetch_related("covered_members", "visits")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return None
    covered = {m.pk for m in case.covered_members.all()}
    lines = [
        MemberLine(
            name=m.name,
            relation=m.get_relation_display(),
            sex=m.get_sex_display(),
            birth_date=m.birth_date,
            masked_id=mask_id(m.id_no),
            health=m.get_health_display(),
            labor=m.get_labor_display(),
            covered=m.pk in covered or not covered,
        )
        for m in case.household.members.filter(member_status="normal").order_by("id")
    ]
    heads = [line for line in lines if line.relation == Relation.HEAD.label]
    events = list(
        WorkflowEvent.objects.filter(record_kind=integration.WORKFLOW_KIND, record_id=case.pk)
        .exclude(action=WorkflowAction.RETURN)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    village = case.household.village
    publicity = (
        Publicity.objects.filter(record_kind=integration.WORKFLOW_KIND, record_id=case.pk)
        .order_by("-id")
        .first()
    )
    return ApprovalForm(
        case=case,
        address=village.full_name() or village.name,
        head=heads[0] if heads else (lines[0] if lines else None),
        members=lines,
        visits=list(case.visits.all()),
        opinions=[
            _opinion(events, "村（居）民委员会意见", {Role.VILLAGE_CLERK}),
            _opinion(events, "乡镇人民政府（街道办事处）审核意见", {Role.TOWNSHIP_REVIEWER}),
            _opinion(events, "县级人民政府民政部门审批意见", {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}),
        ],
        publicity=publicity,
        classified=list(case.classified_items or []),
    )
