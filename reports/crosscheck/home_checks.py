"""入户核实 of a 疑点 in the field (issue 26): the 帮扶责任人 or the village clerk goes to the home and
records what they found — 属实 / 不属实 (for a 疑似同一人 pair: one person or two), what they saw, and
photos — on a visit (households.visits.record_visit: the phone's client id, so a retried upload is
stored once; EXIF stripped; location flagged, never refused).

The chain is unchanged: the village answers, the township confirms (services.answer_hit). A clerk's
own check is her answer, in the same transaction (a refused answer stores nothing); a helper's check
is evidence the clerk sees on the 疑点 and answers with."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404

from assistance.models import DibaoCase
from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from households.choices import VisitPurpose
from households.visits import CLIENT_ID_TAKEN, VisitInput, existing_visit, record_visit
from households.workflow.models import ChangeRequest
from reports.crosscheck import services
from reports.crosscheck.choices import PAIR_RESULT_LABELS, Answer, CheckResult, HitStatus, Rule
from reports.crosscheck.models import Hit, HitCheck

HIT_NOT_FOUND = "未找到该疑点，或不在您的范围内"
NOTE_REQUIRED = "请填写核实情况"
RESULT_REQUIRED = "请选择核实结果"

# (a 疑似同一人 pair?, what was found) → the village's answer
ANSWER_OF = {
    (False, CheckResult.NOT_CONFIRMED): Answer.VERIFIED_OK,
    (False, CheckResult.CONFIRMED): Answer.CORRECTED,
    (True, CheckResult.NOT_CONFIRMED): Answer.NOT_SAME_PERSON,
    (True, CheckResult.CONFIRMED): Answer.SAME_PERSON,
}


@dataclass
class CheckInput:
    visited_on: dt.date | None
    result: str
    note: str
    client_id: uuid.UUID | None = None
    photos: list = field(default_factory=list)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None
    change_request: ChangeRequest | None = None  # a clerk's 已纠正: the request it caused
    stopped_case: DibaoCase | None = None  # … or the 低保 case it stopped


def open_hit_for(user, pk: int) -> Hit | None:
    """A 疑点 of the user's scope (a helper: of their households), with its household."""
    return scoped(Hit.objects.all(), user).select_related("household", "village").filter(pk=pk).first()


def answers_on_check(user) -> bool:
    """Whose check is the village's answer: the village clerk's (the chain: village answers)."""
    return role_of(user) == Role.VILLAGE_CLERK


def result_label(hit: Hit, result: str) -> str:
    if hit.rule == Rule.LIKELY_DUPLICATE:
        return PAIR_RESULT_LABELS[CheckResult(result)]
    return CheckResult(result).label


def _validate(hit: Hit, data: CheckInput) -> None:
    errors = {}
    if data.result not in CheckResult.values:
        errors["result"] = [RESULT_REQUIRED]
    if not (data.note or "").strip():
        errors["note"] = [NOTE_REQUIRED]
    if errors:
        raise ValidationError(errors)
    if hit.status != HitStatus.OPEN:
        raise ValidationError(
            services.WRONG_STATUS.format(status=hit.get_status_display(), action="入户核实")
        )


def record_hit_check(*, user, hit: Hit, data: CheckInput) -> tuple[HitCheck, bool]:
    """Store the check (and, for the village clerk, her answer); (check, created). The same client id
    sent again returns the stored check. Http404 outside the user's scope."""
    earlier = existing_visit(user=user, client_id=data.client_id)
    if earlier is not None:
        stored = HitCheck.objects.filter(visit=earlier).first()
        if stored is None:  # the id of another record (a plain visit): never attach this check to it
            raise ValidationError({"client_id": [CLIENT_ID_TAKEN]})
        return stored, False
    if open_hit_for(user, hit.pk) is None:
        raise Http404(HIT_NOT_FOUND)
    _validate(hit, data)
    pair = hit.rule == Rule.LIKELY_DUPLICATE
    answer = ANSWER_OF[(pair, CheckResult(data.result))] if answers_on_check(user) else None
    note = data.note.strip()[:400]
    if answer is not None:  # refuse before any photo is stored
        services.validate_answer(
            hit=hit, user=user, answer=answer, reason=note, attachment=bool(data.photos) or None,
            change_request=data.change_request, stopped_case=data.stopped_case,
        )  # fmt: skip
    with transaction.atomic():
        visit, _ = record_visit(
            user=user,
            data=VisitInput(
                household_id=hit.household_id, visit_date=data.visited_on, purpose=VisitPurpose.CHECK,
                content=f"疑点入户核实（{hit.get_rule_display()}）：{result_label(hit, data.result)}。{note}",
                client_id=data.client_id, photos=data.photos, latitude=data.latitude,
                longitude=data.longitude, accuracy_m=data.accuracy_m,
            ),
        )  # fmt: skip
        check, created = HitCheck.objects.get_or_create(
            visit=visit, defaults={"hit": hit, "result": data.result, "note": note, "checked_by": user}
        )
        if answer is not None and created:
            services.answer_hit(
                hit=hit, user=user, answer=answer, reason=note, attachment=_first_photo(visit),
                change_request=data.change_request, stopped_case=data.stopped_case,
            )  # fmt: skip
    return check, created


def _first_photo(visit) -> ContentFile | None:
    """The check's first photo as the answer's 佐证材料 (the same re-encoded JPEG, EXIF stripped)."""
    photo = visit.photos.order_by("created_at").first()
    if photo is None:
        return None
    with photo.image.open("rb") as f:
        return ContentFile(f.read(), name=f"入户核实照片{visit.visit_date:%Y%m%d}.jpg")


def checks_of(user, hits: list[Hit]) -> dict[int, list[HitCheck]]:
    """The field checks of these 疑点 (scoped), newest first, by hit id; each with its `label`."""
    by_pk = {h.pk: h for h in hits}
    out: dict[int, list[HitCheck]] = {}
    rows = scoped(HitCheck.objects.filter(hit__in=list(by_pk)), user).select_related("visit")
    for check in rows.order_by("-created_at"):
        check.label = result_label(by_pk[check.hit_id], check.result)
        out.setdefault(check.hit_id, []).append(check)
    return out


def summary(hit: Hit) -> str:
    """The field checks of one 疑点 as a line for the desktop's answer form."""
    checks = HitCheck.objects.filter(hit=hit).select_related("visit").order_by("-created_at")
    return "；".join(
        f"{c.visit.visitor} {c.visit.visit_date:%Y-%m-%d}：{result_label(hit, c.result)}。{c.note}"
        for c in checks
    )
