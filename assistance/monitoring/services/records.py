"""The monitoring record through the review chain (households.workflow): 入户核实 creates it (村),
村民主评议 and 公示 (the township starts and closes the 公示, kind 'monitoring'), 乡镇审核, 县级审定 —
纳入监测 with category and risk types, or 不纳入 with a reason; returns with reasons at each level.
风险消除 is a second record of the same household through the same steps, proposed only when the
rules allow it. The household's monitoring_state follows the county's decisions (and only them)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.monitoring import rules
from assistance.monitoring.choices import Category, Decision, LeadOutcome, LeadStatus, Purpose
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from assistance.monitoring.params import monitoring_params
from assistance.monitoring.services.leads import clean_risk_types
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.scoping import is_in_scope
from core.workflow import services as chain
from core.workflow.config import chain_for
from households.choices import MonitoringState
from households.workflow import services as wf

KIND = "monitoring_record"
PUBLICITY_KIND = "monitoring"
OUT_OF_SCOPE = "该户不在您的管辖范围内"
COUNTY_DECIDES = "监测对象由县级审定"
DECISION_REQUIRED = "请选择审定结论（纳入监测或不纳入监测）"
CATEGORY_REQUIRED = "纳入监测须选择监测类别"
REASON_REQUIRED = "请填写审定说明（不纳入的理由）"
OTHER_NEEDS_TEXT = "风险类型含“其他”时请填写具体情况"
REVIEW_DATE_REQUIRED = "请填写村民主评议日期"
REVIEW_DATE_FUTURE = "村民主评议日期不能晚于今天"
WRONG_PURPOSE = "该记录不是{purpose}事项"
NOT_AT_COUNTY = "该记录当前为“{state}”，尚未到县级审定"
ELIMINATION_REFUSED = "不能提出风险消除：{reasons}"
NOT_OPEN_EPISODE = "该户没有风险未消除的监测认定"
ELIMINATION_IN_PROGRESS = "该户已有一条正在办理的风险消除"
PROPOSERS = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
ROLE_CANNOT_PROPOSE = "风险消除由村或乡镇提出"


def require_scope(user, record: MonitoringRecord) -> None:
    if not is_in_scope(user, record.household.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)


def _lock(record: MonitoringRecord) -> MonitoringRecord:
    return MonitoringRecord.objects.select_for_update().select_related("household").get(pk=record.pk)


def _sync(record: MonitoringRecord, fresh: MonitoringRecord) -> MonitoringRecord:
    if record is not fresh:
        record.refresh_from_db()
    return record


# ------------------------------------------------------------------ 村: 民主评议, submit


@transaction.atomic
def submit_record(
    *, record: MonitoringRecord, user, democratic_review_date: dt.date | None
) -> MonitoringRecord:
    """村提交 after the 村民主评议 (its date recorded): on to the township, which runs the 公示."""
    locked = _lock(record)
    require_scope(user, locked)
    if democratic_review_date is None:
        raise ValidationError({"democratic_review_date": REVIEW_DATE_REQUIRED})
    if democratic_review_date > timezone.localdate():
        raise ValidationError({"democratic_review_date": REVIEW_DATE_FUTURE})
    if locked.democratic_review_date != democratic_review_date:
        locked.democratic_review_date = democratic_review_date
        locked.save(update_fields=["democratic_review_date", "updated_at"])
    chain.submit(record=locked, user=user)
    return _sync(record, locked)


def resubmit(record: MonitoringRecord, user) -> MonitoringRecord:
    """村修正后重新提交 (the 民主评议 date stays as recorded)."""
    return submit_record(
        record=record, user=user, democratic_review_date=record.democratic_review_date or timezone.localdate()
    )


# ------------------------------------------------------------------ 乡镇: 公示, 审核


def start_publicity(
    *, record: MonitoringRecord, user, start: dt.date, place: str, end: dt.date | None = None
):
    """The township starts the 公示 of a record in its review (the minimum length is the dated
    parameter publicity.min_days; the end defaults to the shortest window)."""
    if record.review_state != ReviewState.PENDING_TOWNSHIP:
        raise ValidationError(f"记录当前为“{record.get_review_state_display()}”，乡镇审核环节才能公示")
    if end is None:
        days = chain.publicity_min_days(region_code=record.household.village_id, as_of=start)
        end = start + dt.timedelta(days=days - 1)
    return chain.start_publicity(
        subject=record, user=user, start=start, end=end, place=place, kind=PUBLICITY_KIND
    )


@transaction.atomic
def township_approve(*, record: MonitoringRecord, user, note: str = "") -> MonitoringRecord:
    """乡镇审核通过, only after a 公示 that passed without objection (an objection needs a new one)."""
    locked = _lock(record)
    if locked.review_state == ReviewState.PENDING_TOWNSHIP:
        chain.ensure_publicity_passed(record=locked)
    if locked.review_state == ReviewState.PENDING_COUNTY:  # the county decides, never plain-approves
        raise ValidationError(DECISION_REQUIRED)
    chain.approve(record=locked, user=user, note=note)
    return _sync(record, locked)


def return_record(*, record: MonitoringRecord, user, reason: str) -> MonitoringRecord:
    """退回 one level down with a reason (镇 → 村修正, 县 → 镇修正)."""
    chain.return_to_lower(record=record, user=user, reason=reason)
    return record


# ------------------------------------------------------------------ 县: 审定


def _ready_for_county(locked: MonitoringRecord, user, purpose: str) -> None:
    if locked.purpose != purpose:
        raise ValidationError(WRONG_PURPOSE.format(purpose=Purpose(purpose).label))
    if role_of(user) not in {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}:
        raise PermissionDenied(COUNTY_DECIDES)
    if locked.review_state != chain_for(KIND)[-1].pending:
        raise ValidationError(NOT_AT_COUNTY.format(state=locked.get_review_state_display()))


@transaction.atomic
def decide_identification(
    *,
    record: MonitoringRecord,
    user,
    include: bool,
    category: str = "",
    risk_types=None,
    risk_other: str = "",
    reason: str = "",
) -> MonitoringRecord:
    """县级审定: 纳入监测 (category and risk types) or 不纳入 (with the reason)."""
    locked = _lock(record)
    _ready_for_county(locked, user, Purpose.IDENTIFY)
    if include:
        if category not in Category.values:
            raise ValidationError({"category": CATEGORY_REQUIRED})
        locked.category = category
        locked.risk_types = clean_risk_types(risk_types if risk_types is not None else locked.risk_types)
        locked.risk_other = (risk_other or locked.risk_other).strip()
        if "other" in locked.risk_types and not locked.risk_other:
            raise ValidationError({"risk_other": OTHER_NEEDS_TEXT})
        locked.decision = Decision.INCLUDED
    else:
        if not (reason or "").strip():
            raise ValidationError({"decision_reason": REASON_REQUIRED})
        locked.decision = Decision.EXCLUDED
    locked.decision_reason = (reason or "").strip()[:400]
    locked.save(
        update_fields=["category", "risk_types", "risk_other", "decision", "decision_reason", "updated_at"]
    )
    chain.approve(record=locked, user=user, note=locked.decision_reason or locked.get_decision_display())
    return _sync(record, locked)


@transaction.atomic
def decide_elimination(
    *, record: MonitoringRecord, user, eliminate: bool, reason: str = ""
) -> MonitoringRecord:
    """县级审定 of a 风险消除: the rules are asked again on the day of the decision."""
    from assistance.monitoring.services.elimination import check_elimination

    locked = _lock(record)
    _ready_for_county(locked, user, Purpose.ELIMINATE)
    if eliminate:
        decision = check_elimination(episode=locked.episode, as_of=timezone.localdate())
        if not decision.allowed:
            raise ValidationError(ELIMINATION_REFUSED.format(reasons="；".join(decision.reasons[1:])))
        locked.elimination_reasons = list(decision.reasons)
        locked.decision = Decision.ELIMINATED
    else:
        if not (reason or "").strip():
            raise ValidationError({"decision_reason": REASON_REQUIRED})
        locked.decision = Decision.NOT_ELIMINATED
    locked.decision_reason = (reason or "").strip()[:400]
    locked.save(update_fields=["elimination_reasons", "decision", "decision_reason", "updated_at"])
    chain.approve(record=locked, user=user, note=locked.decision_reason or locked.get_decision_display())
    return _sync(record, locked)


def on_decided(*, record: MonitoringRecord, user) -> None:
    """The county's approval (inside the chain's transaction): the decision takes effect — the
    household's monitoring_state, days to 认定, the first-measure deadline, the leads' outcomes."""
    if record.decision == Decision.PENDING:
        raise ValidationError(DECISION_REQUIRED)
    today = timezone.localdate()
    record.decided_on = today
    fields = ["decided_on"]
    household = record.household
    if record.purpose == Purpose.IDENTIFY:
        record.days_to_identify = rules.days_between(record.lead_date, today)
        fields.append("days_to_identify")
        included = record.decision == Decision.INCLUDED
        if included:
            p = monitoring_params(region_code=household.village_id, as_of=today)
            record.first_measure_deadline = rules.first_measure_deadline(
                today, int(p.integer("monitor.first_measure_days"))
            )
            fields.append("first_measure_deadline")
            if household.monitoring_state != MonitoringState.AT_RISK:
                wf.set_monitoring(
                    household=household, user=user, state=MonitoringState.AT_RISK,
                    reason=f"县级审定纳入监测：{record.get_category_display()}（{_risks(record)}）",
                )  # fmt: skip
        _close_leads(record, user, LeadOutcome.MONITORED if included else LeadOutcome.NOT_INCLUDED)
    elif record.decision == Decision.ELIMINATED:
        episode = MonitoringRecord.objects.select_for_update().get(pk=record.episode_id)
        episode.eliminated_on = today
        episode.save(update_fields=["eliminated_on", "updated_at"])
        record.eliminated_on = today
        fields.append("eliminated_on")
        wf.set_monitoring(
            household=household, user=user, state=MonitoringState.RISK_ELIMINATED, reason="县级审定风险消除"
        )
    record.save(update_fields=[*fields, "updated_at"])


def _risks(record: MonitoringRecord) -> str:
    from assistance.monitoring.choices import RiskType

    return "、".join(RiskType(r).label for r in record.risk_types)


def _close_leads(record: MonitoringRecord, user, outcome: str) -> None:
    reason = record.decision_reason or f"县级审定：{record.get_decision_display()}"
    MonitoringLead.objects.filter(record=record).exclude(status=LeadStatus.CLOSED).update(
        status=LeadStatus.CLOSED, outcome=outcome, outcome_reason=reason[:400], closed_by=user,
        closed_at=timezone.now(),
    )  # fmt: skip


# ------------------------------------------------------------------ 风险消除: proposal


@transaction.atomic
def propose_elimination(*, episode: MonitoringRecord, user) -> MonitoringRecord:
    """村/乡镇提出风险消除 when the rules allow it (reasons in Chinese otherwise); the proposal then
    passes 民主评议, 公示, 乡镇审核 and 县级审定 like the identification."""
    from assistance.monitoring.services.elimination import check_elimination

    episode = MonitoringRecord.objects.select_for_update().select_related("household").get(pk=episode.pk)
    require_scope(user, episode)
    if role_of(user) not in PROPOSERS:
        raise PermissionDenied(ROLE_CANNOT_PROPOSE)
    if not episode.is_episode_open:
        raise ValidationError(NOT_OPEN_EPISODE)
    if MonitoringRecord.objects.filter(episode=episode, decision=Decision.PENDING).exists():
        raise ValidationError(ELIMINATION_IN_PROGRESS)
    today = timezone.localdate()
    decision = check_elimination(episode=episode, as_of=today)
    if not decision.allowed:
        raise ValidationError(ELIMINATION_REFUSED.format(reasons="；".join(decision.reasons[1:])))
    return MonitoringRecord.objects.create(
        household=episode.household, purpose=Purpose.ELIMINATE, episode=episode, source=episode.source,
        category=episode.category, risk_types=episode.risk_types, risk_other=episode.risk_other,
        lead_date=today, elimination_reasons=list(decision.reasons), applied_by=user,
    )  # fmt: skip
