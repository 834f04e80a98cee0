"""generate_households: valid unique IDs, deterministic per seed, refuses a second run without --replace."""

import io

import pytest
from django.core.management import CommandError, call_command

from core.idcard import parse_id
from core.models import Region
from households.models import Household, Member
from tests.factories import region_chain

pytestmark = pytest.mark.django_db


def _snapshot(county: str):
    members = Member.objects.filter(household__village__code__startswith=county)
    return sorted(members.values_list("household__household_no", "name", "id_no", "relation", "birth_date"))


def _run(*extra: str) -> str:
    out = io.StringIO()
    call_command("generate_households", "--households", "120", *extra, stdout=out)
    return out.getvalue()


def test_generate_is_deterministic_valid_and_marked_synthetic():
    _run("--seed", "7", "--county", "219902")
    first = _snapshot("219902")
    assert 120 * 2 < len(first) < 120 * 4
    ids = [row[2] for row in first]
    assert len(set(ids)) == len(ids)
    for id_no in ids[:200]:
        parse_id(id_no)
    for household in Household.objects.prefetch_related("members")[:50]:
        household.full_clean()
        assert sum(m.relation == "head" for m in household.members.all()) == 1
    assert not Region.objects.filter(code__startswith="219902", is_synthetic=False).exists()

    with pytest.raises(CommandError, match="已有 120 户数据；如需重新生成请加 --replace"):
        _run("--seed", "7", "--county", "219902")
    _run("--seed", "7", "--county", "219902", "--replace")
    assert _snapshot("219902") == first
    _run("--seed", "8", "--county", "219902", "--replace")
    assert _snapshot("219902") != first
    assert Household.objects.count() == 120


@pytest.mark.parametrize("county", ["211223", "210000", "2199", "219900"])
def test_generate_refuses_real_or_bad_county_codes(county):
    with pytest.raises(CommandError, match="2199 开头"):
        _run("--county", county)


def test_replace_refuses_a_county_that_is_not_synthetic():
    region_chain("219903100200")  # factory regions are synthetic; make the county a "real" one
    Region.objects.filter(code="219903000000").update(is_synthetic=False)
    Household.objects.create(village_id="219903100200", household_no="X1", main_cause="illness")
    with pytest.raises(CommandError, match="不是合成区划"):
        _run("--county", "219903", "--replace")
    assert Household.objects.filter(household_no="X1").exists()


def _index_names():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid::regclass::text IN "
            "('households_household', 'households_member', 'households_incomeyear')"
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_index_rebuild_path_gives_the_same_rows_and_keeps_every_index():
    from devdata.synthetic import generate

    before = _index_names()
    generate(households=80, seed=3, county="219904", rebuild_indexes=True)
    assert _index_names() == before
    rows = _snapshot("219904")
    generate(households=80, seed=3, county="219904", replace=True, rebuild_indexes=False)
    assert _snapshot("219904") == rows


def test_a_failing_copy_aborts_the_whole_run(monkeypatch):
    from devdata import synthetic

    real_family = synthetic._family

    def broken_family(rng, people, household_id, village, size, out, tail):
        workers = real_family(rng, people, household_id, village, size, out, tail)
        out.append("not\ta\tmember\n")  # a row PostgreSQL rejects
        return workers

    monkeypatch.setattr(synthetic, "_family", broken_family)
    with pytest.raises(Exception, match="(?i)invalid input|missing data|extra data"):
        synthetic.generate(households=50, seed=1, county="219906")
    assert not Household.objects.filter(village__code__startswith="219906").exists()
    assert not Member.objects.filter(id_no__startswith="219906").exists()
