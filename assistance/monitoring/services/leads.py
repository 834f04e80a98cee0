"""线索: entered by cadres, reported by households on the public page, found in agency lists
(reports.crosscheck, set-based through insert_leads) and by the R16 rule (leads_from_system); closed
only with an outcome and a reason."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assistance.monitoring.choices import LeadOutcome, LeadSource, LeadStatus, RiskType
from assistance.monitoring.models import MonitoringLead
from assistance.monitoring.params import lead_deadlines
from core import privacy
from core.choices import RegionLevel, Role
from core.idcard import parse_id, to_18
from core.models import Region
from core.permissions import role_of
from core.scoping import is_in_scope, scoped
from households.models import Household, Member

logger = logging.getLogger(__name__)

ENTRY_ROLES = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}
NOT_YOURS = "该线索不在您的管辖范围内"
ROLE_CANNOT = "您的角色不能办理监测线索"
RISK_REQUIRED = "请至少选择一项风险类型"
RISK_UNKNOWN = "风险类型“{value}”不在代码表中"
NAME_REQUIRED = "请填写姓名"
NOT_A_VILLAGE = "线索须落到村"
MEMBER_OTHER_HOUSEHOLD = "所选成员不属于该户"
CLOSE_OUTCOMES = (LeadOutcome.DIBAO_TEKUN, LeadOutcome.NO_RISK)
OUTCOME_REQUIRED = "请选择办理结果：纳入低保/特困或核实无风险（纳入监测由县级审定）"
OUTCOME_REASON_REQUIRED = "请填写办理说明"
LEAD_NOT_OPEN = "线索当前为“{status}”，不能{action}"
FUTURE_DATE = "发现日期不能晚于今天"

# The columns insert_leads() fills; a SELECT handed to it yields them in this order.
LEAD_COLUMNS = (
    "source, source_kind, source_key, village_id, household_id, member_id, name, id_no, phone, risk_types, "
    "description, severity, detected_on, verify_deadline, identify_deadline"
)


def require_lead_role(user, region_code: str) -> None:
    if role_of(user) not in ENTRY_ROLES:
        raise PermissionDenied(ROLE_CANNOT)
    if not is_in_scope(user, region_code):
        raise PermissionDenied(NOT_YOURS)


def require_visit_role(user, *, village_code: str, household: Household | None) -> None:
    """入户核实 and 跟踪回访: the village's staff (require_lead_role), or the household's own 帮扶责任人
    (issue 26: the helper checks a lead of a household assigned to them on the phone)."""
    if role_of(user) == Role.HELPER:
        if household is None or not scoped(Household.objects.filter(pk=household.pk), user).exists():
            raise PermissionDenied(NOT_YOURS)
        return
    require_lead_role(user, village_code)


def clean_risk_types(values) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if not values:
        raise ValidationError({"risk_types": RISK_REQUIRED})
    for value in values:
        if value not in RiskType.values:
            raise ValidationError({"risk_types": RISK_UNKNOWN.format(value=value)})
    return values


def _member_by_id(id_no: str, county_prefix: str) -> Member | None:
    """The active member with this number in the county's register (any 15/18-digit spelling)."""
    if not id_no:
        return None
    return (
        Member.objects.filter(
            id_no__in={id_no, id_no.lower()},
            member_status="normal",
            household__village__code__startswith=county_prefix,
            household__archived_at__isnull=True,
        )
        .select_related("household")
        .first()
    )


def _new_lead(*, village_code: str, detected_on: dt.date, **fields) -> MonitoringLead:
    verify, identify = lead_deadlines(region_code=village_code, detected_on=detected_on)
    lead = MonitoringLead(
        village_id=village_code, detected_on=detected_on, verify_deadline=verify, identify_deadline=identify,
        **fields,
    )  # fmt: skip
    lead.full_clean(exclude=["record", "household", "member", "village", "created_by"])
    lead.save()
    return lead


@transaction.atomic
def create_lead(
    *,
    user,
    village: Region,
    risk_types,
    description: str = "",
    household: Household | None = None,
    member: Member | None = None,
    name: str = "",
    id_no: str = "",
    phone: str = "",
    detected_on: dt.date | None = None,
    source: str = LeadSource.CADRE_VISIT,
) -> MonitoringLead:
    """干部走访排查: a cadre records a possible risk in a village (of a registered household or not)."""
    today = timezone.localdate()
    detected_on = detected_on or today
    if detected_on > today:
        raise ValidationError({"detected_on": FUTURE_DATE})
    if village.level != RegionLevel.VILLAGE:
        raise ValidationError({"village": NOT_A_VILLAGE})
    require_lead_role(user, village.code)
    if household is not None:
        village = household.village
        require_lead_role(user, village.code)
    if member is not None:
        if household is None:
            household = member.household
        if member.household_id != household.pk:
            raise ValidationError({"member": MEMBER_OTHER_HOUSEHOLD})
    id_no = to_18(id_no.strip()) if id_no else ""
    if id_no:
        parse_id(id_no, today=today)
    if member is not None:
        name, id_no = name or member.name, id_no or member.id_no
    if not (name or "").strip() and household is None:
        raise ValidationError({"name": NAME_REQUIRED})
    return _new_lead(
        village_code=village.code, detected_on=detected_on, source=source,
        source_key=f"u{user.pk}:{uuid.uuid4().hex}", household=household, member=member,
        name=name.strip(), id_no=id_no, phone=phone.strip(), risk_types=clean_risk_types(risk_types),
        description=description.strip()[:500], created_by=user,
    )  # fmt: skip


def _receipt_number(today: dt.date) -> str:
    """Date + 6 random digits: not guessable, and read out over the phone easily."""
    return f"{today:%Y%m%d}{secrets.randbelow(10**6):06d}"


