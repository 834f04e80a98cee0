"""The to-do list of the 工作台: a small registry of providers.

A provider is a function (user, today) → list[TodoItem]; other areas add theirs with

    from reports import todo
    todo.register("crosscheck", my_provider, order=60)

in their AppConfig.ready() (or in reports, since nothing may import reports). Every provider reads
through households.selectors.scoped(), so a count never includes another region's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from assistance.choices import AlertKind, CaseStatus, PhaseOutStatus, StopProposalStatus
from assistance.models import Alert, DibaoCase, PhaseOut, StopProposal
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.scoping import scoped
from core.selectors import latest_backup
from core.workflow.choices import PublicityResult, WorkflowAction
from core.workflow.config import chain_for, record_kind
from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent
from households.models import Household
from households.workflow.choices import CLOSED_CHANGE_STATES
from households.workflow.models import ChangeRequest

ROWS_SHOWN = 5


@dataclass
class TodoRow:
    text: str
    url: str
    detail: str = ""  # e.g. the return reason in full
    detail_label: str = ""  # e.g. 退回原因：
    days: int | None = None  # days waiting
    tone: str = ""  # "orange" (逾期) or "red" (past the second limit)


@dataclass
class TodoItem:
    key: str
    title: str
    count: int
    url: str
    rows: list[TodoRow] = field(default_factory=list)
    alert: bool = False  # a reminder rather than work in a queue
    info: bool = False  # a status line, no count
    tone: str = ""  # the card's colour: "orange" or "red" (逾期 deadlines)


Provider = Callable[[object, dt.date], list[TodoItem]]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register(key: str, provider: Provider, *, order: int = 100) -> None:
    _PROVIDERS[key] = (order, provider)


def items_for(user, today: dt.date) -> list[TodoItem]:
    """Every provider's items with a count, in provider order."""
    items = []
    for _, provider in sorted(_PROVIDERS.values(), key=lambda p: p[0]):
        items.extend(i for i in provider(user, today) if i.count)
    return items


def count_each(querysets: list[QuerySet]) -> list[int]:
    """qs.count() of each queryset, in one statement (UNION ALL of the counts): the 工作台 asks the
    same count of every record kind, and each round trip costs more than the count itself (issue 28:
    ~70 queries a page)."""
    parts: list[str] = []
    params: list = []
    for i, qs in enumerate(querysets):
        try:
            sql, part_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # qs.none(): a user without a scope
            continue
        parts.append(f"SELECT {i} AS n, COUNT(*) AS c FROM ({sql}) AS q{i}")
        params.extend(part_params)
    counts: dict[int, int] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            counts = dict(cursor.fetchall())
    return [counts.get(i, 0) for i in range(len(querysets))]


def first_rows(qs: QuerySet, n: int = ROWS_SHOWN) -> tuple[list, int]:
    """(the first n rows, how many there are): the count is read only when the rows fill the card —
    fewer than n rows are all of them."""
    rows = list(qs[:n])
    return rows, (len(rows) if len(rows) < n else qs.count())


# ------------------------------------------------------------------ the review chain's records

# kind → (admin changelist, the record page's url name, how a row reads)
KINDS = {
    "household": ("admin:households_household_changelist", "admin:households_household_change"),
    "household_change": (
        "admin:households_changerequest_changelist",
        "admin:households_changerequest_change",
    ),
    "dibao_case": ("admin:assistance_dibaocase_changelist", "admin:assistance_dibaocase_change"),
    "tekun_case": ("admin:assistance_tekuncase_changelist", "admin:assistance_tekuncase_change"),
    "disability_subsidy": (
        "admin:assistance_disabilitysubsidy_changelist",
        "admin:assistance_disabilitysubsidy_change",
    ),
    "medical_bill": ("admin:assistance_medicalbill_changelist", "admin:assistance_medicalbill_change"),
    "monitoring_record": (
        "admin:assistance_monitoringrecord_changelist",
        "admin:assistance_monitoringrecord_change",
    ),
    # 扶贫项目库 (issue 29): a project belongs to a region, not to a household.
    "project": ("admin:projects_project_changelist", "admin:projects_project_change"),
}
QUEUE_URL = {"household": "admin:households_householdreview_changelist"}


def _list_url(kind: str, state: str) -> str:
    rk = record_kind(kind)
    return f"{reverse(KINDS[kind][0])}?{urlencode({rk.state_field: state})}"


def _label(kind: str, record) -> str:
    """'2062000003 张三' for a household; '低保案件 2062000003 张三' for a record of one."""
    household = record if kind == "household" else getattr(record, "household", None)
    text = str(household) if household is not None else str(record)
    return text if kind == "household" else f"{record_kind(kind).label} {text}".strip()


