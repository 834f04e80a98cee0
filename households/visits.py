"""Recording a visit (走访 / 入户核实), the one place every client goes through: the phone pages'
upload, the API and the demo.

- Idempotent: a phone names each record with an id it made (`client_id`); sending it again —
  after a lost answer, a reload, a second tap — returns the stored visit and changes nothing.
- Append-only: a visit is never edited from the field, so two phones never conflict. Household
  facts found in the field are kept as a proposal on the visit and become a change request
  (households.workflow), never an overwrite.
- Location is recorded, never required and never a reason to refuse: a visit farther than the
  dated parameter `visit.max_distance_km` from the household's recorded location is flagged for
  the township."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from core import parameters
from core.scoping import scoped
from households import permissions, photos
from households.choices import ProposalState, VisitPurpose
from households.models import Household, Visit, VisitPhoto

VISIT_FORBIDDEN = "您的角色不能记录走访"
HOUSEHOLD_NOT_FOUND = "未找到该户，或该户不在您的帮扶范围内"
DATE_IN_FUTURE = "走访日期不能晚于今天"
DATE_REQUIRED = "请填写走访日期"
CONTENT_REQUIRED = "请填写走访内容（做了什么）"
TOO_MANY_PHOTOS = "每次走访最多上传 {n} 张照片"
CLIENT_ID_TAKEN = "该记录编号已被其他记录使用，请重新填写"
LOCATION_INCOMPLETE = "定位数据不完整（缺少经度或纬度）"
LOCATION_OUT_OF_RANGE = "定位数据超出范围"
EARTH_RADIUS_M = 6_371_000


@dataclass
class VisitInput:
    household_id: int
    visit_date: dt.date | None
    content: str
    client_id: uuid.UUID | None = None
    purpose: str = VisitPurpose.ROUTINE
    met_persons: str = ""
    measures_delivered: str = ""
    problems: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None
    photos: list = field(default_factory=list)
    photo_times: list[dt.datetime | None] = field(default_factory=list)
    proposed_changes: dict = field(default_factory=dict)


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def max_distance_km(household: Household, day: dt.date) -> Decimal:
    # Read through core's parameter port: the parameter store sits a floor up (programs).
    return Decimal(
        str(parameters.value("visit.max_distance_km", region_code=household.village_id, as_of=day))
    )


def stamp_recorder(visit: Visit, user) -> None:
    """记录人 is the person who entered the visit: set by the system to the signed-in user when the
    visit is created, never chosen and never changed afterwards. The one place every client sets it:
    record_visit (the phone pages, the API, the demo) and the household page's 走访记录 rows
    (households.forms.VisitFormSet)."""
    if visit._state.adding:
        visit.recorded_by = user


def recorder_name(user) -> str:
    """记录人 as a page shows it: the person's name, never their login name (a user without a name
    shows as their role)."""
    return user.get_full_name() or user.get_role_display()


def _visitor_name(user) -> str:
    person = getattr(user, "helper_person", None)
    if person is not None:
        return person.name
    return str(user)[:50]


def _validate(data: VisitInput, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    if data.visit_date is None:
        errors["visit_date"] = [DATE_REQUIRED]
    elif data.visit_date > today:
        errors["visit_date"] = [DATE_IN_FUTURE]
    if not (data.content or "").strip():
        errors["content"] = [CONTENT_REQUIRED]
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = [LOCATION_INCOMPLETE]
    elif data.latitude is not None and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180):
        errors["latitude"] = [LOCATION_OUT_OF_RANGE]
    if len(data.photos) > settings.FIELD_PHOTOS_PER_VISIT:
        errors["photos"] = [TOO_MANY_PHOTOS.format(n=settings.FIELD_PHOTOS_PER_VISIT)]
    if errors:
        raise ValidationError(errors)


def existing_visit(*, user, client_id) -> Visit | None:
    """The visit this user already sent under this id, if any (a repeated send)."""
    if client_id is None:
        return None
    found = Visit.objects.filter(client_id=client_id).first()
    if found is None:
        return None
    if found.recorded_by_id != user.pk:
        raise ValidationError({"client_id": [CLIENT_ID_TAKEN]})
    return found


def record_visit(*, user, data: VisitInput) -> tuple[Visit, bool]:
    """Store a visit with its photos; returns (visit, created). A repeated client_id returns the
    stored visit with created=False. Raises Http404 outside the user's scope (so ids never leak),
    PermissionDenied for a role that may not record, ValidationError (Chinese, per field)."""
    if not permissions.can_record_visit(user):
        raise PermissionDenied(VISIT_FORBIDDEN)
    earlier = existing_visit(user=user, client_id=data.client_id)
    if earlier is not None:
        return earlier, False
    household = (
        scoped(Household.objects.filter(archived_at__isnull=True), user).filter(pk=data.household_id).first()
    )
    if household is None:
        raise Http404(HOUSEHOLD_NOT_FOUND)
    today = timezone.localdate()
    _validate(data, today)
    cleaned = []
    photo_errors = []
    for i, upload in enumerate(data.photos):
        fallback = data.photo_times[i] if i < len(data.photo_times) else None
        try:
            cleaned.append(photos.clean_photo(upload, fallback_time=fallback))
        except ValidationError as exc:
            photo_errors.extend(exc.messages)
    if photo_errors:
        raise ValidationError({"photos": photo_errors})

    visit = Visit(
        household=household,
        visit_date=data.visit_date,
        visitor=_visitor_name(user),
        helper=getattr(user, "helper_person", None),
        purpose=data.purpose or VisitPurpose.ROUTINE,
        met_persons=(data.met_persons or "").strip()[:200],
        content=data.content.strip(),
        measures_delivered=(data.measures_delivered or "").strip(),
        problems=(data.problems or "").strip(),
        client_id=data.client_id,
        latitude=data.latitude,
        longitude=data.longitude,
        accuracy_m=data.accuracy_m,
        proposed_changes=data.proposed_changes or {},
        proposal_state=ProposalState.PENDING if data.proposed_changes else ProposalState.NONE,
    )
    stamp_recorder(visit, user)
    if visit.latitude is not None and household.latitude is not None:
        metres = distance_m(household.latitude, household.longitude, visit.latitude, visit.longitude)
        visit.distance_m = round(metres)
        visit.far_from_home = Decimal(metres) > max_distance_km(household, data.visit_date) * 1000
    try:
        with transaction.atomic():
            visit.save()
            for photo in cleaned:
                row = VisitPhoto(
                    visit=visit,
                    taken_at=photo.taken_at,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=len(photo.content),
                )
                row.image.save(f"{row.pk}.jpg", ContentFile(photo.content), save=False)
                row.save()
    except IntegrityError:
        # the same client_id arrived twice at once: the other request stored it
        again = existing_visit(user=user, client_id=data.client_id)
        if again is None:
            raise
        return again, False
    return visit, True


def visits_for(user, household: Household):
    """The household's 走访记录, newest first, with their photos (scoped)."""
    return (
        scoped(Visit.objects.filter(household=household), user)
        .prefetch_related("photos")
        .order_by("-visit_date", "-id")
    )
