"""入户核实 (the village with the household's 帮扶责任人: findings, an income check, photos) and
跟踪回访 of a monitored household. The field engineer's phone form (issue 26) calls these."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assistance.monitoring.choices import Decision, LeadOutcome, LeadStatus, Purpose, VisitKind
from assistance.monitoring.models import MonitoringLead, MonitoringPhoto, MonitoringRecord, MonitoringVisit
from assistance.monitoring.services.leads import clean_risk_types, require_visit_role
from households.models import HelperPerson, Household
from households.photos import clean_photo

FUTURE_VISIT = "走访日期不能晚于今天"
BEFORE_LEAD = "入户核实日期不能早于线索发现日期"
FINDINGS_REQUIRED = "请填写核实情况"
VISITORS_REQUIRED = "请填写走访人员"
HOUSEHOLD_REQUIRED = "该线索的人员尚未登记入户：请先录入或关联农户，再提出监测认定"
ALREADY_MONITORED = "该户已是监测对象（风险未消除），请在其监测记录中跟踪回访"
LEAD_NOT_OPEN = "线索当前为“{status}”，不能再入户核实"
CLIENT_ID_TAKEN = "该记录编号已被其他记录使用，请重新填写"
NOT_MONITORED = "该户不是风险未消除的监测对象，不能登记跟踪回访"
NEGATIVE_INCOME = "核查收入不能为负数"


def _check_visit(*, visited_on: dt.date, visitors: str, findings: str, percap_income: Decimal | None) -> None:
    errors = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = FUTURE_VISIT
    if not (visitors or "").strip():
        errors["visitors"] = VISITORS_REQUIRED
    if not (findings or "").strip():
        errors["findings"] = FINDINGS_REQUIRED
    if percap_income is not None and percap_income < 0:
        errors["percap_income"] = NEGATIVE_INCOME
    if errors:
        raise ValidationError(errors)


def _save_visit(*, photos: Iterable, **fields) -> MonitoringVisit:
    """The visit and its photos, each checked and re-encoded by the field visits' one photo policy
    (households.photos: content sniffed, size bounded, EXIF dropped but the time)."""
    cleaned = [(getattr(p, "name", "")[:100], clean_photo(p)) for p in photos or ()]
    visit = MonitoringVisit.objects.create(**fields)
    for name, photo in cleaned:
        MonitoringPhoto.objects.create(
            visit=visit, image=ContentFile(photo.content, name=f"{uuid.uuid4().hex}.jpg"), note=name
        )
    return visit


def _identification_for(
    household: Household,
    *,
    lead: MonitoringLead | None,
    user,
    visited_on: dt.date,
    risk_types: list[str],
    category: str,
    risk_other: str,
) -> MonitoringRecord:
    """The household's identification in progress (this lead joins it), or a new draft."""
    if MonitoringRecord.objects.filter(
        household=household, purpose=Purpose.IDENTIFY, decision=Decision.INCLUDED, eliminated_on__isnull=True
    ).exists():
        raise ValidationError(ALREADY_MONITORED)
    record = (
        MonitoringRecord.objects.select_for_update()
        .filter(household=household, purpose=Purpose.IDENTIFY, decision=Decision.PENDING)
        .first()
    )
    if record is None:
        return MonitoringRecord.objects.create(
            household=household, purpose=Purpose.IDENTIFY, source=lead.source if lead else "cadre_visit",
            category=category, risk_types=risk_types, risk_other=risk_other.strip(),
            lead_date=lead.detected_on if lead else visited_on,
            identify_deadline=lead.identify_deadline if lead else None, applied_by=user,
        )  # fmt: skip
    record.risk_types = list(dict.fromkeys([*record.risk_types, *risk_types]))
    if lead is not None and lead.detected_on < record.lead_date:
        record.lead_date, record.identify_deadline = lead.detected_on, lead.identify_deadline
    record.category = record.category or category
    record.save(update_fields=["risk_types", "lead_date", "identify_deadline", "category", "updated_at"])
    return record


