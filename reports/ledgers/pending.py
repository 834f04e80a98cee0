"""待审核户清单: the work in progress the county ledgers leave out, on its own clearly titled sheet.

Two parts, in this order: households not (or no longer) in the approved register — 草稿, in review,
returned, or reopened by 市抽查异议 — and stored households with a change request still open (the
household's columns show its approved values; the proposed ones wait on the request). Each row says
its review state and which level holds it now, with the last logged step."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, Prefetch, Subquery
from django.utils import timezone

from core.choices import ReviewState
from core.models import WorkflowEvent
from core.workflow.choices import WorkflowAction, state_label
from core.workflow.config import VILLAGE, chain_for
from households.models import ChangeItem, ChangeRequest, Household
from households.workflow.choices import CLOSED_CHANGE_STATES, ChangeState
from households.workflow.selectors import change_summary
from reports.ledgers.base import DATE, INT, Col, ExportContext, Ledger
from reports.ledgers.households import head_of, persons_of

NEW_RECORD = "新户录入"
REOPENED = "市抽查异议复核"
CHANGE = "变更申请"


def holders(kind: str) -> dict[str, str]:
    """State → the level that holds a record of `kind` in it (村 / 镇审核 / 县核查)."""
    held = {}
    for level in (VILLAGE, *chain_for(kind)):
        for state in (level.pending, level.returned_here):
            if state:
                held[state] = level.slug
    return held


def _user_name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _last_step(events) -> dict[str, Subquery]:
    """The newest logged step of `events` (an OuterRef-filtered WorkflowEvent queryset)."""
    last = events.order_by("-created_at", "-id")
    return {
        f"last_{name}": Subquery(last.values(field)[:1])
        for name, field in (
            ("action", "action"),
            ("first", "actor__first_name"),
            ("last", "actor__last_name"),
            ("username", "actor__username"),
            ("at", "created_at"),
        )
    }


class PendingReviewLedger(Ledger):
    """Not part of the 14-sheet county workbook (which holds approved data only): exported on its
    own, so the work in progress never mixes with the register."""

    key = "pending_review"
    sheet_name = "待审核户清单"
    title = "待审核户清单（未入库及变更审核中，不计入台账）"
    empty_note = "所选区划没有草稿、审核中的户或未办结的变更申请"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("户主", 10),
        Col("人口", 6, INT), Col("事项", 14), Col("审核状态", 10), Col("当前经办", 18),
        Col("录入人/申请人", 12), Col("最近操作", 14), Col("操作人", 10), Col("操作时间", 11, DATE),
        Col("变更内容", 40),
    )  # fmt: skip

    def _households(self, ctx: ExportContext):
        return ctx.scoped(Household.objects.filter(archived_at__isnull=True)).exclude(
            review_state=ReviewState.VERIFIED
        )

    def _changes(self, ctx: ExportContext):
        return ctx.approved(ChangeRequest.objects.exclude(state__in=CLOSED_CHANGE_STATES), "household__")

    def count(self, ctx: ExportContext) -> int:
        return self._households(ctx).count() + self._changes(ctx).count()

    def _holder(self, ctx: ExportContext, level: str, village: str) -> str:
        if level == "village":
            return f"{ctx.village_name(village)}（村）"
        if level == "township":
            return f"{ctx.township_name(village)}（镇审核）"
        return f"{ctx.county_name(village)}（县核查）"

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        n = 0
        held = holders("household")
        households = (
            self._households(ctx)
            .annotate(
                head_name=head_of("name"),
                persons=persons_of(),
                reopened=Exists(
                    WorkflowEvent.objects.filter(
                        household_id=OuterRef("pk"), action=WorkflowAction.CITY_OBJECTION
                    )
                ),
                **_last_step(WorkflowEvent.objects.filter(household_id=OuterRef("pk"))),
            )
            .order_by("village_id", "household_no", "id")
            .values_list(
                "village_id",
                "household_no",
                "head_name",
                "persons",
                "review_state",
                "reopened",
                "created_by__first_name",
                "created_by__last_name",
                "created_by__username",
                "last_action",
                "last_first",
                "last_last",
                "last_username",
                "last_at",
            )
        )
        for (village, number, head, persons, state, reopened, c_first, c_last, c_user, action, a_first,
             a_last, a_user, at) in households.iterator(chunk_size=ctx.chunk_size):  # fmt: skip
            n += 1
            yield (
                n, ctx.township_name(village), ctx.village_name(village), number, head, persons,
                REOPENED if reopened else NEW_RECORD, state_label(state),
                self._holder(ctx, held.get(state, "county"), village), _user_name(c_first, c_last, c_user),
                WorkflowAction(action).label if action else "", _user_name(a_first, a_last, a_user),
                timezone.localtime(at).date() if at else None, "",
            )  # fmt: skip

        held = holders("household_change")
        changes = (
            self._changes(ctx)
            .select_related("created_by")
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=ChangeItem.objects.filter(superseded_at__isnull=True),
                    to_attr="current_items",
                )
            )
            .annotate(
                village=F("household__village_id"),
                number=F("household__household_no"),
                head_name=head_of("name", household="household"),
                persons=persons_of(household="household"),
                **_last_step(
                    WorkflowEvent.objects.filter(record_kind="household_change", record_id=OuterRef("pk"))
                ),
            )
            .order_by("household__village_id", "household__household_no", "id")
        )
        for change in changes.iterator(chunk_size=ctx.chunk_size):
            n += 1
            village, author = change.village, change.created_by
            summary = change_summary(change)
            if change.note:
                summary = f"{summary}（{change.note}）" if summary else change.note
            yield (
                n, ctx.township_name(village), ctx.village_name(village), change.number, change.head_name,
                change.persons, CHANGE, ChangeState(change.state).label,
                self._holder(ctx, held.get(change.state, "county"), village),
                str(author),
                WorkflowAction(change.last_action).label if change.last_action else "",
                _user_name(change.last_first, change.last_last, change.last_username),
                timezone.localtime(change.last_at).date() if change.last_at else None, summary,
            )  # fmt: skip
