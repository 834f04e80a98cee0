"""Cross-check actions: upload a list (county and above), run the checks of a county, and the 疑点
chain — the village answers (核实无误 with reason and attachment / 已纠正 naming the change request or
the case stop it caused), the township confirms or returns. Holds on payments are assistance's data:
placed for new 高 hits on payees (when crosscheck.hold_high_severity) of the county's own checks —
its internal rules and the lists it uploaded — or by the county's decision on a 疑点 (hold_payment);
a list the city uploads gives the county 疑点 and holds nothing (the city supervises, it does not
stop money: scenario 66). Holds are cleared when the township confirms the answer."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assistance.choices import CaseStatus
from assistance.copy import copy_rows
from assistance.models import DibaoCase
from assistance.rules import first_of_month
from assistance.services import holds
from core.choices import RegionLevel, Role
from core.models import Region
from core.permissions import role_of
from core.scoping import is_in_scope
from households.choices import SchoolStatus
from households.workflow.choices import ChangeState
from households.workflow.models import ChangeRequest
from programs.rules.params import ParameterSet
from programs.selectors import parameters_for
from reports.crosscheck import checks, warnings
from reports.crosscheck.choices import (
    PAIR_ANSWERS,
    RISK_KINDS,
    Answer,
    BatchStatus,
    HitStatus,
    ListKind,
    Rule,
    RunKind,
    RunStatus,
    RunTrigger,
)
from reports.crosscheck.lists import read_list
from reports.crosscheck.models import CheckRun, Hit, OutsideList

HOLD_SOURCE = "crosscheck"

UPLOAD_ROLES = {Role.COUNTY_ADMIN, Role.CITY_SUPERVISOR, Role.SYSTEM_ADMIN}
UPLOAD_FORBIDDEN = "比对名单仅限县级及以上人员上传和查看"
OTHER_NEEDS_NAME = "名单类别为“其他”时请填写名单名称"
CUTOFF_IN_FUTURE = "截止日期不能晚于今天"
ONLY_VILLAGE_ANSWERS = "疑点由所在村核实答复"
ONLY_TOWNSHIP_CONFIRMS = "疑点核实结果由乡镇确认"
OUT_OF_SCOPE = "该疑点不在您的管辖范围内"
WRONG_STATUS = "疑点当前为“{status}”，不能{action}"
REASON_REQUIRED = "请填写核实情况"
ATTACHMENT_REQUIRED = "核实无误须上传佐证材料"
CORRECTION_LINK_REQUIRED = "已纠正须关联因此提出的变更申请或停保案件"
LINK_OTHER_HOUSEHOLD = "关联的变更申请或案件不属于该疑点所在户"
CASE_NOT_STOPPED = "关联的低保案件尚未停保"
CHANGE_WITHDRAWN = "关联的变更申请已撤回"
CHANGE_NOT_APPROVED = "关联的变更申请尚未审核通过，暂不能确认"
RETURN_REASON_REQUIRED = "请填写退回原因"
ANSWER_REQUIRED = "请选择核实结论"
PAIR_ANSWER_REQUIRED = "疑似同一人的疑点请答复“不是同一人”或“同一人”"
PAIR_ANSWER_WRONG = "“不是同一人”“同一人”只用于疑似同一人的疑点"
SAME_PERSON_LINK_REQUIRED = "同一人须关联因此提出的变更申请（如将重复登记的成员迁出）或停保案件"
HOLD_ONLY_COUNTY = "是否暂停发放由县级管理员决定"
HOLD_REASON_REQUIRED = "请填写暂停发放的理由"
ALREADY_HELD = "该疑点已暂停发放"
HOLD_REASON = "县级决定暂停发放（{reason}）：{hit}"

PARAM_KEYS = [
    "crosscheck.excluding_list_kinds",
    "crosscheck.hold_high_severity",
    "crosscheck.answer_days",
    "crosscheck.link_dibao_registry",
    "crosscheck.school_age_ranges",
    "crosscheck.income_percap_max",
]


# ------------------------------------------------------------------------------------------ lists
def require_list_access(user) -> None:
    if role_of(user) not in UPLOAD_ROLES:
        raise PermissionDenied(UPLOAD_FORBIDDEN)


@transaction.atomic
def upload_list(
    *,
    user,
    data: bytes,
    filename: str,
    kind: str,
    cutoff_date: dt.date,
    source_agency: str,
    kind_name: str = "",
    today: dt.date | None = None,
) -> OutsideList:
    """Store the file and, when every row is good, its rows; otherwise only the batch and its row
    errors (nothing to match). Raises FileRejected for an unreadable file. Accepted lists are
    checked after commit, one task per county under the uploader's region."""
    require_list_access(user)
    today = today or timezone.localdate()
    if kind == ListKind.OTHER and not kind_name.strip():
        raise ValidationError({"kind_name": OTHER_NEEDS_NAME})
    if cutoff_date > today:
        raise ValidationError({"cutoff_date": CUTOFF_IN_FUTURE})
    rows, errors = read_list(data, filename, today=today)
    return store_list(
        user=user, data=data, filename=filename, kind=kind, kind_name=kind_name, cutoff_date=cutoff_date,
        source_agency=source_agency, rows=rows, errors=errors,
    )  # fmt: skip


