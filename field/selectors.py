"""Reads of the phone pages, every one starting from scoped() (a helper's assignments, a clerk's
village). Amounts are the stored ones: a 低保 case's monthly amount is what the one calculator
(programs.rules.dibao, via assistance.amounts) stored on it, 特困 and 两项补贴 their stored standards;
nothing is computed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from assistance.choices import PAYING_STATUSES, CaseStatus
from assistance.models import AssistanceMeasure, DibaoCase, DisabilitySubsidy, TekunCase
from assistance.monitoring.choices import LeadStatus
from assistance.monitoring.models import MonitoringLead
from core import privacy
from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from households import search, visit_due, visit_proposals
from households.choices import FieldChange, MonitoringState, Relation
from households.models import Household, Member, Visit, VisitPhoto
from households.selectors import households_for
from households.workflow.choices import ChangeState
from households.workflow.models import ChangeRequest
from reports.crosscheck import home_checks
from reports.crosscheck.choices import HitStatus, Rule
from reports.crosscheck.models import Hit

PAGE_SIZE = 30
SYNC_LIMIT = 500
CARD_VISITS = 5  # visits on a household card
PHOTO_LIMIT = 300  # photos a phone keeps (field/sw.js expires the cache at the same number)
OPEN_LEAD_STATES = (LeadStatus.OPEN, LeadStatus.IN_REVIEW)


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(qs.values("household").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def _cards(user, today: dt.date) -> QuerySet:
    head = Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD).values("name")[:1]
    dibao = DibaoCase.objects.filter(household=OuterRef("pk")).order_by("-id").values("status")[:1]
    households = (
        households_for(user)
        .select_related("village")
        .only("pk", "household_no", "group_name", "monitoring_state", "village__name", "village__code")
    )
    return visit_due.with_visit_facts(households, today).annotate(
        head=Subquery(head),
        dibao_status=Subquery(dibao),
        open_leads=_count(MonitoringLead.objects.filter(household=OuterRef("pk"), status=LeadStatus.OPEN)),
        open_hits=_count(Hit.objects.filter(household=OuterRef("pk"), status=HitStatus.OPEN)),
    )


@dataclass
class Card:
    """One household on 我的帮扶户 (the names a template shows, no ids but the link)."""

    household: Any  # a Household with the card's annotations (head, last_visit, dibao_status …)
    overdue: bool

    @property
    def dibao_label(self) -> str:
        status = self.household.dibao_status
        if status in PAYING_STATUSES:
            return "低保" + CaseStatus(status).label
        if status and status not in (CaseStatus.STOPPED, CaseStatus.REFUSED):
            return "低保申请中"
        return ""

    @property
    def monitored(self) -> bool:
        return self.household.monitoring_state == MonitoringState.AT_RISK

    @property
    def tasks(self) -> int:
        return self.household.open_leads + self.household.open_hits + (1 if self.overdue else 0)


def my_households(user, *, page: int = 1, today: dt.date) -> tuple[list[Card], bool]:
    """我的帮扶户: overdue first, then by village and number; (cards, more pages?)."""
    due = visit_due.intervals(user.region_id, today)
    qs = _cards(user, today)
    start = (max(page, 1) - 1) * PAGE_SIZE
    rows = list(
        qs.annotate(overdue_now=visit_due.overdue_expr(due)).order_by(
            "-overdue_now", "village_id", "household_no"
        )[start : start + PAGE_SIZE + 1]
    )
    cards = [Card(h, h.overdue_now) for h in rows[:PAGE_SIZE]]
    return cards, len(rows) > PAGE_SIZE


PHONE_ID_TAIL = "手机上请输入身份证号后4至6位查找"


def phone_search(user, q: str) -> dict:
    """The search box of the phone pages: households.search in the user's scope (a helper: their
    households), each result linking to its household's phone card. A whole ID number is not
    searched from a phone's address bar (core.privacy keeps it out of URLs): its last digits are."""
    query = search.parse(q)
    if query.kind == search.NameKind.FULL_ID:
        return {"groups": [], "search_note": PHONE_ID_TAIL}
    if query.kind == search.NameKind.NONE:
        return {"groups": [], "search_note": search.TOO_SHORT}
    return {"groups": search.search(query, user), "search_note": ""}


def household_for(user, pk: int) -> Household | None:
    return households_for(user).select_related("village", "village__parent").filter(pk=pk).first()


@dataclass
class Policy:
    name: str
    detail: str
    monthly: object  # Decimal, stored


@dataclass
class HouseholdCard:
    household: Household
    head: Member | None
    members: list
    policies: list[Policy]
    measures: list
    visits: list
    leads: list
    hits: list
    last_visit: dt.date | None
    overdue: bool
    phone: str
    dibao_label: str = ""
    extra: dict = field(default_factory=dict)


