import datetime as dt

import pytest

from core.models import Publicity, PublicityObjection, WorkflowEvent
from core.workflow import services as chain
from core.workflow.choices import PublicityResult
from core.workflow.errors import TransitionError
from households.choices import MonitoringState, PovertyStatus
from households.workflow import services

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2019, 11, 1)
DAY7 = dt.date(2019, 11, 7)


@pytest.fixture
def proposed(verified, clerk_a):
    services.propose_exit(household=verified, user=clerk_a, review_date=dt.date(2019, 10, 28))
    return verified


def test_exit_walks_the_whole_poverty_status_chain(proposed, township_reviewer_a, county_admin):
    assert proposed.poverty_status == PovertyStatus.PROPOSED_EXIT
    assert proposed.democratic_review_date == dt.date(2019, 10, 28)
    publicity = chain.start_publicity(
        subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会公示栏"
    )
    proposed.refresh_from_db()
    assert proposed.poverty_status == PovertyStatus.IN_PUBLICITY
    chain.close_publicity(publicity=publicity, user=township_reviewer_a, as_of=DAY7 + dt.timedelta(days=1))
    proposed.refresh_from_db()
    assert (proposed.poverty_status, proposed.exit_year) == (PovertyStatus.EXITED_WITH_POLICY, 2019)
    services.end_policy_support(household=proposed, user=county_admin, reason="过渡期结束")
    assert proposed.poverty_status == PovertyStatus.EXITED_NO_POLICY
    services.return_to_poverty(household=proposed, user=county_admin, reason="因病返贫")
    assert proposed.poverty_status == PovertyStatus.RETURNED_TO_POVERTY
    actions = list(
        WorkflowEvent.objects.filter(record_id=proposed.pk, record_kind="household")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "propose_exit",
        "start_publicity",
        "close_publicity",
        "end_policy",
        "return_to_poverty",
    ]


def test_scenario_17_publicity_window_cannot_be_confirmed_before_day_7(proposed, township_reviewer_a):
    with pytest.raises(TransitionError) as exc:
        chain.start_publicity(
            subject=proposed,
            user=township_reviewer_a,
            start=DAY1,
            end=DAY1 + dt.timedelta(days=5),
            place="村委会",
        )
    assert exc.value.messages == ["公示期不得少于 7 天（当前 6 天）"]
    publicity = chain.start_publicity(
        subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会"
    )
    assert publicity.min_days == 7
    assert publicity.days == 7
    for early in (DAY1, DAY1 + dt.timedelta(days=5), DAY7):
        with pytest.raises(TransitionError, match="期满前不能结束公示"):
            chain.close_publicity(publicity=publicity, user=township_reviewer_a, as_of=early)
    publicity.refresh_from_db()
    assert publicity.result == PublicityResult.OPEN
    proposed.refresh_from_db()
    assert proposed.poverty_status == PovertyStatus.IN_PUBLICITY


def test_scenario_17_objection_sends_the_case_back_and_requires_a_new_publicity(
    proposed, township_reviewer_a, clerk_a
):
    first = chain.start_publicity(
        subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会"
    )
    chain.record_objection(
        publicity=first,
        user=clerk_a,
        content="群众反映家中有经营性收入未申报",
        received_on=DAY1 + dt.timedelta(days=2),
    )
    first.refresh_from_db()
    proposed.refresh_from_db()
    assert first.result == PublicityResult.OBJECTED
    assert proposed.poverty_status == PovertyStatus.PROPOSED_EXIT  # back to investigation
    assert PublicityObjection.objects.filter(publicity=first).count() == 1
    # The objected notice can no longer be closed as passed, and nothing confirms without a new one.
    with pytest.raises(TransitionError, match="已结束"):
        chain.close_publicity(publicity=first, user=township_reviewer_a, as_of=DAY7 + dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="须重新公示"):
        chain.ensure_publicity_passed(record=proposed)

    second = chain.start_publicity(
        subject=proposed,
        user=township_reviewer_a,
        start=dt.date(2019, 11, 20),
        end=dt.date(2019, 11, 26),
        place="村委会",
    )
    chain.close_publicity(publicity=second, user=township_reviewer_a, as_of=dt.date(2019, 11, 27))
    assert chain.ensure_publicity_passed(record=proposed) == second
    proposed.refresh_from_db()
    assert proposed.poverty_status == PovertyStatus.EXITED_WITH_POLICY
    assert Publicity.objects.filter(household_id=proposed.pk).count() == 2


def test_publicity_min_days_comes_from_the_county_parameter(proposed, township_reviewer_a):
    from programs.services import set_parameter

    set_parameter(
        key="publicity.min_days",
        value="10",
        region_prefix="211223",
        valid_from=dt.date(2019, 1, 1),
        source="县文件",
    )
    with pytest.raises(TransitionError, match="不得少于 10 天"):
        chain.start_publicity(
            subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会"
        )


def test_one_open_publicity_per_subject_and_only_the_township_starts_it(
    proposed, township_reviewer_a, clerk_a
):
    with pytest.raises(TransitionError, match="村级录入员"):
        chain.start_publicity(subject=proposed, user=clerk_a, start=DAY1, end=DAY7, place="村委会")
    chain.start_publicity(subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会")
    with pytest.raises(TransitionError):
        chain.start_publicity(
            subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村委会"
        )


def test_objection_outside_the_window_is_refused(proposed, township_reviewer_a):
    publicity = chain.start_publicity(
        subject=proposed, user=township_reviewer_a, start=DAY1, end=DAY7, place="村"
    )
    with pytest.raises(TransitionError, match="公示期"):
        chain.record_objection(
            publicity=publicity,
            user=township_reviewer_a,
            content="x",
            received_on=DAY7 + dt.timedelta(days=3),
        )


def test_exit_needs_democratic_review_date_and_a_stored_record(draft, verified, clerk_a):
    with pytest.raises(TransitionError, match="民主评议"):
        services.propose_exit(household=verified, user=clerk_a, review_date=None)


def test_exit_of_a_draft_is_refused(draft, clerk_a):
    with pytest.raises(TransitionError, match="尚未入库"):
        services.propose_exit(household=draft, user=clerk_a, review_date=dt.date(2019, 1, 1))


def test_return_to_poverty_only_from_exited(verified, county_admin):
    with pytest.raises(TransitionError, match="未脱贫"):
        services.return_to_poverty(household=verified, user=county_admin, reason="x")


def test_monitoring_flag_follows_the_county_only(verified, clerk_a, township_reviewer_a, county_admin):
    """The flag is the county's decision on a monitoring record (assistance.monitoring); the village
    and the township cannot set it by hand."""
    for user in (clerk_a, township_reviewer_a):
        with pytest.raises(TransitionError):
            services.set_monitoring(household=verified, user=user, state=MonitoringState.AT_RISK, reason="x")
    services.set_monitoring(
        household=verified, user=county_admin, state=MonitoringState.AT_RISK, reason="纳入"
    )
    verified.refresh_from_db()
    assert verified.monitoring_state == MonitoringState.AT_RISK