def _records(user, kind: str, state: str, **extra):
    """Records of a kind in a state, in scope; households with their members (the head's name)."""
    rk = record_kind(kind)
    qs = rk.model_class()._default_manager.filter(**{rk.state_field: state}, **extra)
    if kind == "household":
        qs = qs.prefetch_related("members")
    elif rk.household_attr is not None:
        qs = qs.select_related("household").prefetch_related("household__members")
    return scoped(qs, user)


def _since(kind: str, state: str):
    """When the record last entered `state` (its newest logged step into it)."""
    return Subquery(
        WorkflowEvent.objects.filter(record_kind=kind, record_id=OuterRef("pk"), to_state=state)
        .order_by()
        .values("record_id")
        .annotate(at=Max("created_at"))
        .values("at")
    )


def _oldest(qs, kind: str, state: str):
    """The ROWS_SHOWN records of qs that entered `state` first (then by id), with `since`. Their ids
    are chosen from the ids and the history's index alone, then only those rows read with their
    members: in the busy season a county has 20,000 households 待县核查, and sorting them whole with
    every column took 65-120 ms (issue 28)."""
    first = qs.annotate(since=_since(kind, state)).order_by("since", "pk").values("pk")[:ROWS_SHOWN]
    return qs.filter(pk__in=first).annotate(since=_since(kind, state)).order_by("since", "pk")


def _last_return_reasons(kind: str, ids: list[int]) -> dict[int, str]:
    reasons = {}
    events = WorkflowEvent.objects.filter(
        record_kind=kind, record_id__in=ids, action__in=[WorkflowAction.RETURN, WorkflowAction.CITY_OBJECTION]
    ).order_by("record_id", "-created_at", "-id")
    for record_id, reason in events.values_list("record_id", "reason"):
        reasons.setdefault(record_id, reason)
    return reasons


def drafts(user, today: dt.date) -> list[TodoItem]:
    """我的草稿：records I entered and have not submitted."""
    queries = {}
    for kind in KINDS:
        author = record_kind(kind).entered_by_attr.removesuffix("_id")
        queries[kind] = _records(user, kind, ReviewState.DRAFT, **{author: user})
    items = []
    for (kind, qs), count in zip(queries.items(), count_each(list(queries.values())), strict=True):
        if not count:
            continue
        rows = [
            TodoRow(_label(kind, r), reverse(KINDS[kind][1], args=[r.pk]))
            for r in qs.order_by("pk")[:ROWS_SHOWN]
        ]
        rk = record_kind(kind)
        items.append(
            TodoItem(f"drafts.{kind}", f"未提交的草稿（{rk.label}）", count, _list_url(kind, "draft"), rows)
        )
    return items


def returned(user, today: dt.date) -> list[TodoItem]:
    """退回给我：records returned to my level, with the reason in full."""
    state = {
        Role.VILLAGE_CLERK: ReviewState.RETURNED_TO_VILLAGE,
        Role.TOWNSHIP_REVIEWER: ReviewState.RETURNED_TO_TOWNSHIP,
    }.get(role_of(user))
    if state is None:
        return []
    queries = {kind: _records(user, kind, state) for kind in KINDS}
    items = []
    for (kind, qs), count in zip(queries.items(), count_each(list(queries.values())), strict=True):
        if not count:
            continue
        records = list(_oldest(qs, kind, state))
        reasons = _last_return_reasons(kind, [r.pk for r in records])
        rows = [
            TodoRow(
                _label(kind, r),
                reverse(KINDS[kind][1], args=[r.pk]),
                detail=reasons.get(r.pk, ""),
                detail_label="退回原因：",
                days=(today - timezone.localdate(r.since)).days if r.since else None,
            )
            for r in records
        ]
        title = f"退回修正（{record_kind(kind).label}）"
        items.append(TodoItem(f"returned.{kind}", title, count, _list_url(kind, state), rows))
    return items


def awaiting_review(user, today: dt.date) -> list[TodoItem]:
    """待我审核：records waiting for my level, oldest first, with days waiting."""
    role = role_of(user)
    queries = {
        (kind, state): _records(user, kind, state)
        for kind in KINDS
        for state in [level.pending for level in chain_for(kind) if level.role == role]
    }
    items = []
    for ((kind, state), qs), count in zip(queries.items(), count_each(list(queries.values())), strict=True):
        if not count:
            continue
        rows = [
            TodoRow(
                _label(kind, r),
                reverse(KINDS[kind][1], args=[r.pk]),
                days=(today - timezone.localdate(r.since)).days if r.since else None,
            )
            for r in _oldest(qs, kind, state)
        ]
        url = reverse(QUEUE_URL[kind]) if kind in QUEUE_URL else _list_url(kind, state)
        title = f"待我审核（{record_kind(kind).label}）"
        items.append(TodoItem(f"review.{kind}", title, count, url, rows))
    return items


