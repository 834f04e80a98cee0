"""停保建议: an active 低保 case above the standard where 渐退 does not apply is never paid on silently.

The recalculation raises the proposal and the county's alert in bulk (assistance.recalc); here are
the county's decisions and the automatic stop. Under the county's dated parameter
dibao.stop_without_phase_out the case either waits for the county (propose: confirm → 停保 from the
next month with its 增减变动 row and a notice; reject → the reason is kept) or stops from the next
month by itself (automatic), with the same ledger row. 国务院令第649号《社会救助暂行办法》第十三条:
the county's civil-affairs department decides 增发、减发、停发.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.choices import AlertKind, CaseStatus, StopGround, StopMode, StopProposalStatus
from assistance.models import Alert, DibaoCase, StopProposal
from assistance.rules import next_month
from assistance.services.cases import stop_case
from assistance.services.common import require_county
from core.money import to_yuan

STOP_MODE_KEY = "dibao.stop_without_phase_out"

STOP_REASON = "月人均收入{income}元超过保障标准{standard}元，{ground}，应予停保"
STOP_REASON_ASSETS = "家庭人均金融资产{assets}元，超过规定标准{limit}元，应予停保"
PROPOSAL_DECIDED = "停保建议当前为“{state}”，不能{action}"
CASE_NOT_PAYING = "案件当前为“{state}”，不能停保"
REJECT_REASON_REQUIRED = "请填写不予停保的理由"
NOTICE = (
    "停发最低生活保障金通知书\n{head}户：\n经复核，你户月人均收入{income}元，超过本地农村最低生活保障标准"
    "{standard}元，且{ground}。根据《社会救助暂行办法》（国务院令第649号）第十三条，决定自{month:%Y年%m月}"
    "起停发你户最低生活保障金。如对本决定有异议，可自收到本通知之日起六十日内依法申请行政复议，"
    "或者六个月内依法提起行政诉讼。\n{county}民政局\n{on:%Y年%m月%d日}"
)
NOTICE_ASSETS = (
    "停发最低生活保障金通知书\n{head}户：\n经复核，你户{reason}。根据《社会救助暂行办法》（国务院令第649号）"
    "第十三条，决定自{month:%Y年%m月}起停发你户最低生活保障金。如对本决定有异议，可自收到本通知之日起六十日内"
    "依法申请行政复议，或者六个月内依法提起行政诉讼。\n{county}民政局\n{on:%Y年%m月%d日}"
)


def stop_reason(
    *,
    ground: str,
    monthly_income: Decimal,
    standard_month: Decimal,
    percap_assets: Decimal | None = None,
    asset_limit: Decimal | None = None,
) -> str:
    if ground == StopGround.ASSETS_OVER:
        assert percap_assets is not None, "an asset ground names the household's assets"
        assert asset_limit is not None, "an asset ground names the limit"
        return STOP_REASON_ASSETS.format(assets=to_yuan(percap_assets), limit=to_yuan(asset_limit))
    return STOP_REASON.format(income=monthly_income, standard=standard_month, ground=StopGround(ground).label)


def _notice(proposal: StopProposal, on: dt.date) -> str:
    household = proposal.case.household
    village = household.village
    county = (village.parent and village.parent.parent) or village  # a village's grandparent
    if proposal.ground == StopGround.ASSETS_OVER:
        return NOTICE_ASSETS.format(
            head=household.head_name or household.household_no,
            reason=proposal.reason.removesuffix("，应予停保"),
            month=proposal.stop_month,
            county=county.name,
            on=on,
        )
    return NOTICE.format(
        head=household.head_name or household.household_no,
        income=proposal.monthly_percap_income,
        standard=proposal.standard_month,
        ground=StopGround(proposal.ground).label,
        month=proposal.stop_month,
        county=county.name,
        on=on,
    )


def _close_alerts(proposal: StopProposal, user) -> None:
    Alert.objects.filter(stop_proposal=proposal, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=user
    )


def _locked(proposal: StopProposal, action: str) -> StopProposal:
    proposal = (
        StopProposal.objects.select_for_update(of=("self",))
        .select_related("case__household__village__parent__parent")
        .get(pk=proposal.pk)
    )
    if proposal.status != StopProposalStatus.PROPOSED:
        raise ValidationError(PROPOSAL_DECIDED.format(state=proposal.get_status_display(), action=action))
    return proposal


def _stop(proposal: StopProposal, *, user, on: dt.date, status: str) -> StopProposal:
    case = proposal.case
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(CASE_NOT_PAYING.format(state=case.get_status_display()))
    proposal.stop_month = next_month(on)
    stop_case(case=case, user=user, month=proposal.stop_month, reason=proposal.reason)
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_on = on
    proposal.notice_text = _notice(proposal, on)
    proposal.save()
    return proposal


@transaction.atomic
def confirm_stop(*, proposal: StopProposal, user, on: dt.date) -> StopProposal:
    """县级确认停保: the case stops from the month after the decision (增减变动 row, notice text)."""
    require_county(user, proposal.case.household)
    proposal = _locked(proposal, "确认停保")
    _stop(proposal, user=user, on=on, status=StopProposalStatus.CONFIRMED)
    _close_alerts(proposal, user)
    return proposal


@transaction.atomic
def reject_stop(*, proposal: StopProposal, user, reason: str, on: dt.date) -> StopProposal:
    """不予停保 with the county's reason; the same income does not raise a new proposal."""
    require_county(user, proposal.case.household)
    if not reason.strip():
        raise ValidationError({"reason": REJECT_REASON_REQUIRED})
    proposal = _locked(proposal, "驳回")
    proposal.status = StopProposalStatus.REJECTED
    proposal.decided_by = user
    proposal.decided_on = on
    proposal.decision_reason = reason.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_on", "decision_reason"])
    _close_alerts(proposal, user)
    return proposal


@transaction.atomic
def stop_automatically(
    *,
    case: DibaoCase,
    ground: str,
    on: dt.date,
    annual_income: Decimal,
    monthly_income: Decimal,
    standard_month: Decimal,
    parameter_ids=(),
    percap_assets: Decimal | None = None,
    asset_limit: Decimal | None = None,
) -> StopProposal:
    """dibao.stop_without_phase_out = automatic: stop from next month, record why, tell the county."""
    proposal = StopProposal.objects.create(
        case=case,
        ground=ground,
        mode=StopMode.AUTOMATIC,
        proposed_on=on,
        proposed_income=annual_income,
        monthly_percap_income=monthly_income,
        standard_month=standard_month,
        amount=case.monthly_amount,
        reason=stop_reason(
            ground=ground,
            monthly_income=monthly_income,
            standard_month=standard_month,
            percap_assets=percap_assets,
            asset_limit=asset_limit,
        ),  # fmt: skip
        parameter_ids=list(parameter_ids),
    )
    proposal = StopProposal.objects.select_related("case__household__village__parent__parent").get(
        pk=proposal.pk
    )
    _stop(proposal, user=None, on=on, status=StopProposalStatus.AUTOMATIC)
    Alert.objects.create(
        kind=AlertKind.STOPPED_AUTOMATICALLY,
        household_id=case.household_id,
        case=case,
        stop_proposal=proposal,
        due_date=proposal.stop_month,
        message=f"{proposal.reason}；已自{proposal.stop_month:%Y年%m月}起自动停保",
    )
    return proposal
