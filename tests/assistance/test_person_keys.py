"""The person's search keys on 特困 cases and 两项补贴 (issue 28; assistance.models.person_keys): the
member's name, pinyin, initials and ID tail copied onto each row, so the search reads a range of the
row's own index instead of the scope's matching members joined to the cases. The copies must stay
current on every write path (save(), SQL, a member renamed or an ID corrected by save() or by a
queryset update), never stick when written by hand, and stay out of the rows' history and the API;
the search must find a row by each key and, after a rename, by the new name only."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assistance.models import DisabilitySubsidy, TekunCase
from assistance.models.person_keys import PERSON_KEYS
from households.choices import Relation
from households.models import Member
from households.search import search
from tests.assistance.factories import disability_subsidy, tekun_case
from tests.factories import HouseholdFactory, MemberFactory, valid_id

pytestmark = pytest.mark.django_db

MAKERS = [tekun_case, disability_subsidy]


def keys_of(row) -> tuple:
    return type(row).objects.values_list(*PERSON_KEYS).get(pk=row.pk)


def found(text: str, user, model) -> list[int]:
    return [r.pk for g in search(text, user) if g.kind == "case" for r in g.results if model in r.url]


@pytest.mark.parametrize("make", MAKERS)
def test_the_keys_follow_the_member(make, village_a):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="欧阳建国")
    row = make(member=member)
    assert keys_of(row) == ("欧阳建国", "ouyangjianguo", "oyjg", member.id_no[-6:])
    events = type(row).pgh_event_model.objects.filter(pgh_obj=row).count()

    # Renamed by save(): pinyin and initials follow (Member.save computes them).
    member.name = "单雄信"
    member.save()
    assert keys_of(row)[:3] == ("单雄信", "shanxiongxin", "sxx")

    # An ID corrected by a queryset update (no save()): the tail follows.
    corrected = valid_id(male=True)
    Member.objects.filter(pk=member.pk).update(id_no=corrected)
    assert keys_of(row)[3] == corrected[-6:]

    # A value written by hand never sticks: the database takes the member's.
    type(row).objects.filter(pk=row.pk).update(person_name="张三", person_id_tail="000000")
    assert keys_of(row) == ("单雄信", "shanxiongxin", "sxx", corrected[-6:])

    # The copies are no part of the row's history: no event for any of the above.
    assert type(row).pgh_event_model.objects.filter(pgh_obj=row).count() == events


def test_rows_inserted_by_sql_take_the_keys(village_a):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="尉迟恭")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO assistance_tekuncase (household_id, member_id, mode, self_care, basic_standard,
                care_standard, status, review_state)
            VALUES (%s, %s, 'dispersed', 'full', 600, 100, 'active', 'verified') RETURNING id
            """,
            [member.household_id, member.pk],
        )
        (pk,) = cursor.fetchone()
    assert TekunCase.objects.values_list(*PERSON_KEYS).get(pk=pk) == (
        "尉迟恭",
        "yuchigong",
        "ycg",
        member.id_no[-6:],
    )


@pytest.mark.parametrize(
    ("make", "model"), [(tekun_case, "tekuncase"), (disability_subsidy, "disabilitysubsidy")]
)
def test_the_search_finds_the_row_by_each_key_within_the_scope_only(make, model, village_a, clerk_a, clerk_b):
    member = MemberFactory(
        household=HouseholdFactory(village=village_a), name="诸葛孔明", relation=Relation.HEAD
    )
    row = make(member=member)
    for text in (
        "诸葛孔明",
        "诸葛",
        "孔明",
        "zgkm",
        "zhugekongming",
        "zhuge",
        member.id_no[-6:],
        member.id_no[-4:],
    ):
        assert found(text, clerk_a, model) == [row.pk], text
        assert found(text, clerk_b, model) == [], text  # another township's clerk

    member.name = "司马懿"
    member.save()
    assert found("诸葛孔明", clerk_a, model) == []
    assert found("smy", clerk_a, model) == [row.pk]


def test_the_api_leaves_the_keys_out(village_a, clerk_a):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="东方朔")
    rows = [tekun_case(member=member), disability_subsidy(member=member)]
    api = APIClient()
    api.force_authenticate(clerk_a)
    for row, url in zip(rows, ["/api/v1/tekun-cases/", "/api/v1/disability-subsidies/"], strict=True):
        body = api.get(f"{url}{row.pk}/").json()
        assert body["id"] == row.pk
        assert not set(PERSON_KEYS) & set(body), url
    assert DisabilitySubsidy.objects.filter(person_name="东方朔").count() == 1