@transaction.atomic
def store_list(
    *,
    user,
    data: bytes,
    filename: str,
    kind: str,
    cutoff_date: dt.date,
    source_agency: str,
    rows: list,
    errors: list[dict],
    kind_name: str = "",
) -> OutsideList:
    """The batch, its file and (all or none) its rows from lists.read_list; the county checks of an
    accepted list are queued after commit."""
    require_list_access(user)
    batch = OutsideList(
        kind=kind,
        kind_name=kind_name.strip() if kind == ListKind.OTHER else "",
        cutoff_date=cutoff_date,
        source_agency=source_agency.strip(),
        region_id=user.region_id or _national_region(),
        original_name=filename[:200],
        uploaded_by=user,
        status=BatchStatus.REJECTED if errors else BatchStatus.ACCEPTED,
        row_count=len(rows) + len(errors) if errors else len(rows),
        error_count=len(errors),
        errors=errors[:1000],
    )
    batch.file.save(filename or "list.csv", ContentFile(data), save=False)
    batch.save()
    if rows and not errors:
        with connection.cursor() as cur:
            copy_rows(
                cur,
                "reports_outsidelistrow",
                ["batch_id", "row_no", "id_no", "name", "event_date", "detail", "amount", "village_code",
                 "village_name"],
                ((batch.pk, r.row_no, r.id_no, r.name, r.event_date, r.detail, r.amount, r.village_code,
                  r.village_name) for r in rows),
            )  # fmt: skip
            cur.execute("ANALYZE reports_outsidelistrow")
    if batch.status == BatchStatus.ACCEPTED:
        from reports.crosscheck import tasks

        codes = counties_under(batch.region)
        transaction.on_commit(lambda: [tasks.check_county.delay(code, batch.pk) for code in codes])
    return batch


def _national_region() -> str:
    raise PermissionDenied(UPLOAD_FORBIDDEN)  # a system admin has no region: upload as a county user


def counties_under(region: Region) -> list[str]:
    if region.level == RegionLevel.COUNTY:
        return [region.code]
    return list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=region.prefix).values_list(
            "code", flat=True
        )
    )


# ------------------------------------------------------------------------------------------ checks
def _params(county: Region, as_of: dt.date) -> ParameterSet:
    return parameters_for(region_code=county.code, as_of=as_of, keys=PARAM_KEYS)


