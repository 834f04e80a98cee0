"""帮扶措施 of a monitored household, linked to its monitoring episode and to one of its risks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.choices import MeasureKind
from assistance.models import AssistanceMeasure
from assistance.monitoring import rules
from assistance.monitoring.choices import RiskType
from assistance.monitoring.models import MonitoringRecord
from assistance.monitoring.services.leads import require_lead_role
from households.models import Member

NOT_MONITORED = "该户不是风险未消除的监测对象"
FUTURE_DATE = "实施日期不能晚于今天"
BEFORE_DECISION = "实施日期不能早于线索发现日期"


@transaction.atomic
def add_measure(
    *,
    episode: MonitoringRecord,
    user,
    kind: str,
    risk_type: str,
    content: str,
    date: dt.date,
    responsible_unit: str,
    amount: Decimal = Decimal("0.00"),
    member: Member | None = None,
) -> AssistanceMeasure:
    """A measure for one of the episode's risks (因病 → 健康帮扶 …; 兜底保障 answers any risk)."""
    episode = MonitoringRecord.objects.select_related("household").get(pk=episode.pk)
    require_lead_role(user, episode.household.village_id)
    if not episode.is_episode_open:
        raise ValidationError(NOT_MONITORED)
    if risk_type not in episode.risk_types:
        raise ValidationError({"risk_type": rules.RISK_NOT_OF_RECORD.format(risk=RiskType(risk_type).label)})
    if not rules.measure_fits_risk(kind, risk_type):
        allowed = sorted({*rules.RISK_MEASURES[risk_type], rules.ANY_RISK_MEASURE})
        raise ValidationError(
            {
                "kind": rules.MEASURE_NOT_FOR_RISK.format(
                    kind=MeasureKind(kind).label,
                    risk=RiskType(risk_type).label,
                    allowed="、".join(MeasureKind(k).label for k in allowed),
                )
            }
        )
    if date > timezone.localdate():
        raise ValidationError({"date": FUTURE_DATE})
    if date < episode.lead_date:
        raise ValidationError({"date": BEFORE_DECISION})
    measure = AssistanceMeasure(
        household=episode.household, member=member, kind=kind, content=content.strip(), amount=amount,
        date=date, responsible_unit=responsible_unit.strip(), monitoring_record=episode, risk_type=risk_type,
    )  # fmt: skip
    measure.full_clean(exclude=["household", "member", "monitoring_record"])
    measure.save()
    return measure