def self_report(
    *,
    village: Region,
    name: str,
    id_no: str,
    phone: str,
    risk_types,
    description: str,
    today: dt.date | None = None,
) -> MonitoringLead:
    """农户自主申报 from the public page: a lead for the village clerk. The caller answers every
    submission the same way (the receipt number), whatever the register holds; the register is
    matched here only to route the lead (the member's household, in its own village)."""
    today = today or timezone.localdate()
    id_no = to_18(id_no.strip())
    parse_id(id_no, today=today)
    member = _member_by_id(id_no, village.code[:6])
    household = member.household if member is not None else None
    village_code = household.village_id if household is not None else village.code
    for _ in range(5):
        try:
            with transaction.atomic():
                lead = _new_lead(
                    village_code=village_code, detected_on=today, source=LeadSource.SELF_REPORT,
                    source_key=f"r:{uuid.uuid4().hex}", household=household, member=member, name=name.strip(),
                    id_no=id_no, phone=phone.strip(), risk_types=clean_risk_types(risk_types),
                    description=description.strip()[:500], receipt_no=_receipt_number(today),
                )  # fmt: skip
            break
        except IntegrityError:  # the same receipt number drawn twice: draw again
            continue
    else:  # pragma: no cover - a million numbers a day
        raise ValidationError("系统繁忙，请稍后再试")
    logger.info(
        "自主申报：%s村 回执%s 身份证号%s",
        village.code,
        lead.receipt_no,
        privacy.mask(privacy.Kind.ID_NO, id_no),
    )
    return lead


@transaction.atomic
def close_lead(*, lead: MonitoringLead, user, outcome: str, reason: str) -> MonitoringLead:
    """办结 a lead still waiting for its 入户核实: 纳入低保/特困 or 核实无风险, with a reason. Leads in
    a 认定 close when the county decides the record (纳入监测 / 不纳入)."""
    lead = MonitoringLead.objects.select_for_update().get(pk=lead.pk)
    require_lead_role(user, lead.village_id)
    if lead.status != LeadStatus.OPEN:
        raise ValidationError(LEAD_NOT_OPEN.format(status=lead.get_status_display(), action="办结"))
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError({"outcome": OUTCOME_REQUIRED})
    if not (reason or "").strip():
        raise ValidationError({"outcome_reason": OUTCOME_REASON_REQUIRED})
    lead.status = LeadStatus.CLOSED
    lead.outcome = outcome
    lead.outcome_reason = reason.strip()[:400]
    lead.closed_by = user
    lead.closed_at = timezone.now()
    lead.save(update_fields=["status", "outcome", "outcome_reason", "closed_by", "closed_at"])
    return lead


@transaction.atomic
def assign_household(*, lead: MonitoringLead, user, household: Household) -> MonitoringLead:
    """A lead about a person outside the register, once the village has entered the household (or
    found the person in another one); a county-level lead moves to the household's village."""
    lead = MonitoringLead.objects.select_for_update().get(pk=lead.pk)
    require_lead_role(user, lead.village_id)
    require_lead_role(user, household.village_id)
    if lead.status != LeadStatus.OPEN:
        raise ValidationError(LEAD_NOT_OPEN.format(status=lead.get_status_display(), action="关联农户"))
    lead.household = household
    lead.village_id = household.village_id
    lead.member = household.members.filter(id_no=lead.id_no).first() if lead.id_no else None
    lead.save(update_fields=["household", "village", "member"])
    return lead


def insert_leads(select_sql: str, params: dict) -> int:
    """Set-based: INSERT … SELECT of leads (columns LEAD_COLUMNS, in order); a lead already recorded
    from the same source (source, source_key) is skipped, so a re-run adds only what is new."""
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO assistance_monitoringlead ({LEAD_COLUMNS}, status, outcome, outcome_reason, "  # noqa: S608
            f"created_at) SELECT *, 'open', '', '', now() FROM ({select_sql}) AS new_leads "
            "ON CONFLICT ON CONSTRAINT monitoring_lead_once DO NOTHING",
            params,
        )
        return cur.rowcount


# Households the R16 rule flags (stored decisions of programs, program 'monitoring') that are not
# monitored now, have no open lead and no 认定 in progress: one lead each, set-based.
SYSTEM_LEADS = """
    SELECT 'system', '', 'r16:' || h.id || ':' || r.as_of, h.village_id, h.id, NULL::bigint, '', '', '',
           ARRAY['other']::varchar[],
           left('系统测算：'
                || array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.reasons)), '；'), 500),
           '', %(today)s::date, %(verify)s::date, %(identify)s::date
    FROM programs_eligibilityresult r
    JOIN households_household h ON h.id = r.household_id
    WHERE r.program_id = 'monitoring' AND r.eligible
      AND h.village_id LIKE %(prefix)s AND h.archived_at IS NULL AND h.review_state = 'verified'
      AND h.monitoring_state <> 'at_risk'
      AND NOT EXISTS (SELECT 1 FROM assistance_monitoringlead l
                      WHERE l.household_id = h.id AND l.status <> 'closed')
      AND NOT EXISTS (SELECT 1 FROM assistance_monitoringrecord m
                      WHERE m.household_id = h.id AND m.decision = 'pending')
"""


def leads_from_system(*, county_code: str, today: dt.date | None = None) -> int:
    """系统测算: the R16 candidates of a county become leads (nightly after the recalculation)."""
    today = today or timezone.localdate()
    verify, identify = lead_deadlines(region_code=county_code, detected_on=today)
    return insert_leads(
        SYSTEM_LEADS,
        {"prefix": county_code[:6] + "%", "today": today, "verify": verify, "identify": identify},
    )
