"""Every role × every route and action of /api/v1/ × an object inside and outside the role's scope
→ the exact status code.

Outside the scope a URL object is always 404 (IDs do not leak); inside, a forbidden action is 403;
anonymous is 401. "in" objects sit in village_a (inside every role's scope); "out" objects in
another city (outside all of them). Writes that name their object in the body instead of the URL
(creates) answer an object outside the scope with a 400 field error, the same answer as for an
object that does not exist; roles that may not write at all get 403 first. A guard test walks the
URL resolver and fails when a route or @action has no row here.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from assistance.banking.layouts import create_from_preset, spec_of
from assistance.choices import MeasureKind
from assistance.models import (
    Alert,
    AssistanceMeasure,
    BankBatch,
    BankLine,
    BankReturn,
    ChangeLedgerEntry,
    DibaoCase,
    MedicalBill,
    MonitoringLead,
    MonitoringRecord,
    PaymentFailure,
    PaymentLine,
    PaymentRoll,
    PhaseOut,
    StopProposal,
)
from core.workflow.models import Publicity, WorkflowEvent
from households.choices import HelperUnitLevel
from households.models import WorkTeamMember
from households.workflow.models import ChangeRequest
from programs.models import EligibilityResult, Parameter, VillagePopulation
from projects.models import Project
from reports.crosscheck.models import CheckRun, Hit, OutsideList
from reports.models import ExportJob
from reports.statistics import STATISTICS
from tests.assistance.factories import disability_subsidy, tekun_case
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    IncomeYearFactory,
    UserFactory,
    VisitFactory,
    WorkTeamFactory,
    household_with_members,
    user_for,
    valid_id,
)

pytestmark = pytest.mark.django_db
PAYEE_ID = valid_id()
STATISTIC_NAMES = list(STATISTICS)

ROLES = ["anonymous", "clerk", "township", "county", "city"]
ROLE_FIXTURES = {
    "clerk": "clerk_a",
    "township": "township_reviewer_a",
    "county": "county_admin",
    "city": "city_supervisor",
}


@dataclass
class World:
    household: object
    member: object
    income: object
    helper: object
    assignment: object
    visit: object
    team: object
    team_member: object
    region: object
    county: object
    case: object
    phase_out: object
    stop: object
    roll: object
    line: object
    ledger: object
    alert: object
    measure: object
    parameter: object
    result: object
    publicity: object
    change: object
    event: object
    tekun: object
    subsidy: object
    bill: object
    population: object
    export: object
    batch: object
    run: object
    dup_run: object
    hit: object
    layout: object
    sent_roll: object
    bank_batch: object
    bank_line: object
    bank_return: object
    failure: object
    lead: object
    mrecord: object
    project: object


DAY = dt.date(2019, 11, 1)


def build_world(village, export_owner) -> World:
    """One of everything, in `village` (and its county), built directly: no service role checks.
    The export job belongs to `export_owner` (jobs are visible to their own creator only)."""
    household = household_with_members(n=2, village=village)
    first, second = household.members.order_by("id")
    helper = HelperPersonFactory(county=village.parent.parent)
    team = WorkTeamFactory(village=village)
    county = village.parent.parent
    author = UserFactory(role="system_admin", region=None)
    case = DibaoCase.objects.create(household=household, applied_on=DAY, status="active", monthly_amount=100)
    roll = PaymentRoll.objects.create(county=county, month=DAY, program="dibao")
    export = ExportJob.objects.create(
        ledger="roster",
        created_by=export_owner,
        region_id=export_owner.region_id,
        status=ExportJob.Status.DONE,
        total_rows=1,
        done_rows=1,
    )
    export.file.save("roster.xlsx", ContentFile(b"PK\x03\x04 test"), save=True)
    batch = OutsideList.objects.create(
        kind="death",
        cutoff_date=DAY,
        source_agency="县公安局",
        region=county,
        original_name="死亡名单.csv",
        uploaded_by=author,
        status="accepted",
        row_count=1,
    )
    run = CheckRun.objects.create(county=county, trigger="upload", batch=batch, as_of=DAY)
    dup_run = CheckRun.objects.create(
        county=county, kind="duplicates", trigger="manual", as_of=DAY, status="done", requested_by=author
    )
    bank_world = _bank_world(household, county, author)
    lead = MonitoringLead.objects.create(
        source="cadre_visit", source_key=f"matrix{household.pk}", village=village, household=household,
        risk_types=["illness"], detected_on=DAY, verify_deadline=DAY, identify_deadline=DAY,
    )  # fmt: skip
    mrecord = MonitoringRecord.objects.create(
        household=household, source="cadre_visit", lead_date=DAY, risk_types=["illness"]
    )
    project = Project.objects.create(
        year=2019, name="肉牛养殖项目", project_type="industry", region=village, content="建设标准化牛舍",
        planned_start=DAY, planned_end=DAY, created_by=author,
    )  # fmt: skip
    return World(
        **bank_world,
        household=household,
        member=first,
        income=IncomeYearFactory(household=household),
        helper=helper,
        assignment=HelperAssignmentFactory(household=household, helper=helper),
        visit=VisitFactory(household=household),
        team=team,
        team_member=WorkTeamMember.objects.create(team=team, name="王五", unit="县财政局"),
        region=village,
        county=county,
        case=case,
        phase_out=PhaseOut.objects.create(case=case, trigger="other", proposed_on=DAY, proposed_income=4000),
        stop=StopProposal.objects.create(
            case=case,
            ground="not_registered",
            mode="propose",
            proposed_on=DAY,
            proposed_income=4200,
            reason="月人均收入350.00元超过保障标准323.00元，非建档立卡户不适用渐退，应予停保",
        ),
        roll=roll,
        line=PaymentLine.objects.create(
            roll=roll, month=DAY, program="dibao", case_id=case.pk, household=household, payee_name="王大"
        ),
        ledger=ChangeLedgerEntry.objects.create(
            household=household, case=case, kind="start", month=DAY, new_amount=100, reason="新增低保"
        ),
        alert=Alert.objects.create(
            kind="phase_out_ending", household=household, due_date=DAY, message="提醒"
        ),
        measure=AssistanceMeasure.objects.create(
            household_id=household.pk,
            kind=MeasureKind.values[0],
            content="产业帮扶",
            date=DAY,
            responsible_unit="县农业局",
        ),
        parameter=Parameter.objects.create(
            key="publicity.min_days",
            region_prefix=county.code[:6],
            valid_from=DAY,
            kind="integer",
            value="9",
            source="测试",
        ),
        result=EligibilityResult.objects.create(
            household=household, program_id="dibao", eligible=True, as_of=DAY, computed_at=timezone.now()
        ),
        publicity=Publicity.objects.create(
            subject_kind="exit",
            record_kind="household",
            record_id=household.pk,
            household_id=household.pk,
            region_code=village.code,
            start=timezone.localdate(),
            end=timezone.localdate() + dt.timedelta(days=7),
            min_days=7,
            place="村务公开栏",
            created_by=author,
        ),
        change=ChangeRequest.objects.create(household=household, created_by=author),
        event=WorkflowEvent.objects.create(
            record_kind="household",
            record_id=household.pk,
            household_id=household.pk,
            region_code=village.code,
            action="submit",
            actor=author,
            actor_role="system_admin",
        ),
        tekun=tekun_case(member=first),
        subsidy=disability_subsidy(member=second),
        bill=MedicalBill.objects.create(
            household_id=household.pk,
            member=second,
            bill_date=DAY,
            hospital="县人民医院",
            hospital_level="county",
            kind="chronic",
            total_cost=1000,
            basic_insurance_paid=600,
        ),
        population=VillagePopulation.objects.create(village=village, year=2019, agricultural_population=500),
        export=export,
        batch=batch,
        run=run,
        dup_run=dup_run,
        hit=Hit.objects.create(
            rule="list_match",
            key=f"world:{household.pk}",
            severity="high",
            village=village,
            household_id=household.pk,
            member=first,
            id_no=first.id_no,
            reason="死亡名单比中",
            batch=batch,
            run=run,
            deadline=DAY,
        ),
        lead=lead,
        mrecord=mrecord,
        project=project,
    )


def _bank_world(household, county, author) -> dict:
    """A roll sent to the bank (October) whose one line failed, with its follow-up still open."""
    layout = create_from_preset(county=county, preset="yikatong_xlsx")
    roll = PaymentRoll.objects.create(county=county, month=dt.date(2019, 10, 1), program="dibao")
    line = PaymentLine.objects.create(
        roll=roll, month=roll.month, program="dibao", case_id=household.pk, household=household,
        payee_name="王大", bank_account="6221000012345678901", total_amount=100,
    )  # fmt: skip
    PaymentRoll.objects.filter(pk=roll.pk).update(status="reconciled")
    batch = BankBatch.objects.create(
        roll=roll, batch_no=f"{county.code[:6]}2019100101", layout=layout,
        layout_spec=spec_of(layout, "dibao"), line_count=1, total_amount=100, sent_at=timezone.now(),
        sent_by=author, send_reason="代发",
    )  # fmt: skip
    upload = BankReturn.objects.create(batch=batch, filename="回盘.xlsx", sha256="0" * 64, uploaded_by=author)
    bank_line = BankLine.objects.create(
        batch=batch, line_no=1, payment_line=line, household=household, payee_name="王大",
        bank_account=line.bank_account, amount=100, result="failed", reason="name_mismatch",
        bank_return=upload,
    )  # fmt: skip
    failure = PaymentFailure.objects.create(
        bank_line=bank_line, household=household, program="dibao", month=roll.month, amount=100,
        reason="name_mismatch",
    )  # fmt: skip
    return {
        "layout": layout,
        "sent_roll": roll,
        "bank_batch": batch,
        "bank_line": bank_line,
        "bank_return": upload,
        "failure": failure,
    }


def everyone(status):
    return dict.fromkeys(ROLES[1:], status)


def only(roles, status, otherwise=403):
    """`status` for the named roles, `otherwise` for the rest."""
    return {role: status if role in roles else otherwise for role in ROLES[1:]}


READ = everyone(200)
NOT_FOUND = everyone(404)
BAD = everyone(400)
# Pairings, visits, measures: village, township and county record them; the city only reads.
HELPERS = {"clerk": 200, "township": 200, "county": 200, "city": 403}
# 帮扶力量 (helpers, work teams and their members): the county's shared register, county staff only.
FORCES = {"clerk": 403, "township": 403, "county": 200, "city": 403}
FORCES_BAD = only({"county"}, 400)
FORCES_NEW = only({"county"}, 201)
HELPERS_BAD = only({"clerk", "township", "county"}, 400)
HELPERS_NEW = only({"clerk", "township", "county"}, 201)
# A DRAFT household (and its income): only the village clerk edits it.
DRAFT_EDIT = {"clerk": 200, "township": 403, "county": 403, "city": 403}
COUNTY_ONLY = {"clerk": 403, "township": 403, "county": 200, "city": 403}
# County-level data (rolls): below the county it is out of scope (404), the city reads it.
COUNTY_DATA = {"clerk": 404, "township": 404, "county": 200, "city": 200}
# Outside lists (信息比对): county and above only, refused (403) below whatever the object.
LISTS_ABOVE = {"clerk": 403, "township": 403, "county": 200, "city": 200}
LISTS_OUT = {"clerk": 403, "township": 403, "county": 404, "city": 404}
# 疑点: the chain below the city reads them; the city gets counts only.
HITS_READ = {"clerk": 200, "township": 200, "county": 200, "city": 403}
HITS_OUT = {"clerk": 404, "township": 404, "county": 404, "city": 403}


@dataclass
class Row:
    """One route and method. `url`/`payload` take the world; `inside`/`outside` map role → status
    for an object of the in-scope and of the out-of-scope world; anonymous gets `anonymous`."""

    name: str
    method: str
    url: object
    inside: dict
    payload: object = None
    outside: dict | None = None  # None: 404 for every role
    anonymous: int = 401

    def want(self, role, scope):
        if role == "anonymous":
            return self.anonymous
        return (self.inside if scope == "in" else (self.outside or NOT_FOUND))[role]


def get(name, url, inside=READ, outside=None):
    return Row(name, "get", url, inside, outside=outside)


def post(name, url, payload, inside, outside=None):
    return Row(name, "post", url, inside, payload=payload, outside=outside)


def hh(action):
    return lambda w: f"/api/v1/households/{w.household.pk}/{action}/"


def case(action):
    return lambda w: f"/api/v1/dibao-cases/{w.case.pk}/{action}/"


def change(action):
    return lambda w: f"/api/v1/change-requests/{w.change.pk}/{action}/"


def household_payload(w):
    return {
        "household_no": "M0001",
        "village": w.region.code,
        "main_cause": "illness",
        "members": [{"name": "赵六", "id_no": valid_id(), "relation": "head"}],
    }


REVEAL = {"reason": "核对银行代发名单"}
CHANGES = {"changes": {"household": {"phone": "13911112222"}}, "note": "改电话"}

ROWS = [
    # ---------------------------------------------------------------- households and their data
    get("household.get", lambda w: f"/api/v1/households/{w.household.pk}/"),
    Row(
        "household.patch",
        "patch",
        lambda w: f"/api/v1/households/{w.household.pk}/",
        DRAFT_EDIT,
        {"phone": "1"},
    ),
    # PUT with only one field: the allowed role reaches validation (400: the full record is required)
    Row(
        "household.put",
        "put",
        lambda w: f"/api/v1/households/{w.household.pk}/",
        only({"clerk"}, 400),
        {"phone": "1"},
    ),
    post(
        "household.create",
        lambda w: "/api/v1/households/",
        household_payload,
        only({"clerk"}, 201),
        outside=only({"clerk"}, 400),
    ),
    get("member.get", lambda w: f"/api/v1/members/{w.member.pk}/"),
    # 查看完整信息: the county (view_full_identity) only; recorded in the access log
    post(
        "member.reveal", lambda w: f"/api/v1/members/{w.member.pk}/reveal/", {"reason": "核对"}, COUNTY_ONLY
    ),
    post("household.reveal", hh("reveal"), REVEAL, COUNTY_ONLY),
    # search by full ID number in the body (never ?id_no= in a URL); scoped like every read
    post(
        "member.search", lambda w: "/api/v1/members/search/", lambda w: {"id_no": w.member.id_no}, READ, READ
    ),
    post(
        "household.search",
        lambda w: "/api/v1/households/search/",
        lambda w: {"id_no": w.member.id_no},
        READ,
        READ,
    ),
    get("income.get", lambda w: f"/api/v1/incomes/{w.income.pk}/"),
    Row("income.patch", "patch", lambda w: f"/api/v1/incomes/{w.income.pk}/", DRAFT_EDIT, {"wage": "100.00"}),
    Row(
        "income.put", "put", lambda w: f"/api/v1/incomes/{w.income.pk}/", only({"clerk"}, 400), {"wage": "1"}
    ),
    post(
        "income.create",
        lambda w: "/api/v1/incomes/",
        lambda w: {
            "household": w.household.pk,
            "year": 2030,
            "period_start": "2030-01-01",
            "period_end": "2030-12-31",
            "wage": "100.00",
        },
        only({"clerk"}, 201),
        outside=only({"clerk", "township"}, 400),
    ),
    get("helper.get", lambda w: f"/api/v1/helpers/{w.helper.pk}/"),
    Row("helper.patch", "patch", lambda w: f"/api/v1/helpers/{w.helper.pk}/", FORCES, {"phone": "1"}),
    Row("helper.put", "put", lambda w: f"/api/v1/helpers/{w.helper.pk}/", FORCES_BAD, {"phone": "1"}),
    post(
        "helper.create",
        lambda w: "/api/v1/helpers/",
        lambda w: {
            "name": "张三",
            "unit": "县财政局",
            "unit_level": HelperUnitLevel.values[0],
            "county": w.county.code,
        },
        FORCES_NEW,
        outside=FORCES_BAD,
    ),
    get("assignment.get", lambda w: f"/api/v1/helper-assignments/{w.assignment.pk}/"),
    Row(
        "assignment.patch",
        "patch",
        lambda w: f"/api/v1/helper-assignments/{w.assignment.pk}/",
        HELPERS,
        {"end": "2020-12-31"},
    ),
    Row(
        "assignment.put",
        "put",
        lambda w: f"/api/v1/helper-assignments/{w.assignment.pk}/",
        HELPERS_BAD,
        {"end": "2020-12-31"},
    ),
    post(
        "assignment.create",
        lambda w: "/api/v1/helper-assignments/",
        lambda w: {"household": w.household.pk, "helper": w.helper.pk, "start": "2019-01-01"},
        HELPERS_NEW,
        outside=HELPERS_BAD,
    ),
    get("visit.get", lambda w: f"/api/v1/visits/{w.visit.pk}/"),
    Row("visit.patch", "patch", lambda w: f"/api/v1/visits/{w.visit.pk}/", HELPERS, {"visitor": "李四"}),
    Row("visit.put", "put", lambda w: f"/api/v1/visits/{w.visit.pk}/", HELPERS_BAD, {"visitor": "李四"}),
    post(
        "visit.create",
        lambda w: "/api/v1/visits/",
        lambda w: {
            "household": w.household.pk,
            "visit_date": "2019-10-01",
            "visitor": "李四",
            "content": "走访",
        },
        HELPERS_NEW,
        outside=HELPERS_BAD,
    ),
    get("team.get", lambda w: f"/api/v1/work-teams/{w.team.pk}/"),
    Row(
        "team.patch",
        "patch",
        lambda w: f"/api/v1/work-teams/{w.team.pk}/",
        FORCES,
        {"dispatching_unit": "x"},
    ),
    Row(
        "team.put",
        "put",
        lambda w: f"/api/v1/work-teams/{w.team.pk}/",
        FORCES_BAD,
        {"dispatching_unit": "x"},
    ),
    post(
        "team.create",
        lambda w: "/api/v1/work-teams/",
        lambda w: {"village": w.region.code, "dispatching_unit": "县财政局", "start": "2019-01-01"},
        FORCES_NEW,
        outside=FORCES_BAD,
    ),
    get("team_member.get", lambda w: f"/api/v1/work-team-members/{w.team_member.pk}/"),
    Row(
        "team_member.patch",
        "patch",
        lambda w: f"/api/v1/work-team-members/{w.team_member.pk}/",
        FORCES,
        {"post": "队员"},
    ),
    Row(
        "team_member.put",
        "put",
        lambda w: f"/api/v1/work-team-members/{w.team_member.pk}/",
        FORCES_BAD,
        {"post": "队员"},
    ),
    post(
        "team_member.create",
        lambda w: "/api/v1/work-team-members/",
        lambda w: {"team": w.team.pk, "name": "赵七", "unit": "县农业局"},
        FORCES_NEW,
        outside=FORCES_BAD,
    ),
    get("region.get", lambda w: f"/api/v1/regions/{w.region.code}/"),
    get("region.children", lambda w: f"/api/v1/regions/{w.region.code}/children/"),
    get("region.statistics", lambda w: f"/api/v1/regions/{w.region.code}/statistics/"),
    # ---------------------------------------------------------------- review chain on a DRAFT household
    # role first (403), then the service's state check (400)
    post("household.submit", hh("submit"), {}, DRAFT_EDIT),
    post("household.withdraw", hh("withdraw"), {}, only({"clerk"}, 400)),
    post("household.approve", hh("approve"), {}, only({"township", "county"}, 400)),
    post("household.return", hh("return"), {"reason": "补充材料"}, only({"township", "county"}, 400)),
    post("household.city_objection", hh("city-objection"), {"reason": "抽查"}, only({"city"}, 400)),
    post(
        "household.propose_exit",
        hh("propose-exit"),
        {"review_date": "2019-01-01"},
        only({"clerk", "township"}, 400),
    ),
    post(
        "household.cancel_exit", hh("cancel-exit"), {"reason": "收入不稳"}, only({"township", "county"}, 400)
    ),
    post("household.end_policy", hh("end-policy"), {}, only({"county"}, 400)),
    post(
        "household.return_to_poverty",
        hh("return-to-poverty"),
        {"reason": "因病"},
        only({"township", "county"}, 400),
    ),
    post(
        "household.publicity",
        hh("publicity"),
        {"start": "2019-01-01", "end": "2019-01-02", "place": "村委会"},
        only({"township"}, 400),
    ),
    post("household.change_request", hh("change-request"), CHANGES, only({"clerk"}, 400)),
    get("household.events", hh("events")),
    get("publicity.get", lambda w: f"/api/v1/publicities/{w.publicity.pk}/"),
    post(
        "publicity.close",
        lambda w: f"/api/v1/publicities/{w.publicity.pk}/close/",
        {},
        only({"township"}, 400),
    ),
    post(
        "publicity.objection",
        lambda w: f"/api/v1/publicities/{w.publicity.pk}/objection/",
        {"content": "收入不实", "received_on": str(timezone.localdate())},
        # allowed roles reach the exit hook, which refuses a household not yet stored (已入库)
        only({"clerk", "township"}, 400),
    ),
    # a DRAFT change request: the clerk submits it, nobody approves or amends a draft
    get("change.get", lambda w: f"/api/v1/change-requests/{w.change.pk}/"),
    post("change.submit", change("submit"), {}, only({"clerk"}, 200)),
    post("change.withdraw", change("withdraw"), {}, only({"clerk"}, 400)),
    post("change.approve", change("approve"), {}, only({"township", "county"}, 400)),
    post("change.return", change("return"), {"reason": "材料不全"}, only({"township", "county"}, 400)),
    post("change.city_objection", change("city-objection"), {"reason": "抽查"}, only({"city"}, 400)),
    post("change.amend", change("amend"), CHANGES, only({"clerk"}, 400)),
    get("event.get", lambda w: f"/api/v1/workflow-events/{w.event.pk}/"),
    # ------------------------------------------------------------ 低保 cases (an active case), 渐退, rolls
    get("case.get", lambda w: f"/api/v1/dibao-cases/{w.case.pk}/"),
    post(
        "case.create",
        lambda w: "/api/v1/dibao-cases/",
        lambda w: {"household": w.household.pk, "applied_on": "2019-10-01"},
        only({"clerk", "township", "county"}, 400),  # the household already has an active case
        outside=only({"clerk", "township", "county"}, 400),
    ),
    post("case.start_investigation", case("start-investigation"), {}, only({"township", "county"}, 400)),
    post(
        "case.home_visit",
        case("home-visit"),
        {"level": "county", "visit_date": "2019-10-01", "visitors": "县民政局", "findings": "属实"},
        # a county-level visit: the township passes the role gate, the service wants county staff
        {"clerk": 403, "township": 403, "county": 201, "city": 403},
    ),
    post(
        "case.publicity",
        case("publicity"),
        {"start": "2019-10-01", "place": "村务公开栏"},
        only({"township"}, 400),
    ),
    post("case.objection", case("objection"), {"reason": "收入不实"}, only({"clerk", "township"}, 400)),
    post("case.close_publicity", case("close-publicity"), {}, only({"township"}, 400)),
    post("case.confirm", case("confirm"), {}, only({"county"}, 400)),
    post("case.refuse", case("refuse"), {"reason": "收入超标"}, only({"county"}, 400)),
    post("case.refusal_notice_sent", case("refusal-notice-sent"), {}, only({"township", "county"}, 400)),
    post("case.stop", case("stop"), {"month": "2019-12-01", "reason": "死亡"}, COUNTY_ONLY),
    post(
        "case.propose_phase_out",
        case("propose-phase-out"),
        {"income": "5000"},
        only({"township", "county"}, 400),
    ),
    get("phase_out.get", lambda w: f"/api/v1/phase-outs/{w.phase_out.pk}/"),
    post("phase_out.approve", lambda w: f"/api/v1/phase-outs/{w.phase_out.pk}/approve/", {}, COUNTY_ONLY),
    post(
        "phase_out.reject",
        lambda w: f"/api/v1/phase-outs/{w.phase_out.pk}/reject/",
        {"reason": "收入不稳定"},
        COUNTY_ONLY,
    ),
    get("stop.get", lambda w: f"/api/v1/stop-proposals/{w.stop.pk}/"),
    post("stop.confirm", lambda w: f"/api/v1/stop-proposals/{w.stop.pk}/confirm/", {}, COUNTY_ONLY),
    post(
        "stop.reject",
        lambda w: f"/api/v1/stop-proposals/{w.stop.pk}/reject/",
        {"reason": "收入不稳定"},
        COUNTY_ONLY,
    ),
    get("roll.get", lambda w: f"/api/v1/payment-rolls/{w.roll.pk}/", COUNTY_DATA),
    post(
        "roll.confirm",
        lambda w: f"/api/v1/payment-rolls/{w.roll.pk}/confirm/",
        {},
        {**COUNTY_DATA, "city": 403},
    ),
    post(
        "roll.create",
        lambda w: "/api/v1/payment-rolls/",
        lambda w: {"county": w.county.code, "month": "2019-12-01", "program": "dibao"},
        only({"county"}, 201),
        outside=only({"county"}, 400),
    ),
    get("line.get", lambda w: f"/api/v1/payment-lines/{w.line.pk}/"),
    # ------------------------------------------------------------ 代发 and 回盘 (the world roll is a draft)
    post(
        "roll.send",
        lambda w: f"/api/v1/payment-rolls/{w.roll.pk}/send/",
        lambda w: {"layout": w.layout.pk, "reason": "送银行代发"},
        {**COUNTY_DATA, "county": 400, "city": 403},
    ),
    get("bank_layout.get", lambda w: f"/api/v1/bank-layouts/{w.layout.pk}/", COUNTY_DATA),
    get("bank_batch.get", lambda w: f"/api/v1/bank-batches/{w.bank_batch.pk}/", COUNTY_DATA),
    post(
        "bank_batch.file",
        lambda w: f"/api/v1/bank-batches/{w.bank_batch.pk}/file/",
        {"reason": "代发文件存档"},
        {**COUNTY_DATA, "city": 403},
    ),
    post(
        "bank_batch.return",
        lambda w: f"/api/v1/bank-batches/{w.bank_batch.pk}/return/",
        {},
        {**COUNTY_DATA, "county": 400, "city": 403},  # no file in the body
    ),
    get("bank_line.get", lambda w: f"/api/v1/bank-lines/{w.bank_line.pk}/"),
    get("bank_return.get", lambda w: f"/api/v1/bank-returns/{w.bank_return.pk}/", COUNTY_DATA),
    get("failure.get", lambda w: f"/api/v1/payment-failures/{w.failure.pk}/"),
    post(
        "failure.correct_account",
        lambda w: f"/api/v1/payment-failures/{w.failure.pk}/correct-account/",
        {"bank_name": "西丰农商银行", "bank_account": "6221000099998888777"},
        only({"clerk"}, 400),  # the world household is not stored (已入库): no change request
    ),
    post(
        "failure.propose_payee",
        lambda w: f"/api/v1/payment-failures/{w.failure.pk}/propose-payee/",
        lambda w: {
            "payee_name": "王小二",
            "payee_id_no": PAYEE_ID,
            "bank_name": "邮储银行",
            "bank_account": "6210981234567890123",
            "reason": "由其子代领",
        },  # fmt: skip
        only({"clerk"}, 200),
    ),
    post(
        "failure.confirm_payee",
        lambda w: f"/api/v1/payment-failures/{w.failure.pk}/confirm-payee/",
        {},
        only({"county"}, 400),  # nothing proposed yet
    ),
    post(
        "failure.return_payee",
        lambda w: f"/api/v1/payment-failures/{w.failure.pk}/return-payee/",
        {"reason": "须有委托书"},
        only({"county"}, 400),
    ),
    post(
        "failure.waive",
        lambda w: f"/api/v1/payment-failures/{w.failure.pk}/waive/",
        {"reason": "该月已停保"},
        only({"county"}, 200),
    ),
    get("household_payments.get", lambda w: f"/api/v1/household-payments/{w.household.pk}/"),
    post(
        "line.reveal", lambda w: f"/api/v1/payment-lines/{w.line.pk}/reveal/", {"reason": "核对"}, COUNTY_ONLY
    ),
    get("ledger.get", lambda w: f"/api/v1/ledger-entries/{w.ledger.pk}/"),
    get("alert.get", lambda w: f"/api/v1/alerts/{w.alert.pk}/"),
    get("measure.get", lambda w: f"/api/v1/measures/{w.measure.pk}/"),
    Row(
        "measure.patch",
        "patch",
        lambda w: f"/api/v1/measures/{w.measure.pk}/",
        HELPERS,
        {"content": "就业帮扶"},
    ),
    Row(
        "measure.put",
        "put",
        lambda w: f"/api/v1/measures/{w.measure.pk}/",
        HELPERS_BAD,
        {"content": "就业帮扶"},
    ),
    post(
        "measure.create",
        lambda w: "/api/v1/measures/",
        lambda w: {
            "household": w.household.pk,
            "kind": MeasureKind.values[0],
            "content": "产业帮扶",
            "date": "2019-10-01",
            "responsible_unit": "县农业局",
        },
        HELPERS_NEW,
        outside=HELPERS_BAD,
    ),
    get("measure_gap.get", lambda w: f"/api/v1/measure-gaps/{w.household.pk}/"),
    # ---------------------------------------------------------------- 特困, 两项补贴
    get("tekun.get", lambda w: f"/api/v1/tekun-cases/{w.tekun.pk}/"),
    post(
        "tekun.create",
        lambda w: "/api/v1/tekun-cases/",
        lambda w: {
            "member": w.subsidy.member_id,
            "mode": "dispersed",
            "self_care": "full",
            "start_month": "2019-07-01",
        },
        only({"county"}, 201),
        outside=only({"county"}, 400),
    ),
    # 特困 applications and stand-alone 护理补贴 pass the chain; the world's records are drafts
    post(
        "tekun.apply",
        lambda w: "/api/v1/tekun-cases/apply/",
        lambda w: {"member": w.subsidy.member_id, "mode": "dispersed", "self_care": "full"},
        only({"clerk", "township", "county"}, 201),
        outside=only({"clerk", "township", "county"}, 400),
    ),
    post("tekun.submit", lambda w: f"/api/v1/tekun-cases/{w.tekun.pk}/submit/", {}, only({"clerk"}, 200)),
    post(
        "tekun.approve",
        lambda w: f"/api/v1/tekun-cases/{w.tekun.pk}/approve/",
        {},
        only({"township", "county"}, 400),
    ),
    post(
        "tekun.return",
        lambda w: f"/api/v1/tekun-cases/{w.tekun.pk}/return/",
        {"reason": "材料不全"},
        only({"township", "county"}, 400),
    ),
    get("subsidy.get", lambda w: f"/api/v1/disability-subsidies/{w.subsidy.pk}/"),
    # the world's household is on 低保: its members' 补贴 come with the case (400 for who may apply)
    post(
        "subsidy.create",
        lambda w: "/api/v1/disability-subsidies/",
        lambda w: {"member": w.member.pk},
        only({"clerk", "township", "county"}, 400),
        outside=only({"clerk", "township", "county"}, 400),
    ),
    post(
        "subsidy.submit",
        lambda w: f"/api/v1/disability-subsidies/{w.subsidy.pk}/submit/",
        {},
        only({"clerk"}, 200),
    ),
    post(
        "subsidy.approve",
        lambda w: f"/api/v1/disability-subsidies/{w.subsidy.pk}/approve/",
        {},
        only({"township", "county"}, 400),
    ),
    post(
        "subsidy.return",
        lambda w: f"/api/v1/disability-subsidies/{w.subsidy.pk}/return/",
        {"reason": "材料不全"},
        only({"township", "county"}, 400),
    ),
    get("bill.get", lambda w: f"/api/v1/medical-bills/{w.bill.pk}/"),
    post(
        "bill.create",
        lambda w: "/api/v1/medical-bills/",
        lambda w: {
            "member": w.bill.member_id,
            "bill_date": "2019-10-01",
            "hospital": "县人民医院",
            "hospital_level": "county",
            "kind": "chronic",
            "total_cost": "800",
            "basic_insurance_paid": "500",
        },
        only({"clerk", "township", "county"}, 201),
        outside=only({"clerk", "township", "county"}, 400),
    ),  # fmt: skip
    post("bill.submit", lambda w: f"/api/v1/medical-bills/{w.bill.pk}/submit/", {}, only({"clerk"}, 200)),
    post(
        "bill.approve",
        lambda w: f"/api/v1/medical-bills/{w.bill.pk}/approve/",
        {},
        only({"township", "county"}, 400),
    ),
    post(
        "bill.return",
        lambda w: f"/api/v1/medical-bills/{w.bill.pk}/return/",
        {"reason": "票据不全"},
        only({"township", "county"}, 400),
    ),
    # ---------------------------------------------------------------- 防返贫监测
    get("lead.get", lambda w: f"/api/v1/monitoring/leads/{w.lead.pk}/"),
    post(
        "lead.create",
        lambda w: "/api/v1/monitoring/leads/",
        lambda w: {"village": w.region.pk, "household": w.household.pk, "risk_types": ["illness"]},
        only({"clerk", "township", "county"}, 201),
        outside=only({"clerk", "township", "county"}, 400),
    ),
    post(
        "lead.close",
        lambda w: f"/api/v1/monitoring/leads/{w.lead.pk}/close/",
        {"outcome": "no_risk", "reason": "入户核实无风险"},
        only({"clerk", "township", "county"}, 200),
    ),
    get("mrecord.get", lambda w: f"/api/v1/monitoring/records/{w.mrecord.pk}/"),
    get("project.get", lambda w: f"/api/v1/projects/{w.project.pk}/"),
    # ---------------------------------------------------------------- programs, parameters, villages, what-if
    # The catalogue is national: every signed-in user reads every programme, whatever the world.
    get("program.get", lambda w: "/api/v1/programs/dibao/", outside=READ),
    get("parameter.get", lambda w: f"/api/v1/parameters/{w.parameter.pk}/"),
    post(
        "parameter.create",
        lambda w: "/api/v1/parameters/",
        lambda w: {
            "key": "publicity.min_days",
            "region_prefix": w.county.code[:6],
            "valid_from": "2031-01-01",
            "value": "9",
            "source": "测试",
        },
        only({"county"}, 201),  # the city supervisor is read-only (README's role table)
        outside=only({"county"}, 400),
    ),
    get("result.get", lambda w: f"/api/v1/eligibility-results/{w.result.pk}/"),
    post(
        "result.evaluate",
        lambda w: "/api/v1/eligibility-results/evaluate/",
        lambda w: {"household": w.household.pk},
        only({"clerk", "township", "county"}, 400),  # a draft household has no approved data
        outside=only({"clerk", "township", "county"}, 404),
    ),
    post(
        "what_if",
        lambda w: "/api/v1/what-if/",
        lambda w: {"household": w.household.pk, "overrides": {}, "approved_only": False},
        READ,
    ),
    post(
        "region.what_if",
        lambda w: f"/api/v1/regions/{w.county.code}/what-if/",
        {"kind": "standard", "as_of": "2019-07-01", "standard_year": "4200"},
        # the county itself lies outside a village's or township's scope
        {"clerk": 404, "township": 404, "county": 200, "city": 200},
    ),
    get("population.get", lambda w: f"/api/v1/village-populations/{w.population.pk}/"),
    post(
        "population.create",
        lambda w: "/api/v1/village-populations/",
        lambda w: {"village": w.region.code, "year": 2030, "agricultural_population": 480},
        only({"county"}, 201),  # the city supervisor is read-only (README's role table)
        outside=only({"county"}, 400),
    ),
    get("indicator.get", lambda w: f"/api/v1/village-indicators/{w.region.code}/"),
    # ---------------------------------------------------------------- exports (the job is the user's own)
    get("export.get", lambda w: f"/api/v1/exports/{w.export.pk}/"),
    get("export.download", lambda w: f"/api/v1/exports/{w.export.pk}/download/"),
    post(
        "export.create",
        lambda w: "/api/v1/exports/",
        lambda w: {"ledger": "roster", "region": w.region.code},
        only({"clerk", "township", "county"}, 200),  # small: the xlsx at once; 市 exports summaries only
        outside=BAD,
    ),
    # ---------------------------------------------------------------- statistics (工作台) of a region
    *(
        get(f"statistics.{name}", lambda w, name=name: f"/api/v1/statistics/{name}/{w.region.code}/")
        for name in STATISTIC_NAMES
    ),
    # ---------------------------------------------------------------- 信息比对: lists county and above only
    get("crosscheck.batches", lambda w: "/api/v1/cross-checks/batches/", LISTS_ABOVE, outside=LISTS_ABOVE),
    get(
        "crosscheck.batch",
        lambda w: f"/api/v1/cross-checks/batches/{w.batch.pk}/",
        LISTS_ABOVE,
        outside=LISTS_OUT,
    ),
    post(
        "crosscheck.upload",
        lambda w: "/api/v1/cross-checks/batches/",
        {},  # no file: the roles that may upload reach validation
        only({"county", "city"}, 400),
        outside=only({"county", "city"}, 400),
    ),
    get("crosscheck.run", lambda w: f"/api/v1/cross-checks/runs/{w.run.pk}/", COUNTY_DATA),
    # 疑似同一人 on demand: the county (its own) and the city (its counties) start one; it runs after
    # commit, so here it is only recorded. A county outside the scope is a 400 field error.
    get(
        "crosscheck.duplicate_run",
        lambda w: f"/api/v1/cross-checks/duplicate-runs/{w.dup_run.pk}/",
        COUNTY_DATA,
    ),
    post(
        "crosscheck.duplicate_runs.start",
        lambda w: "/api/v1/cross-checks/duplicate-runs/",
        lambda w: {"region": w.county.code},
        only({"county", "city"}, 202),
        outside=only({"county", "city"}, 400),
    ),
    # 疑点: village, township, county read them in scope; the city reads counts only
    get("crosscheck.hits", lambda w: "/api/v1/cross-checks/hits/", HITS_READ, outside=HITS_READ),
    get("crosscheck.hit", lambda w: f"/api/v1/cross-checks/hits/{w.hit.pk}/", HITS_READ, outside=HITS_OUT),
    post(
        "crosscheck.answer",
        lambda w: f"/api/v1/cross-checks/hits/{w.hit.pk}/answer/",
        {"answer": "corrected", "answer_reason": "已纠正"},  # no change request linked: 400
        only({"clerk"}, 400),
        outside=HITS_OUT,
    ),
    post(
        "crosscheck.confirm",
        lambda w: f"/api/v1/cross-checks/hits/{w.hit.pk}/confirm/",
        None,  # the hit is still open: nothing to confirm
        only({"township"}, 400),
        outside=HITS_OUT,
    ),
    post(
        "crosscheck.return",
        lambda w: f"/api/v1/cross-checks/hits/{w.hit.pk}/return/",
        {"reason": "请重新核实"},
        only({"township"}, 400),
        outside=HITS_OUT,
    ),
    post(
        "crosscheck.hold",
        lambda w: f"/api/v1/cross-checks/hits/{w.hit.pk}/hold/",
        {"reason": "县级决定暂停发放"},
        only({"county"}, 200),  # the county decides holds, never the city (scenario 66)
        outside=HITS_OUT,
    ),
    # ---------------------------------------------------------------- the one search (no object in the URL)
    get("search.get", lambda w: "/api/v1/search/", READ, READ),
    post("search.post", lambda w: "/api/v1/search/", lambda w: {"q": w.member.id_no}, READ, READ),
    # ---------------------------------------------------------------- authentication
    Row("token", "post", lambda w: "/api/v1/auth/token/", BAD, payload={}, outside=BAD, anonymous=400),
]

# list URL → the World attribute whose out-of-scope twin must not appear in it
LISTS = {
    "/api/v1/households/": "household",
    "/api/v1/members/": "member",
    "/api/v1/incomes/": "income",
    "/api/v1/helpers/": "helper",
    "/api/v1/helper-assignments/": "assignment",
    "/api/v1/visits/": "visit",
    "/api/v1/work-teams/": "team",
    "/api/v1/work-team-members/": "team_member",
    "/api/v1/regions/": "region",
    "/api/v1/publicities/": "publicity",
    "/api/v1/change-requests/": "change",
    "/api/v1/workflow-events/": "event",
    "/api/v1/dibao-cases/": "case",
    "/api/v1/phase-outs/": "phase_out",
    "/api/v1/stop-proposals/": "stop",
    "/api/v1/payment-lines/": "line",
    "/api/v1/bank-lines/": "bank_line",
    "/api/v1/payment-failures/": "failure",
    "/api/v1/ledger-entries/": "ledger",
    "/api/v1/alerts/": "alert",
    "/api/v1/measures/": "measure",
    "/api/v1/measure-gaps/": "household",
    "/api/v1/parameters/": "parameter",
    "/api/v1/eligibility-results/": "result",
    "/api/v1/tekun-cases/": "tekun",
    "/api/v1/disability-subsidies/": "subsidy",
    "/api/v1/medical-bills/": "bill",
    "/api/v1/monitoring/leads/": "lead",
    "/api/v1/monitoring/records/": "mrecord",
    "/api/v1/projects/": "project",
    "/api/v1/village-populations/": "population",
    "/api/v1/village-indicators/": "region",
    "/api/v1/exports/": "export",
    "/api/v1/me/": None,
    "/api/v1/programs/": None,
    "/api/v1/exports/ledgers/": None,
    **{f"/api/v1/statistics/{name}/": None for name in STATISTIC_NAMES},
    "/api/v1/cross-checks/counts/": None,
}
# Lists whose in-scope rows only some roles see (county-level data).
COUNTY_LISTS = {
    "/api/v1/payment-rolls/": ("roll", "sent_roll"),
    "/api/v1/cross-checks/runs/": ("run", "dup_run"),
    "/api/v1/cross-checks/duplicate-runs/": "dup_run",
    "/api/v1/bank-layouts/": "layout",
    "/api/v1/bank-batches/": "bank_batch",
    "/api/v1/bank-returns/": "bank_return",
}


def client_for(request, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


def call(client, method, url, payload):
    """One request whose writes are rolled back, so every endpoint sees the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url, payload, format="json")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # read (and close) files before the rollback
        transaction.set_rollback(True)
    return response


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def owner(request, role, village):
    """The acting user owns the in-scope export job; someone of the other city owns the other one."""
    if role == "anonymous":
        return user_for(village)
    return request.getfixturevalue(ROLE_FIXTURES[role])


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
def test_every_route_matrix(request, village_a, village_other_city, role, scope):
    if scope == "in":
        world = build_world(village_a, owner(request, role, village_a))
    else:
        world = build_world(village_other_city, user_for(village_other_city))
    client = client_for(request, role)
    got, want, bodies = {}, {}, {}
    for row in ROWS:
        payload = row.payload(world) if callable(row.payload) else row.payload
        response = call(client, row.method, row.url(world), payload)
        got[row.name], want[row.name] = response.status_code, row.want(role, scope)
        if got[row.name] != want[row.name] and not hasattr(response, "streaming_content"):
            bodies[row.name] = response.content.decode()[:300]
    assert got == want, bodies


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("role", ROLES)
def test_list_matrix_and_lists_show_only_own_scope(request, village_a, village_other_city, role):
    world = build_world(village_a, owner(request, role, village_a))
    out = build_world(village_other_city, user_for(village_other_city))
    client = client_for(request, role)
    for url, attr in {**LISTS, **COUNTY_LISTS}.items():
        response = client.get(url, {"page_size": 200})
        assert response.status_code == (401 if role == "anonymous" else 200), url
        if role == "anonymous" or not attr:
            continue
        keys = {row.get("id", row.get("code")) for row in response.json()["results"]}
        attrs = attr if isinstance(attr, tuple) else (attr,)
        assert not {getattr(out, a).pk for a in attrs} & keys, url
        if url in COUNTY_LISTS:
            mine = {getattr(world, a).pk for a in attrs}
            assert keys == (mine if role in ("county", "city") else set()), url
        else:
            assert getattr(world, attr).pk in keys, url


# ---------------------------------------------------------------- the guard: no route without a row


def api_routes() -> set[tuple[str, str]]:
    """(url name, HTTP method) of every route under /api/v1/, @actions included."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    methods = ("get", "post", "put", "patch", "delete")  # HEAD and OPTIONS mirror GET / describe
    routes = set()
    for route, pattern in walk(get_resolver().url_patterns):
        if not route.lstrip("^").startswith("api/v1/"):
            continue
        actions = getattr(pattern.callback, "actions", None)  # a viewset route: {method: action}
        if actions is None:
            view = pattern.callback.cls
            actions = {m: m for m in methods if hasattr(view, m)}
        routes |= {(pattern.name, method) for method in actions if method in methods}
    return routes


def test_every_api_route_and_action_has_a_row_in_the_matrix(village_a, clerk_a, media):
    world = build_world(village_a, clerk_a)
    covered = {(resolve(row.url(world)).url_name, row.method) for row in ROWS}
    covered |= {(resolve(url).url_name, "get") for url in {**LISTS, **COUNTY_LISTS}}
    missing = api_routes() - covered
    assert not missing, f"add these routes to the permission matrix: {sorted(missing)}"
    assert ("tekun-case-list", "post") in api_routes()  # the walk does see router routes