def household_card(user, household: Household, today: dt.date) -> HouseholdCard:
    members = list(
        scoped(Member.objects.filter(household=household, member_status="normal"), user).order_by("pk")
    )
    for m in members:
        m.masked_id = privacy.shown(user, privacy.Kind.ID_NO, m.id_no)
        born = m.birth_date
        m.age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    head = next((m for m in members if m.relation == Relation.HEAD), None)
    policies: list[Policy] = []
    dibao = scoped(DibaoCase.objects.filter(household=household), user).order_by("-id").first()
    dibao_label = ""
    if dibao is not None and dibao.status in PAYING_STATUSES:
        dibao_label = "低保" + dibao.get_status_display()
        policies.append(Policy("农村低保", dibao.get_status_display(), dibao.monthly_amount))
    elif dibao is not None and dibao.status not in (CaseStatus.STOPPED, CaseStatus.REFUSED):
        dibao_label = "低保申请中"
    for case in scoped(TekunCase.objects.filter(household=household, status="active"), user).select_related(
        "member"
    ):
        if case.start_month:
            policies.append(
                Policy("特困供养", f"{case.member.name}（{case.get_mode_display()}）",
                       case.basic_standard + case.care_standard)
            )  # fmt: skip
    subsidies = DisabilitySubsidy.objects.filter(
        household=household, status="active", start_month__isnull=False
    )
    for sub in scoped(subsidies, user).select_related("member"):
        policies.append(Policy("残疾人" + sub.get_kind_display(), sub.member.name, sub.monthly_amount))
    measures = list(
        scoped(
            AssistanceMeasure.objects.filter(household=household, cancelled_at__isnull=True), user
        ).order_by("-date", "-id")[:8]
    )
    visits = list(
        scoped(Visit.objects.filter(household=household), user)
        .prefetch_related(Prefetch("photos"))
        .order_by("-visit_date", "-id")[:CARD_VISITS]
    )
    for v in visits:
        v.change_line = change_line(user, v)
    leads = list(
        scoped(
            MonitoringLead.objects.filter(household=household, status__in=OPEN_LEAD_STATES), user
        ).order_by("verify_deadline")
    )
    hits = list(
        scoped(Hit.objects.filter(household=household, status=HitStatus.OPEN), user).order_by("deadline")[:5]
    )
    _hit_facts(user, hits)
    due = visit_due.intervals(user.region_id, today)
    last = visits[0].visit_date if visits else None
    assigned = (
        visit_due.with_visit_facts(Household.objects.filter(pk=household.pk), today)
        .values_list("has_helper", flat=True)
        .first()
    )
    return HouseholdCard(
        household=household,
        head=head,
        members=members,
        policies=policies,
        measures=measures,
        visits=visits,
        leads=leads,
        hits=hits,
        last_visit=last,
        overdue=due.is_overdue(
            monitored=household.monitoring_state == MonitoringState.AT_RISK,
            assigned=bool(assigned),
            last_visit=last,
        ),  # fmt: skip
        phone=privacy.shown(user, privacy.Kind.PHONE, household.phone),
        dibao_label=dibao_label,
    )


def change_line(user, visit: Visit) -> str:
    """走访发现信息变化 as a line: 联系电话：139****1111 (a number masked like the household's own)."""
    changes = visit.proposed_changes or {}
    kind = changes.get("kind")
    if kind not in FieldChange.values:
        return ""
    value = changes.get("value", "")
    if kind == FieldChange.PHONE:
        value = privacy.shown(user, privacy.Kind.PHONE, value)
    return f"{FieldChange(kind).label}：{value}"


def _proposal_rows(user, visits: QuerySet) -> list[Visit]:
    head = Member.objects.filter(household=OuterRef("household_id"), relation=Relation.HEAD).values("name")[
        :1
    ]
    rows = list(visits.select_related("household__village").annotate(head=Subquery(head)))
    for v in rows:
        v.change_line = change_line(user, v)
    return rows


def proposal_visit(user, pk: int) -> Visit | None:
    """One visit's proposal for the village clerk (None outside her village or for other roles)."""
    rows = _proposal_rows(user, visit_proposals.proposals_for(user).filter(pk=pk))
    return rows[0] if rows else None


def _hit_facts(user, hits: list) -> None:
    """What a 疑点 row shows: its reason with personal numbers masked, and the field checks made."""
    checks = home_checks.checks_of(user, hits)
    for hit in hits:
        hit.safe_reason = privacy.scrub(hit.reason)
        hit.field_checks = checks.get(hit.pk, [])


@dataclass
class Todo:
    leads: list
    hits: list
    overdue: list
    due: visit_due.VisitIntervals
    proposals: list = field(default_factory=list)
    is_village: bool = False


