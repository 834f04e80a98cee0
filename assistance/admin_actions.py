"""The buttons of the 低保 / 特困 / 两项补贴 record pages (core.workflow.actions): the same
services as the list actions in assistance.admin, offered only when they would accept the step.
A 低保 step names the roles its service takes it from (`roles`), so a page does not try it for
anyone else (a test compares the buttons with every step tried, in every state for every role)."""

from __future__ import annotations

from django.utils import timezone

from assistance.services import cases, medical, subsidies, tekun
from assistance.services.common import COUNTY_ROLES
from core.workflow import policy
from core.workflow.actions import (
    DatedReasonForm,
    PublicityStartForm,
    RecordAction,
    register_actions,
    reviewer_roles,
    village_roles,
    with_reason,
)


def _probe_dated_reason() -> dict:
    return {"reason": "（试算）", "received_on": timezone.localdate()}


def _probe_publicity() -> dict:
    return {"start": timezone.localdate(), "place": "（试算）"}


# The roles each step's service accepts it from (given the case), read when the page asks; 提交,
# 审核通过 and 退回 are the chain's (core.workflow.actions).
def _investigators(case) -> set[str]:
    return set(cases.INVESTIGATORS)  # 开始调查: cases.start_investigation


def _publicity_managers(case) -> set[str]:
    return set(policy.PUBLICITY_MANAGERS)  # 开始公示 / 公示期满: core.workflow.services


def _objection_recorders(case) -> set[str]:
    return set(policy.OBJECTION_RECORDERS)  # 登记公示异议: core.workflow.services.record_objection


def _county(case) -> set[str]:
    return set(COUNTY_ROLES)  # 县级审核确认 / 特殊情况确认 / 不予确认: common.require_county


register_actions(
    "assistance.DibaoCase",
    [
        RecordAction(
            "submit",
            "提交审核",
            lambda c, u, d: cases.submit_case(case=c, user=u),
            done="已提交",
            roles=village_roles,
        ),
        RecordAction(
            "investigate",
            "开始调查",
            lambda c, u, d: cases.start_investigation(case=c, user=u),
            done="已受理，开始经济状况调查",
            roles=_investigators,
        ),
        RecordAction(
            "review",
            "审核通过",
            lambda c, u, d: cases.review_case(case=c, user=u),
            done="已审核通过",
            roles=reviewer_roles,
        ),
        RecordAction(
            "start_publicity",
            "开始公示",
            lambda c, u, d: cases.start_publicity(case=c, user=u, start=d["start"], place=d["place"]),
            done="已开始公示",
            form=PublicityStartForm,
            probe=_probe_publicity,
            roles=_publicity_managers,
        ),
        RecordAction(
            "objection",
            "登记公示异议",
            lambda c, u, d: cases.record_objection(
                case=c, user=u, reason=d["reason"], received_on=d["received_on"]
            ),
            done="已登记异议，案件退回调查，须重新公示",
            form=DatedReasonForm,
            probe=_probe_dated_reason,
            danger=True,
            roles=_objection_recorders,
        ),
        RecordAction(
            "close_publicity",
            "公示期满无异议",
            lambda c, u, d: cases.close_publicity(case=c, user=u, on=timezone.localdate()),
            done="公示已结束，待县级审核确认",
            confirm="确认公示期满且无异议？",
            roles=_publicity_managers,
        ),
        RecordAction(
            "confirm",
            "县级审核确认",
            lambda c, u, d: cases.confirm_case(case=c, user=u, on=timezone.localdate()),
            done="已确认，自下月起发放",
            confirm="确认批准该低保案件？确认后按核算金额自下月起发放。",
            roles=_county,
        ),
        with_reason(
            "confirm_special",
            "特殊情况确认",
            lambda c, u, d: cases.confirm_case(
                case=c, user=u, on=timezone.localdate(), special_reason=d["reason"]
            ),
            done="已按特殊情况确认，自下月起发放；理由已记入办理记录",
            roles=_county,
        ),
        with_reason(
            "return",
            "退回",
            lambda c, u, d: cases.return_case(case=c, user=u, reason=d["reason"]),
            done="已退回",
            roles=reviewer_roles,
        ),
        with_reason(
            "refuse",
            "不予确认",
            lambda c, u, d: cases.refuse_case(case=c, user=u, reason=d["reason"], on=timezone.localdate()),
            done="已不予确认，请按期送达书面通知",
            roles=_county,
        ),
    ],
)


def _steps(steps: dict) -> list[RecordAction]:
    """特困 and 两项补贴: the kind's services.STEPS (村提交 / 审核通过 / 退回)."""
    return [
        RecordAction("submit", "提交审核", lambda r, u, d: steps["submit"](r, u), done="已提交"),
        RecordAction("approve", "审核通过", lambda r, u, d: steps["approve"](r, u), done="已审核通过"),
        with_reason("return", "退回", lambda r, u, d: steps["return"](r, u, d["reason"]), done="已退回"),
    ]


register_actions("assistance.TekunCase", _steps(tekun.STEPS))
register_actions("assistance.DisabilitySubsidy", _steps(subsidies.STEPS))
register_actions("assistance.MedicalBill", _steps(medical.STEPS))