@transaction.atomic
def run_checks(
    *, county: Region, as_of: dt.date, batch: OutsideList | None = None, trigger: str = RunTrigger.MANUAL
) -> CheckRun:
    """One county: the list's matches when a batch is given, else every internal rule. Safe to run
    twice (findings are keyed). New 高 hits on payees hold the household's payment lines."""
    started = time.perf_counter()
    p = _params(county, as_of)
    kind = RunKind.INTERNAL if batch is None else RunKind.LIST
    run = CheckRun.objects.create(county=county, kind=kind, trigger=trigger, batch=batch, as_of=as_of)
    deadline = as_of + dt.timedelta(days=int(p.integer("crosscheck.answer_days")))
    base = {"prefix": county.prefix + "%", "as_of": as_of}
    found, candidates, timings = 0, [], {}

    def rule(name: str, sql: str, params: dict) -> None:
        nonlocal found
        t = time.perf_counter()
        count, holding = checks.insert_hits(sql, params, run_id=run.pk, deadline=deadline)
        found += count
        candidates.extend(holding)
        timings[str(name)] = round(time.perf_counter() - t, 2)

    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # short queries over big tables: compiling costs more
        cur.execute("SET LOCAL DateStyle = 'ISO'")  # checks.MEMBER_FLAGS compares date::text
    leads_found = 0
    if batch is not None and batch.kind in RISK_KINDS:
        t = time.perf_counter()
        leads_found = warnings.create_leads(batch=batch, county_code=county.code, as_of=as_of)
        timings["monitoring_leads"] = round(time.perf_counter() - t, 2)
    elif batch is not None:
        params = {
            **base,
            "batch": batch.pk,
            "kind": batch.kind,
            "label": batch.kind_label,
            "agency": batch.source_agency,
            "cutoff": batch.cutoff_date.isoformat(),
            "excluding": list(p["crosscheck.excluding_list_kinds"]),
            "roll_month": (as_of.replace(day=1) + relativedelta(months=1)),
        }
        rule(Rule.LIST_MATCH, checks.LIST_MATCH, params)
    else:
        params = {
            **base,
            "link": bool(p.boolean("crosscheck.link_dibao_registry")),
            "ranges": json.dumps(_plain(p["crosscheck.school_age_ranges"])),
            "stages": json.dumps({s.value: s.label for s in SchoolStatus}, ensure_ascii=False),
            "max": p.decimal("crosscheck.income_percap_max"),
        }
        t = time.perf_counter()
        checks.prepare_members(params)
        timings["members"] = round(time.perf_counter() - t, 2)
        timings.update(checks.prepare_people(params))
        for name, sql in checks.INTERNAL_RULES.items():
            rule(name, checks.bind(sql) if name == Rule.LIKELY_DUPLICATE else sql, params)
        checks.drop_people()
    placed = 0
    # The county's own checks hold at once; a list of the city (or above) waits for the county.
    county_owned = batch is None or batch.region_id == county.code
    if p.boolean("crosscheck.hold_high_severity") and county_owned:
        death_list = batch is not None and batch.kind == ListKind.DEATH
        placed = holds.place_holds(
            holds=[
                (h.household_id, str(h.hit_id), f"信息比对疑点：{h.reason}", hold_from(h, as_of, death_list))
                for h in candidates
            ],
            source=HOLD_SOURCE,
        )
    run.status = RunStatus.DONE
    run.hits_found = found
    run.leads_found = leads_found
    run.holds_placed = placed
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 3)
    run.timings = timings
    run.save(
        update_fields=[
            "status",
            "hits_found",
            "leads_found",
            "holds_placed",
            "finished_at",
            "seconds",
            "timings",
        ]
    )
    return run


def hold_from(candidate: checks.HoldCandidate, as_of: dt.date, death_list: bool) -> dt.date:
    """The first month a hit holds (issue 23, scenario 39): the month after a death date (the month
    of the death was due), else the month of the check."""
    if death_list and candidate.event_date is not None:
        return first_of_month(candidate.event_date) + relativedelta(months=1)
    return first_of_month(as_of)


