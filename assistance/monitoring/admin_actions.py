"""The buttons of a monitoring record's page (households.record_actions): each calls the service of
its step, and is offered only when that service would accept it from this user now."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.monitoring import forms as f
from assistance.monitoring.services import measures, records, visits
from core.workflow import services as chain
from core.workflow.actions import (
    DatedReasonForm,
    PublicityStartForm,
    RecordAction,
    register_actions,
    with_reason,
)
from core.workflow.choices import PublicityResult
from core.workflow.models import Publicity

NO_OPEN_PUBLICITY = "该记录没有正在进行的公示"
TRIAL = "（试算）"


def _open_publicity(record) -> Publicity:
    found = Publicity.objects.filter(
        record_kind=records.KIND, record_id=record.pk, result=PublicityResult.OPEN
    ).first()
    if found is None:
        raise ValidationError(NO_OPEN_PUBLICITY)
    return found


def _today() -> dict:
    return {"democratic_review_date": timezone.localdate()}


def _publicity_probe() -> dict:
    return {"start": timezone.localdate(), "place": TRIAL}


def _objection_probe() -> dict:
    return {"reason": TRIAL, "received_on": timezone.localdate()}


def _include_probe() -> dict:
    return {"category": "edge_vulnerable", "risk_types": [], "risk_other": "", "note": ""}


def _measure_probe() -> dict:
    return {"risk_type": "", "kind": "safety_net", "content": TRIAL, "date": timezone.localdate(),
            "responsible_unit": TRIAL, "amount": None}  # fmt: skip


def _follow_up_probe() -> dict:
    return {"visited_on": timezone.localdate(), "visitors": TRIAL, "findings": TRIAL, "percap_income": None}


def _include(r, u, d):
    return records.decide_identification(
        record=r, user=u, include=True, category=d["category"], risk_types=d.get("risk_types") or None,
        risk_other=d.get("risk_other", ""), reason=d.get("note", ""),
    )  # fmt: skip


def _measure(r, u, d):
    return measures.add_measure(
        episode=r, user=u, kind=d["kind"], risk_type=d.get("risk_type") or r.risk_types[0],
        content=d["content"], date=d["date"], responsible_unit=d["responsible_unit"],
        amount=d.get("amount") or Decimal("0.00"),
    )  # fmt: skip


register_actions(
    "assistance.MonitoringRecord",
    [
        RecordAction(
            "submit",
            "民主评议后提交",
            lambda r, u, d: records.submit_record(record=r, user=u, **d),
            done="已提交乡镇，待公示和审核",
            form=f.SubmitForm,
            probe=_today,
        ),  # fmt: skip
        RecordAction(
            "start_publicity",
            "开始公示",
            lambda r, u, d: records.start_publicity(record=r, user=u, start=d["start"], place=d["place"]),
            done="已开始公示",
            form=PublicityStartForm,
            probe=_publicity_probe,
        ),  # fmt: skip
        RecordAction(
            "objection",
            "登记公示异议",
            lambda r, u, d: chain.record_objection(
                publicity=_open_publicity(r), user=u, content=d["reason"], received_on=d["received_on"]
            ),
            done="已登记异议，须重新公示",
            form=DatedReasonForm,
            probe=_objection_probe,
            danger=True,
        ),  # fmt: skip
        RecordAction(
            "close_publicity",
            "公示期满无异议",
            lambda r, u, d: chain.close_publicity(publicity=_open_publicity(r), user=u),
            done="公示已结束",
            confirm="确认公示期满且无异议？",
        ),  # fmt: skip
        RecordAction(
            "approve",
            "乡镇审核通过",
            lambda r, u, d: records.township_approve(record=r, user=u),
            done="已审核通过，报县级审定",
        ),  # fmt: skip
        RecordAction(
            "include", "纳入监测", _include, done="已审定纳入监测", form=f.IncludeForm, probe=_include_probe
        ),
        with_reason(
            "exclude",
            "不纳入监测",
            lambda r, u, d: records.decide_identification(
                record=r, user=u, include=False, reason=d["reason"]
            ),
            done="已审定不纳入监测",
        ),  # fmt: skip
        RecordAction(
            "eliminate",
            "审定风险消除",
            lambda r, u, d: records.decide_elimination(record=r, user=u, eliminate=True),
            done="已审定风险消除",
            confirm="确认该户风险已消除？",
        ),  # fmt: skip
        with_reason(
            "not_eliminate",
            "不予消除",
            lambda r, u, d: records.decide_elimination(record=r, user=u, eliminate=False, reason=d["reason"]),
            done="已审定不予消除，继续监测",
        ),  # fmt: skip
        with_reason(
            "return",
            "退回",
            lambda r, u, d: records.return_record(record=r, user=u, reason=d["reason"]),
            done="已退回",
        ),  # fmt: skip
        RecordAction(
            "measure",
            "登记帮扶措施",
            _measure,
            done="已登记帮扶措施",
            form=f.MeasureForm,
            probe=_measure_probe,
        ),
        RecordAction(
            "follow_up",
            "登记跟踪回访",
            lambda r, u, d: visits.record_follow_up(episode=r, user=u, **d),
            done="已登记回访",
            form=f.FollowUpForm,
            probe=_follow_up_probe,
        ),  # fmt: skip
        RecordAction(
            "propose_elimination",
            "提出风险消除",
            lambda r, u, d: records.propose_elimination(episode=r, user=u),
            done="已提出风险消除，请在新记录中填写民主评议并提交",
            confirm="按规则测算符合条件，确认提出风险消除？",
        ),  # fmt: skip
    ],
)