def change_requests(user, today: dt.date) -> list[TodoItem]:
    """变更申请 still open in my scope (the ones waiting for me are in 待我审核 too)."""
    qs = scoped(ChangeRequest.objects.exclude(state__in=CLOSED_CHANGE_STATES), user)
    if role_of(user) == Role.VILLAGE_CLERK:
        qs = qs.filter(created_by=user)
    count = qs.count()
    url = reverse("admin:households_changerequest_changelist")
    return [TodoItem("changes", "未办结的变更申请", count, url)]


def publicity(user, today: dt.date) -> list[TodoItem]:
    """公示 ending within three days, and objections to open 公示."""
    open_ = scoped(Publicity.objects.filter(result=PublicityResult.OPEN), user)
    # The chain keeps the household's id; its number in the same query.
    number = Household.objects.filter(pk=OuterRef("household_id")).values("household_no")[:1]
    ending = (
        open_.filter(end__lte=today + dt.timedelta(days=3))
        .annotate(subject_no=Subquery(number))
        .order_by("end")
    )
    publicities, ending_count = first_rows(ending)
    rows = [
        TodoRow(
            f"{p.get_subject_kind_display()}公示 {p.subject_no or ''}".strip(),
            reverse("admin:core_publicity_change", args=[p.pk]),
            detail=f"{p.end:%Y-%m-%d} 结束",
        )
        for p in publicities
    ]
    url = f"{reverse('admin:core_publicity_changelist')}?result=open"
    objections = scoped(PublicityObjection.objects.filter(publicity__result=PublicityResult.OPEN), user)
    received, objection_count = first_rows(objections.order_by("received_on", "id"))
    objection_rows = [
        TodoRow(f"异议：{o.content[:40]}", reverse("admin:core_publicity_change", args=[o.publicity_id]))
        for o in received
    ]
    return [
        TodoItem("publicity.ending", "3天内结束的公示", ending_count, url, rows),
        TodoItem("publicity.objections", "公示异议待处理", objection_count, url, objection_rows, alert=True),
    ]


def alerts(user, today: dt.date) -> list[TodoItem]:
    """Reminders: 渐退 ending, refusal notices due, cases due for their annual review."""
    alert_url = reverse("admin:assistance_alert_changelist")
    open_alerts = scoped(Alert.objects.filter(handled_at__isnull=True), user)
    counts = dict(open_alerts.order_by().values_list("kind").annotate(n=Count("id")))
    items = [
        TodoItem(
            f"alerts.{kind}",
            kind.label,
            counts.get(kind, 0),
            f"{alert_url}?{urlencode({'kind': kind})}",
            alert=True,
        )
        for kind in AlertKind
    ]
    ending = scoped(
        PhaseOut.objects.filter(status=PhaseOutStatus.ACTIVE, end__lte=today + dt.timedelta(days=30)), user
    )
    due = scoped(
        DibaoCase.objects.filter(
            status__in=[CaseStatus.ACTIVE, CaseStatus.PHASING_OUT],
            next_review_date__lte=today + dt.timedelta(days=30),
        ),
        user,
    )
    ending_count, due_count = count_each([ending, due])
    url = f"{reverse('admin:assistance_phaseout_changelist')}?status=active"
    items.append(TodoItem("phase_outs.ending", "30天内期满的渐退", ending_count, url, alert=True))
    url = f"{reverse('admin:assistance_dibaocase_changelist')}?status=active"
    items.append(TodoItem("cases.review_due", "30天内到期须复核的低保案件", due_count, url, alert=True))
    return items


def stop_proposals(user, today: dt.date) -> list[TodoItem]:
    """停保建议 waiting for the county's decision (raised by the recalculation)."""
    qs = scoped(StopProposal.objects.filter(status=StopProposalStatus.PROPOSED), user).select_related(
        "case__household"
    )
    proposals, count = first_rows(qs.order_by("proposed_on", "pk"))
    rows = [
        TodoRow(
            f"低保案件 {p.case.household.household_no}",
            reverse("admin:assistance_stopproposal_change", args=[p.pk]),
            detail=p.reason,
            days=(today - p.proposed_on).days,
        )
        for p in proposals
    ]
    url = f"{reverse('admin:assistance_stopproposal_changelist')}?status=proposed"
    return [TodoItem("stop_proposals", "停保建议待决定", count, url, rows)]


BACKUP_ROLES = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def backup(user, today: dt.date) -> list[TodoItem]:
    """最近一次备份 (households.selectors.latest_backup), for the county and the system administrator:
    always shown, as a reminder when it is missing, too old or the last run failed."""
    if role_of(user) not in BACKUP_ROLES:
        return []
    status = latest_backup()
    return [TodoItem("backup", status.message, 1, "", alert=status.alert, info=not status.alert)]


def register_builtin() -> None:
    register("drafts", drafts, order=10)
    register("returned", returned, order=20)
    register("review", awaiting_review, order=30)
    register("changes", change_requests, order=40)
    register("publicity", publicity, order=50)
    register("stop_proposals", stop_proposals, order=45)
    register("alerts", alerts, order=60)
    register("backup", backup, order=90)