DUPLICATE_ROLES = {Role.COUNTY_ADMIN, Role.CITY_SUPERVISOR}
DUPLICATE_FORBIDDEN = "疑似同一人检查由县级管理员或市级监督员发起"
DUPLICATE_REGION_LEVEL = "疑似同一人检查按县或按市进行"
DUPLICATE_REGION_NOT_FOUND = "未找到该区划，或不在您的管辖范围内"
DUPLICATE_BUSY = "{region}的疑似同一人检查正在进行（{started} 开始），请等它完成后再查看结果，不必重复发起"
# A run still marked 比对中 after this long died with its worker: it no longer blocks a new one.
DUPLICATE_STALE = dt.timedelta(hours=2)
DUPLICATE_STALE_ERROR = "超过两小时未完成，视为中断"


class DuplicateCheckBusy(Exception):
    """A 疑似同一人 check of the region is already running (the API answers 409)."""

    def __init__(self, run: CheckRun):
        self.run = run
        local = timezone.localtime(run.started_at)
        super().__init__(DUPLICATE_BUSY.format(region=run.county.name, started=f"{local:%H:%M}"))


def duplicate_check_region(user, region_code: str | None = None) -> Region:
    """The region a user's 疑似同一人 check covers: their own county or city, or (a city user) one of
    its counties; a system administrator names a county or a city."""
    role = role_of(user)
    if role not in DUPLICATE_ROLES | {Role.SYSTEM_ADMIN}:
        raise PermissionDenied(DUPLICATE_FORBIDDEN)
    code = region_code or user.region_id
    region = Region.objects.filter(pk=code).first() if code else None
    if region is None or not is_in_scope(user, region.code):
        raise ValidationError({"region": DUPLICATE_REGION_NOT_FOUND})
    if region.level not in (RegionLevel.COUNTY, RegionLevel.CITY):
        raise ValidationError({"region": DUPLICATE_REGION_LEVEL})
    return region


def start_duplicate_check(
    *, region: Region, user=None, trigger: str = RunTrigger.MANUAL, as_of: dt.date | None = None
) -> CheckRun:
    """Record a 疑似同一人 run of the region as 比对中 and queue it (after commit; in process when no
    Celery broker is configured). Refused with DuplicateCheckBusy while one is running there: the
    database holds one running check per region (crosscheck_one_running_duplicate_check)."""
    with transaction.atomic():
        CheckRun.objects.filter(
            county=region,
            kind=RunKind.DUPLICATES,
            status=RunStatus.RUNNING,
            started_at__lt=timezone.now() - DUPLICATE_STALE,
        ).update(status=RunStatus.FAILED, error=DUPLICATE_STALE_ERROR, finished_at=timezone.now())
        try:
            with transaction.atomic():
                run = CheckRun.objects.create(
                    county=region,
                    kind=RunKind.DUPLICATES,
                    trigger=trigger,
                    as_of=as_of or timezone.localdate(),
                    requested_by=user,
                )
        except IntegrityError:
            running = CheckRun.objects.filter(
                county=region, kind=RunKind.DUPLICATES, status=RunStatus.RUNNING
            ).first()
            if running is None:  # finished in between: the caller may simply ask again
                raise
            raise DuplicateCheckBusy(running) from None

    from reports.crosscheck import tasks

    # robust: a failed run is recorded as 失败 on the run (below), never an error page for the user.
    transaction.on_commit(lambda: tasks.check_duplicates.delay(region.code, run.pk), robust=True)
    return run


def execute_duplicate_check(run_id: int) -> CheckRun:
    """The queued run: its pairs, then 已完成 with the count; an error marks it 失败 (and is raised)."""
    run = CheckRun.objects.select_related("county").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run  # a redelivered task: the run already ended
    try:
        return run_duplicate_check(region=run.county, as_of=run.as_of, run=run)
    except Exception as exc:
        CheckRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


