"""Field work in the demo county (issue 26): the two 帮扶责任人 accounts (registry.HELPER_ACCOUNTS) take
over households of 东屏村 and 尚文村 (the earlier pairing ends the day before, so the history is kept),
and record their visits through the one visit service with generated photos and a location. One
monitored household of 李春华 and one household of 王振国 are left overdue for the 待办 pages, a
lead waits for 李春华's 入户核实, and one of her visits found a change (收入变化) for the village clerk."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw

from assistance.monitoring.services import leads
from core.models import User
from devdata import registry
from households.models import HelperAssignment, Household
from households.visits import VisitInput, record_visit

SHANGWEN = "211223206202"  # 明德满族乡 尚文村
# The village's centre (approximate, for the households' recorded locations in the demo).
CENTRE = (Decimal("42.720000"), Decimal("124.930000"))
VISITS = [
    ("户主、配偶", "入户走访，了解秋收情况，核实家庭收入", "协调玉米收购，落实到户产业补助", ""),
    ("户主", "宣讲防返贫监测政策，告知自主申报渠道", "讲解医保报销流程", "慢性病用药负担重"),
    ("户主及子女", "了解子女就学情况，核对教育资助", "协助申请雨露计划补助", "子女上学路远"),
]

FOUND = {"kind": "income", "value": "儿子今年外出务工，每月寄回约两千元"}


def photo(seed: int) -> ContentFile:
    """A generated picture of a house (no camera, no real place)."""
    image = Image.new("RGB", (800, 600), (150 + seed * 7 % 60, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(110, 150, 80))
    draw.rectangle((250, 280, 550, 460), fill=(200, 180, 150))
    draw.polygon([(230, 290), (400, 170), (570, 290)], fill=(150, 60, 50))
    draw.rectangle((370, 360, 430, 460), fill=(90, 60, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name=f"走访照片{seed}.jpg")


def _pick(village: str, skip: set[int], n: int) -> list[Household]:
    """Monitored households first, then the others, in a stable order."""
    qs = Household.objects.filter(village_id=village, archived_at__isnull=True).exclude(pk__in=skip)
    monitored = list(qs.exclude(monitoring_state="none").order_by("pk")[:2])
    rest = list(qs.exclude(pk__in=[h.pk for h in monitored]).order_by("pk")[: n - len(monitored)])
    return monitored + rest


def needed() -> bool:
    return not HelperAssignment.objects.filter(
        helper__user__username__in=[a[0] for a in registry.HELPER_ACCOUNTS]
    ).exists()


@transaction.atomic
def build(*, today: dt.date, life) -> None:
    li, wang = (User.objects.get(username=account[0]) for account in registry.HELPER_ACCOUNTS)
    clerk_village = next(iter(registry.DEMO_VILLAGES))
    start = today - dt.timedelta(days=200)
    li_households = _pick(clerk_village, set(), 6)
    wang_households = _pick(clerk_village, {h.pk for h in li_households}, 4) + _pick(SHANGWEN, set(), 3)
    for user, households in ((li, li_households), (wang, wang_households)):
        for i, household in enumerate(households):
            # the household's recorded location, a few hundred metres apart
            if household.latitude is None:
                household.latitude = CENTRE[0] + Decimal(i) / 1000
                household.longitude = CENTRE[1] + Decimal(i) / 1000
                household.save(update_fields=["latitude", "longitude"])
            HelperAssignment.objects.filter(household=household, end__isnull=True).update(
                end=start - dt.timedelta(days=1)
            )
            HelperAssignment.objects.create(household=household, helper=user.helper_person, start=start)
        life.add(f"结对帮扶户（{user.helper_person.name}）", len(households))
    # a lead waiting for the helper's 入户核实 on the phone (干部走访排查 by the village)
    clerk = User.objects.get(username="cun_dongping")
    target = li_households[-1]
    if not target.monitoring_leads.filter(status="open").exists():
        leads.create_lead(
            user=clerk, village=target.village, household=target, source="cadre_visit",
            risk_types=["illness"],
            description="村医反映户主近期住院，医疗费用较高，请帮扶责任人入户核实",
            detected_on=today - dt.timedelta(days=2),
        )  # fmt: skip
        life.add("待入户核实的线索（手机）")
    seed = 0
    plan = ((li, li_households, 0), (wang, wang_households, len(wang_households) - 1))
    for user, households, overdue in plan:
        for i, household in enumerate(households):
            if i == overdue and user is li:
                continue  # a monitored household not visited for months: overdue on 待办
            seed += 1
            met, content, measures, problems = VISITS[seed % len(VISITS)]
            days_ago = 120 if i == overdue else 3 + seed * 2
            record_visit(
                user=user,
                data=VisitInput(
                    household_id=household.pk,
                    visit_date=today - dt.timedelta(days=days_ago),
                    content=content,
                    client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fupin-demo-visit-{household.pk}"),
                    met_persons=met,
                    measures_delivered=measures,
                    problems=problems,
                    latitude=household.latitude + Decimal("0.0004"),
                    longitude=household.longitude,
                    accuracy_m=12 + seed,
                    photos=[photo(seed)] if seed <= 8 else [],
                    # one fact found in the field, waiting on the village clerk's 待办 (no overwrite)
                    proposed_changes=FOUND if seed == 2 else {},
                ),
            )
            life.add("手机走访记录")
