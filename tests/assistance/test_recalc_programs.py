"""The recalculation runs every program's rule and skips households whose inputs did not change."""

import datetime as dt

import pytest

from assistance import recalc
from assistance.models import DibaoCase
from households.models import Member
from programs.models import EligibilityResult, HouseholdEvaluation
from programs.rules.engine import ALL_PROGRAMS
from programs.services import evaluate_household, set_parameter
from tests.assistance.factories import active_case, dibao_household, set_income

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2020, 10, 20)


def _county(village):
    return village.parent.parent


def _stored(household) -> dict:
    return {
        r.program_id: (r.eligible, r.monthly_amount, r.annual_amount, r.persons, r.reasons, r.parameter_ids)
        for r in EligibilityResult.objects.filter(household=household)
    }


def test_recalculation_stores_every_programs_decision_as_the_household_page_explains_it(
    village_a, county_admin
):
    hh = dibao_household(village=village_a, income_per_person=1500, disability_grades=[1])
    active_case(household=hh, county_user=county_admin)
    set_income(hh, 1200)
    run = recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)
    assert run.households_evaluated == 1
    stored = _stored(hh)
    assert set(stored) == set(ALL_PROGRAMS)
    expected = {
        d.program: (
            d.eligible, d.monthly_amount, d.annual_amount, d.persons, list(d.reasons), list(d.parameter_ids)
        )
        for d in evaluate_household(household=hh, as_of=AS_OF, save=False)
    }  # fmt: skip
    assert stored == expected  # the 低保 row carries programs' own sentences, not a second wording
    assert stored["dibao"][0] is True
    assert "低于当地低保标准" in stored["dibao"][4][0]


def test_unapproved_household_gets_no_results(village_a):
    from core.choices import ReviewState

    hh = dibao_household(village=village_a, review_state=ReviewState.DRAFT)
    run = recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)
    assert run.households_done == 1
    assert run.households_evaluated == 0
    assert not EligibilityResult.objects.filter(household=hh).exists()


def test_rerun_skips_unchanged_households_and_follows_each_kind_of_change(village_a, village_b):
    changed = dibao_household(village=village_a, income_per_person=1500)
    same = dibao_household(village=village_b, income_per_person=1500)
    county = _county(village_a)
    first = recalc.recalculate_now(region=county, as_of=AS_OF)
    assert first.households_evaluated == 2
    assert first.results_changed == 2 * len(ALL_PROGRAMS)
    computed_at = {r.pk: r.computed_at for r in EligibilityResult.objects.all()}

    # nothing changed: no household evaluated, no row touched
    quiet = recalc.recalculate_now(region=county, as_of=AS_OF + dt.timedelta(days=1))
    assert (quiet.households_evaluated, quiet.results_changed) == (0, 0)
    assert {r.pk: r.computed_at for r in EligibilityResult.objects.all()} == computed_at

    # a household's income changes: only it is evaluated, and its 低保 figures follow
    set_income(changed, 4500, period_end=dt.date(2020, 10, 1))
    after_income = recalc.recalculate_now(region=county, as_of=AS_OF)
    assert after_income.households_evaluated == 1
    assert _stored(changed)["dibao"][0] is False
    assert _stored(same)["dibao"][0] is True

    # a member's data changes (a disability certificate): only that household again
    member = changed.members.order_by("id").first()
    Member.objects.filter(pk=member.pk).update(disability_type="physical", disability_grade=1)
    assert recalc.recalculate_now(region=county, as_of=AS_OF).households_evaluated == 1

    # a new standard in force for one village: that village's households only
    set_parameter(
        key="dibao.rural_standard_year",
        value="6000",
        valid_from=AS_OF,
        source="测试",
        region_prefix=village_b.code,
    )
    after_standard = recalc.recalculate_now(region=county, as_of=AS_OF)
    assert after_standard.households_evaluated == 1
    assert _stored(same)["dibao"][1] > 0
    assert "500.00" in _stored(same)["dibao"][4][0]

    # full: every household evaluated again, but identical decisions write nothing
    full = recalc.recalculate_now(region=county, as_of=AS_OF, full=True)
    assert (full.households_evaluated, full.results_changed) == (2, 0)