@transaction.atomic
def run_duplicate_check(
    *, region: Region, as_of: dt.date, trigger: str = RunTrigger.MANUAL, run: CheckRun | None = None
) -> CheckRun:
    """疑似同一人 only, over a county or over a city's counties together (the city's supervision
    view: the same person registered in two counties). Safe to run again: a pair once raised —
    answered 不是同一人 or not — is never raised again (the 疑点 key is the pair). `run`: the 比对中
    run start_duplicate_check recorded; without it the run is recorded here."""
    started = time.perf_counter()
    p = _params(region, as_of)
    if run is None:
        run = CheckRun.objects.create(county=region, kind=RunKind.DUPLICATES, trigger=trigger, as_of=as_of)
    deadline = as_of + dt.timedelta(days=int(p["crosscheck.answer_days"]))
    params = {"prefix": region.prefix + "%"}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
    timings = {}
    timings.update(checks.prepare_people(params))
    t = time.perf_counter()
    found, _ = checks.insert_hits(
        checks.bind(checks.LIKELY_DUPLICATE), params, run_id=run.pk, deadline=deadline
    )
    checks.drop_people()
    timings[str(Rule.LIKELY_DUPLICATE)] = round(time.perf_counter() - t, 2)
    run.status = RunStatus.DONE
    run.hits_found = found
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 3)
    run.timings = timings
    run.save(update_fields=["status", "hits_found", "finished_at", "seconds", "timings"])
    return run


def _plain(value):
    """JSON parameter values come back with Decimals; SQL wants plain numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return int(value) if hasattr(value, "as_integer_ratio") and value == int(value) else value


# ------------------------------------------------------------------------------------------ answers
def _lock(hit: Hit) -> Hit:
    return Hit.objects.select_for_update().select_related("household").get(pk=hit.pk)


def _require(user, hit: Hit, roles: Iterable[str], message: str) -> None:
    if role_of(user) not in set(roles) | {Role.SYSTEM_ADMIN}:
        raise PermissionDenied(message)
    if not is_in_scope(user, hit.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)


def _status(hit: Hit, allowed: str, action: str) -> None:
    if hit.status != allowed:
        raise ValidationError(WRONG_STATUS.format(status=hit.get_status_display(), action=action))


def validate_answer(
    *, hit: Hit, user, answer: str, reason: str, attachment=None, change_request=None, stopped_case=None
) -> None:
    """The answer's rules, also used by the admin form before it saves."""
    _require(user, hit, {Role.VILLAGE_CLERK}, ONLY_VILLAGE_ANSWERS)
    _status(hit, HitStatus.OPEN, "答复")
    if not reason.strip():
        raise ValidationError({"answer_reason": REASON_REQUIRED})
    pair = hit.rule == Rule.LIKELY_DUPLICATE
    if pair and answer not in PAIR_ANSWERS:
        raise ValidationError({"answer": PAIR_ANSWER_REQUIRED})
    if not pair and answer in PAIR_ANSWERS:
        raise ValidationError({"answer": PAIR_ANSWER_WRONG})
    if answer == Answer.NOT_SAME_PERSON:
        return  # the reason says why (e.g. 双胞胎 in two households, 同名同生日的两个人)
    if answer == Answer.VERIFIED_OK:
        if not attachment and not hit.attachment:
            raise ValidationError({"attachment": ATTACHMENT_REQUIRED})
    elif answer in (Answer.CORRECTED, Answer.SAME_PERSON):
        if change_request is None and stopped_case is None:
            message = SAME_PERSON_LINK_REQUIRED if pair else CORRECTION_LINK_REQUIRED
            raise ValidationError({"change_request": message})
        # A pair is corrected on either record (the duplicate may be the older one).
        households = {hit.household_id, hit.other_household_id} if pair else {hit.household_id}
        for linked in (change_request, stopped_case):
            if linked is not None and linked.household_id not in households:
                raise ValidationError({"change_request": LINK_OTHER_HOUSEHOLD})
        if change_request is not None and change_request.state == ChangeState.WITHDRAWN:
            raise ValidationError({"change_request": CHANGE_WITHDRAWN})
        if stopped_case is not None and stopped_case.status != CaseStatus.STOPPED:
            raise ValidationError({"stopped_case": CASE_NOT_STOPPED})
    else:
        raise ValidationError({"answer": ANSWER_REQUIRED})