@transaction.atomic
def record_verification(
    *,
    user,
    visited_on: dt.date,
    visitors: str,
    findings: str,
    risk_found: bool,
    lead: MonitoringLead | None = None,
    household: Household | None = None,
    helper: HelperPerson | None = None,
    percap_income: Decimal | None = None,
    risk_types: Iterable[str] = (),
    category: str = "",
    risk_other: str = "",
    photos: Iterable = (),
    client_id: uuid.UUID | None = None,
) -> MonitoringVisit | None:
    """入户核实 of a lead (or of a household a cadre found at risk without one).

    `client_id` is the id a phone gave a check it kept while offline: sending it again returns the
    stored visit and changes nothing (the lead is no longer open by then).

    risk_found False closes the lead as 核实无风险 (the findings are its reason). risk_found True
    opens (or joins) the household's 监测对象认定 in draft, with the risk types found and the category
    proposed; the village then records the 民主评议 and submits it (records.submit_record). The visit
    is returned (None for a person outside the register found without risk: the lead keeps the findings)."""
    if client_id is not None:
        earlier = MonitoringVisit.objects.filter(client_id=client_id).first()
        if earlier is not None:
            if earlier.created_by_id != user.pk:
                raise ValidationError({"client_id": CLIENT_ID_TAKEN})
            return earlier
    if lead is not None:
        lead = MonitoringLead.objects.select_for_update().get(pk=lead.pk)
        require_visit_role(user, village_code=lead.village_id, household=household or lead.household)
        if lead.status != LeadStatus.OPEN:
            raise ValidationError(LEAD_NOT_OPEN.format(status=lead.get_status_display()))
        if visited_on < lead.detected_on:
            raise ValidationError({"visited_on": BEFORE_LEAD})
        household = household or lead.household
    if household is not None:
        require_visit_role(user, village_code=household.village_id, household=household)
    _check_visit(visited_on=visited_on, visitors=visitors, findings=findings, percap_income=percap_income)
    record = None
    if risk_found:
        if household is None:
            raise ValidationError({"household": HOUSEHOLD_REQUIRED})
        types = clean_risk_types(list(risk_types) or (lead.risk_types if lead else []))
        record = _identification_for(
            household, lead=lead, user=user, visited_on=visited_on, risk_types=types, category=category,
            risk_other=risk_other,
        )  # fmt: skip
    elif household is None and lead is None:
        raise ValidationError({"household": HOUSEHOLD_REQUIRED})
    visit = _save_visit(
        photos=photos, household=household or lead.household, record=record, lead=lead,
        kind=VisitKind.VERIFICATION, visited_on=visited_on, visitors=visitors.strip(), helper=helper,
        findings=findings.strip(), percap_income=percap_income, risk_found=risk_found, created_by=user,
        client_id=client_id,
    ) if household is not None else None  # fmt: skip
    if lead is not None:
        lead.verified_on = visited_on
        lead.household = household or lead.household
        if record is not None:
            lead.status, lead.record = LeadStatus.IN_REVIEW, record
        else:
            lead.status, lead.outcome = LeadStatus.CLOSED, LeadOutcome.NO_RISK
            lead.outcome_reason = f"入户核实：{findings.strip()}"[:400]
            lead.closed_by, lead.closed_at = user, timezone.now()
        lead.save()
    return visit


@transaction.atomic
def record_follow_up(
    *,
    episode: MonitoringRecord,
    user,
    visited_on: dt.date,
    visitors: str,
    findings: str,
    percap_income: Decimal | None = None,
    helper: HelperPerson | None = None,
    photos: Iterable = (),
) -> MonitoringVisit:
    """跟踪回访 of a monitored household: its income checks are what 风险消除 counts months on."""
    episode = MonitoringRecord.objects.select_related("household").get(pk=episode.pk)
    require_visit_role(user, village_code=episode.household.village_id, household=episode.household)
    if not episode.is_episode_open:
        raise ValidationError(NOT_MONITORED)
    _check_visit(visited_on=visited_on, visitors=visitors, findings=findings, percap_income=percap_income)
    return _save_visit(
        photos=photos, household=episode.household, record=episode, kind=VisitKind.FOLLOW_UP,
        visited_on=visited_on, visitors=visitors.strip(), helper=helper, findings=findings.strip(),
        percap_income=percap_income, risk_found=True, created_by=user,
    )  # fmt: skip