def test_a_birthday_that_crosses_an_age_threshold_re_evaluates_the_household(village_a):
    hh = dibao_household(village=village_a, persons=1, income_per_person=1500)
    head = hh.members.get()
    Member.objects.filter(pk=head.pk).update(birth_date=dt.date(1960, 10, 22))  # 60 on 2020-10-22
    county = _county(village_a)
    recalc.recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    assert recalc.recalculate_now(region=county, as_of=dt.date(2020, 10, 21)).households_evaluated == 0
    turned_60 = recalc.recalculate_now(region=county, as_of=dt.date(2020, 10, 22))
    assert turned_60.households_evaluated == 1
    assert any("老年人" in reason for reason in _stored(hh)["dibao"][4])


def test_fingerprints_are_stored_once_per_household(village_a):
    hh = dibao_household(village=village_a)
    recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)
    recalc.recalculate_now(region=_county(village_a), as_of=AS_OF, full=True)
    assert HouseholdEvaluation.objects.filter(household=hh).count() == 1


def test_results_written_elsewhere_are_re_evaluated_by_the_next_run(village_a):
    hh = dibao_household(village=village_a)
    county = _county(village_a)
    recalc.recalculate_now(region=county, as_of=AS_OF)
    evaluate_household(household=hh, as_of=AS_OF - dt.timedelta(days=400))  # the household page, another day
    assert not HouseholdEvaluation.objects.filter(household=hh).exists()
    run = recalc.recalculate_now(region=county, as_of=AS_OF)
    assert run.households_evaluated == 1
    assert _stored(hh) == {
        d.program: (
            d.eligible, d.monthly_amount, d.annual_amount, d.persons, list(d.reasons), list(d.parameter_ids)
        )
        for d in evaluate_household(household=hh, as_of=AS_OF, save=False)
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_running_chunk_does_not_lock_its_run_so_chunks_run_in_parallel(village_a, village_b, monkeypatch):
    """While one chunk's transaction is open, another worker can lock the run row (to count its own
    chunk done) and the other chunks: the chunks of a run do not wait for each other."""
    import psycopg
    from django.db import connection

    dibao_household(village=village_a)
    dibao_household(village=village_b)
    run = recalc.plan_run(region=_county(village_a), as_of=AS_OF, chunk_size=1)
    first, second = run.chunks.order_by("lo")
    settings = connection.settings_dict
    seen = {}

    def other_worker(*, run, lo, hi):
        with psycopg.connect(
            host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
            password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=False,
        ) as other:  # fmt: skip
            other.execute("SET lock_timeout = '2s'")
            for table, pk in (
                ("assistance_recalculationrun", run.pk),
                ("assistance_recalculationchunk", second.pk),
            ):
                try:
                    other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
                    seen[table] = "free"
                except psycopg.errors.LockNotAvailable:
                    seen[table] = "locked"
                other.rollback()
        return recalc.ChunkOutcome()

    monkeypatch.setattr(recalc, "_recalculate", other_worker)
    recalc.run_chunk(chunk_id=first.pk)
    assert seen == {"assistance_recalculationrun": "free", "assistance_recalculationchunk": "free"}


def test_full_run_leaves_a_fingerprint_whose_decisions_did_not_change_to_the_next_nightly_run(village_a):
    """A full run stores fingerprints only where decisions changed (fingerprinting everyone would cost
    a sixth of it); the next nightly run evaluates a household whose inputs changed once more and
    stores its fingerprint."""
    hh = dibao_household(village=village_a, income_per_person=1500)
    county = _county(village_a)
    recalc.recalculate_now(region=county, as_of=AS_OF)
    taken = HouseholdEvaluation.objects.get(household=hh).inputs_digest
    # a fact the rules read but that changes no decision: a son becomes a grandson
    member = hh.members.exclude(relation="head").order_by("id").first()
    Member.objects.filter(pk=member.pk).update(relation="grandchild")

    full = recalc.recalculate_now(region=county, as_of=AS_OF, full=True)
    assert (full.households_evaluated, full.results_changed) == (1, 0)
    assert HouseholdEvaluation.objects.get(household=hh).inputs_digest == taken

    nightly = recalc.recalculate_now(region=county, as_of=AS_OF)
    assert (nightly.households_evaluated, nightly.results_changed) == (1, 0)
    assert HouseholdEvaluation.objects.get(household=hh).inputs_digest != taken
    assert recalc.recalculate_now(region=county, as_of=AS_OF).households_evaluated == 0


def test_cases_whose_figures_are_as_stored_are_not_written(village_a, county_admin, monkeypatch):
    hh = dibao_household(village=village_a, income_per_person=1500)
    case = active_case(household=hh, county_user=county_admin)
    county = _county(village_a)
    recalc.recalculate_now(region=county, as_of=AS_OF)
    case.refresh_from_db()
    topup = case.topup_amount
    sent = []
    write_cases = recalc._write_cases
    monkeypatch.setattr(
        recalc, "_write_cases", lambda rows, as_of: sent.append(len(rows)) or write_cases(rows, as_of)
    )

    recalc.recalculate_now(region=county, as_of=AS_OF, full=True)
    assert sent == [0]  # computed, compared in Python, nothing sent

    DibaoCase.objects.filter(pk=case.pk).update(topup_amount=topup + 1)  # a figure that is not right
    run = recalc.recalculate_now(region=county, as_of=AS_OF, full=True)
    assert (sent[-1], run.cases_changed) == (1, 1)
    case.refresh_from_db()
    assert case.topup_amount == topup


def test_a_chunk_runs_with_the_cyclic_collector_paused_and_restores_it_even_when_it_fails(
    village_a, monkeypatch
):
    import gc

    dibao_household(village=village_a)
    run = recalc.plan_run(region=_county(village_a), as_of=AS_OF)
    chunk = run.chunks.get()
    seen = []
    recalculate = recalc._recalculate
    monkeypatch.setattr(recalc, "_recalculate", lambda **kw: seen.append(gc.isenabled()) or recalculate(**kw))
    assert gc.isenabled()
    recalc.run_chunk(chunk_id=chunk.pk)
    assert seen == [False]
    assert gc.isenabled()

    def broken(**kw):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(recalc, "_recalculate", broken)
    other = recalc.plan_run(region=_county(village_a), as_of=AS_OF).chunks.get()
    with pytest.raises(RuntimeError):
        recalc.run_chunk(chunk_id=other.pk)
    assert gc.isenabled()


@pytest.mark.django_db(transaction=True)  # the chunk's transaction is the outermost one, as in a worker
def test_a_chunk_turns_off_jit_and_parallel_workers_for_its_own_transaction_only(village_a, monkeypatch):
    from django.db import connection

    def setting(name):
        with connection.cursor() as cur:
            cur.execute(f"SHOW {name}")
            return cur.fetchone()[0]

    dibao_household(village=village_a)
    run = recalc.plan_run(region=_county(village_a), as_of=AS_OF)
    seen = []
    recalculate = recalc._recalculate
    monkeypatch.setattr(
        recalc,
        "_recalculate",
        lambda **kw: (
            seen.append((setting("jit"), setting("max_parallel_workers_per_gather"))) or recalculate(**kw)
        ),
    )
    before = (setting("jit"), setting("max_parallel_workers_per_gather"))
    recalc.run_chunk(chunk_id=run.chunks.get().pk)
    assert seen == [("off", "0")]
    assert (setting("jit"), setting("max_parallel_workers_per_gather")) == before