@transaction.atomic
def answer_hit(
    *,
    hit: Hit,
    user,
    answer: str,
    reason: str,
    attachment=None,
    change_request: ChangeRequest | None = None,
    stopped_case: DibaoCase | None = None,
) -> Hit:
    """村核实答复: 核实无误 (reason + attachment) or 已纠正 (reason + the change request / case stop)."""
    hit = _lock(hit)
    validate_answer(
        hit=hit, user=user, answer=answer, reason=reason, attachment=attachment,
        change_request=change_request, stopped_case=stopped_case,
    )  # fmt: skip
    if answer in (Answer.VERIFIED_OK, Answer.NOT_SAME_PERSON):
        change_request = stopped_case = None
    hit.answer = answer
    hit.answer_reason = reason.strip()[:400]
    hit.change_request = change_request
    hit.stopped_case = stopped_case
    if attachment:
        hit.attachment = attachment
    hit.status = HitStatus.ANSWERED
    hit.answered_by = user
    hit.answered_at = timezone.now()
    hit.return_reason = ""
    hit.save()
    return hit


@transaction.atomic
def confirm_hit(*, hit: Hit, user) -> Hit:
    """乡镇确认: the 疑点 is closed and any payment hold it caused is lifted."""
    hit = _lock(hit)
    _require(user, hit, {Role.TOWNSHIP_REVIEWER}, ONLY_TOWNSHIP_CONFIRMS)
    _status(hit, HitStatus.ANSWERED, "确认")
    if hit.change_request_id and hit.change_request.state != ChangeState.VERIFIED:
        raise ValidationError(CHANGE_NOT_APPROVED)
    hit.status = HitStatus.CLOSED
    hit.confirmed_by = user
    hit.confirmed_at = timezone.now()
    hit.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    holds.clear_holds(
        source=HOLD_SOURCE,
        source_ref=str(hit.pk),
        user=user,
        reason=f"疑点经乡镇确认：{hit.get_answer_display()}",
    )
    return hit


@transaction.atomic
def hold_payment(*, hit: Hit, user, reason: str) -> Hit:
    """县级决定暂停发放 on a 疑点 (a city list's hit, or one the checks did not hold): the household's
    payment is held until the township confirms the answer, like a hold the county's own list placed."""
    hit = _lock(hit)
    if role_of(user) != Role.COUNTY_ADMIN:
        raise PermissionDenied(HOLD_ONLY_COUNTY)
    if not is_in_scope(user, hit.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)
    if hit.status == HitStatus.CLOSED:
        raise ValidationError(WRONG_STATUS.format(status=hit.get_status_display(), action="暂停发放"))
    if not reason.strip():
        raise ValidationError({"reason": HOLD_REASON_REQUIRED})
    if holds.is_held(source=HOLD_SOURCE, source_ref=str(hit.pk)):
        raise ValidationError(ALREADY_HELD)
    row = hit.list_row if hit.list_row_id else None
    batch = hit.batch if hit.batch_id else None
    death_list = batch is not None and batch.kind == ListKind.DEATH
    candidate = checks.HoldCandidate(hit.pk, hit.household_id, hit.reason, row.event_date if row else None)
    first_month = hold_from(candidate, timezone.localdate(), death_list)
    text = HOLD_REASON.format(reason=reason.strip(), hit=hit.reason)
    holds.place_holds(
        holds=[(hit.household_id, str(hit.pk), text, first_month)], source=HOLD_SOURCE, placed_by=user
    )
    return hit


@transaction.atomic
def return_hit(*, hit: Hit, user, reason: str) -> Hit:
    """乡镇退回: back to the village to verify again."""
    hit = _lock(hit)
    _require(user, hit, {Role.TOWNSHIP_REVIEWER}, ONLY_TOWNSHIP_CONFIRMS)
    _status(hit, HitStatus.ANSWERED, "退回")
    if not reason.strip():
        raise ValidationError({"return_reason": RETURN_REASON_REQUIRED})
    hit.status = HitStatus.OPEN
    hit.return_reason = reason.strip()[:300]
    hit.save(update_fields=["status", "return_reason"])
    return hit