def todo(user, today: dt.date, *, limit: int = 50) -> Todo:
    """我的待办: leads waiting for 入户核实 (by deadline), open 疑点, households past their visit interval."""
    due = visit_due.intervals(user.region_id, today)
    leads = list(
        scoped(MonitoringLead.objects.filter(status=LeadStatus.OPEN, household__isnull=False), user)
        .select_related("household", "village")
        .order_by("verify_deadline", "pk")[:limit]
    )
    hits = list(
        scoped(Hit.objects.filter(status=HitStatus.OPEN), user)
        .select_related("household")
        .order_by("deadline", "pk")[:limit]
    )
    _hit_facts(user, hits)
    head = Member.objects.filter(household=OuterRef("household_id"), relation=Relation.HEAD).values("name")
    for lead in leads:
        lead.late = lead.verify_deadline < today
    leads_heads = {
        row["pk"]: row["head"]
        for row in MonitoringLead.objects.filter(pk__in=[x.pk for x in leads])
        .annotate(head=Subquery(head[:1]))
        .values("pk", "head")
    }
    for lead in leads:
        lead.head_label = leads_heads.get(lead.pk) or lead.name
    overdue = [
        Card(h, True)
        for h in _cards(user, today).filter(visit_due.overdue_q(due)).order_by("last_visit", "pk")[:limit]
    ]
    pending = visit_proposals.pending_for(user).order_by("visit_date", "pk")[:limit]
    return Todo(
        leads=leads, hits=hits, overdue=overdue, due=due, proposals=_proposal_rows(user, pending),
        is_village=visit_proposals.handles_proposals(user),
    )  # fmt: skip


def hit_links(user, hit: Hit, answering: bool) -> tuple[QuerySet, QuerySet]:
    """What a clerk's 已纠正 may name: the change requests (not withdrawn) and the stopped 低保 cases of
    the 疑点's household (for a 疑似同一人 pair, of either household); nothing for one who only checks."""
    if not answering:
        return ChangeRequest.objects.none(), DibaoCase.objects.none()
    households: list[int] = [hit.household_id]
    if hit.rule == Rule.LIKELY_DUPLICATE and hit.other_household_id:
        households.append(hit.other_household_id)
    changes = scoped(ChangeRequest.objects.filter(household_id__in=households), user).exclude(
        state=ChangeState.WITHDRAWN
    )
    stopped = scoped(DibaoCase.objects.filter(household_id__in=households, status=CaseStatus.STOPPED), user)
    return changes.order_by("-created_at"), stopped.order_by("-id")


@dataclass
class SyncPages:
    households: list[int]
    leads: list[int]
    hits: list[int]
    photos: list = field(default_factory=list)  # VisitPhoto ids (uuid)


def card_photos(user, households: list[int], *, limit: int = PHOTO_LIMIT) -> list:
    """The photos the household cards show (of each household's CARD_VISITS latest visits), newest
    first, at most `limit`: what a phone keeps for offline work and nothing else."""
    newest = [F("visit_date").desc(), F("id").desc()]
    rank = Window(RowNumber(), partition_by=[F("household_id")], order_by=newest)
    shown = (
        scoped(Visit.objects.filter(household_id__in=households), user)
        .annotate(rank=rank)
        .filter(rank__lte=CARD_VISITS)
        .values_list("pk", flat=True)
    )
    return list(
        VisitPhoto.objects.filter(visit_id__in=shown)
        .order_by("-visit__visit_date", "-created_at")
        .values_list("pk", flat=True)[:limit]
    )


# The phone's household list, to-do and offline set are a helper's and a village clerk's field work.
# A township, county or city account on a phone gets the search box and is sent to the desktop for
# the rest: its scope is tens of thousands to a million households (sorting them by visit due date
# took 1–2 s a page at a county of 1,000,000; bench/every_page.py).
FIELD_ROLES = frozenset({Role.HELPER, Role.VILLAGE_CLERK})
DESK_NOTE = (
    "手机端用于帮扶责任人和村级录入员的走访与核实。您的账号可在上方查找农户；"
    "审核、统计和台账请在电脑端工作台办理。"
)


def works_in_field(user) -> bool:
    return role_of(user) in FIELD_ROLES


def sync_pages(user) -> SyncPages:
    """The households (and their open leads and 疑点) whose pages a phone keeps for offline work: its
    scope, today; a phone keeps at most SYNC_LIMIT households (a helper has a few dozen at most).
    Nothing for the roles that do no field work (FIELD_ROLES)."""
    if not works_in_field(user):
        return SyncPages([], [], [], [])
    households = list(households_for(user).order_by("pk").values_list("pk", flat=True)[:SYNC_LIMIT])
    leads = scoped(
        MonitoringLead.objects.filter(status=LeadStatus.OPEN, household_id__in=households), user
    ).values_list("pk", flat=True)
    hits = scoped(Hit.objects.filter(status=HitStatus.OPEN, household_id__in=households), user).values_list(
        "pk", flat=True
    )
    return SyncPages(households, list(leads), list(hits), card_photos(user, households))
