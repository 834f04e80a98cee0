"""Scoping of every households admin page (changelist, change by URL, history, add form choices,
autocomplete), the cascading region picker endpoints, the estimated-count paginator and query counts.

The clerk of village A must not list, open, change or pick anything of village B (another township of
the same county) or of another county."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin.scoping import EstimatedCountPaginator
from households.models import Household, Member
from tests.factories import (
    HelperPersonFactory,
    HouseholdFactory,
    MemberFactory,
    WorkTeamFactory,
    household_with_members,
    region_chain,
    user_for,
)

pytestmark = pytest.mark.django_db


def _app(model: str) -> str:
    """Regions and users live on the ground floor (core); the rest is the registry's."""
    return "core" if model in {"region", "user"} else "households"


@pytest.fixture
def world(village_a, village_b):
    """One object of every admin model on each side; B's helper lives in another county."""
    other_county_village = region_chain("211224100200", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村"))
    house_a, house_b = household_with_members(village=village_a), household_with_members(village=village_b)
    return {
        "region": (village_a, village_b),
        "household": (house_a, house_b),
        "member": (house_a.members.first(), house_b.members.first()),
        "helperperson": (
            HelperPersonFactory(county=village_a.parent.parent),
            HelperPersonFactory(county=other_county_village.parent.parent, name="外县帮扶人"),
        ),
        "workteam": (WorkTeamFactory(village=village_a), WorkTeamFactory(village=village_b)),
        "user": (None, user_for(village_b)),
    }


MODELS = ["region", "household", "member", "helperperson", "workteam"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_shows_own_objects_only(client, clerk_a, world, model):
    own, other = world[model]
    client.force_login(clerk_a)
    response = client.get(reverse(f"admin:{_app(model)}_{model}_changelist"))
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert own.pk in shown
    assert other.pk not in shown


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("page", ["change", "history"])
def test_other_scope_object_cannot_be_opened_by_url(client, clerk_a, world, model, page):
    own, other = world[model]
    client.force_login(clerk_a)
    assert client.get(reverse(f"admin:{_app(model)}_{model}_{page}", args=[own.pk])).status_code == 200
    response = client.get(reverse(f"admin:{_app(model)}_{model}_{page}", args=[other.pk]))
    assert response.status_code == 302  # "不存在" redirect, as for a missing object
    assert str(other.pk) not in response.get("Location", "")


@pytest.mark.parametrize("model", MODELS)
def test_other_scope_object_cannot_be_changed_by_post(client, clerk_a, world, model):
    _, other = world[model]
    before = {f.attname: getattr(other, f.attname) for f in other._meta.concrete_fields}
    client.force_login(clerk_a)
    response = client.post(reverse(f"admin:{_app(model)}_{model}_change", args=[other.pk]), {"name": "篡改"})
    assert response.status_code in {302, 403}
    other.refresh_from_db()
    assert {f.attname: getattr(other, f.attname) for f in other._meta.concrete_fields} == before


@pytest.mark.parametrize("page", ["changelist", "add", "change", "history"])
def test_user_admin_is_closed_to_clerks(client, clerk_a, world, page):
    client.force_login(clerk_a)
    args = [world["user"][1].pk] if page in {"change", "history"} else []
    assert client.get(reverse(f"admin:core_user_{page}", args=args)).status_code in {302, 403}


@pytest.mark.parametrize("model", ["household", "helperperson", "workteam"])
def test_add_form_offers_no_choice_outside_scope(client, clerk_a, county_admin, world, model):
    user = clerk_a
    if model != "household":
        # 帮扶力量 are the county's shared register: a clerk may not add them, county staff do.
        client.force_login(clerk_a)
        assert client.get(reverse(f"admin:{_app(model)}_{model}_add")).status_code == 403
        user = county_admin
    client.force_login(user)
    response = client.get(reverse(f"admin:{_app(model)}_{model}_add"))
    assert response.status_code == 200
    body = response.content.decode()
    if user == clerk_a:
        assert world["region"][1].code not in body  # village B
    assert "211224000000" not in body
    assert "外县帮扶人" not in body
    for name, field in response.context["adminform"].form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model.__name__ == "Region":
            outside = "211223101" if user == clerk_a else "211224"
            assert not queryset.filter(code__startswith=outside).exists(), name


@pytest.mark.parametrize(
    ("source", "field", "other_key"),
    [
        ("workteam", "village", "region"),
        ("helperassignment", "helper", "helperperson"),
        ("visit", "helper", "helperperson"),
        ("user", "region", "region"),
    ],
)
def test_autocomplete_answers_only_inside_scope(client, clerk_a, world, source, field, other_key):
    own_region, other_region = world["region"]
    client.force_login(clerk_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "households", "model_name": source, "field_name": field, "term": ""},
    )
    if response.status_code == 403:  # e.g. clerks may not use the user form at all
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    other = world[other_key][1]
    assert str(other.pk) not in ids
    if other_key == "region":
        assert ids <= {own_region.code}


def test_household_form_cannot_pick_a_village_outside_scope(client, clerk_a, world):
    """The picker only fills a hidden input; the form itself re-checks the posted code."""
    client.force_login(clerk_a)
    response = client.post(reverse("admin:households_household_add"), {"village": world["region"][1].code})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "village" in form.errors
    assert Household.objects.count() == 2


def test_workteam_post_with_other_village_is_rejected(client, county_admin, world):
    client.force_login(county_admin)
    data = {
        "village": "211224100200",  # a village of another county
        "dispatching_unit": "县水利局",
        "start": "2019-01-01",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:households_workteam_add"), data)
    assert response.status_code == 200
    assert "village" in response.context["adminform"].form.errors


# --- the cascading region picker ---------------------------------------------------------------


def _codes(client, name, **params):
    response = client.get(reverse(f"core:{name}"), params)
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


def test_picker_for_a_clerk_holds_only_the_own_village(client, clerk_a, world):
    village_a, village_b = world["region"]
    client.force_login(clerk_a)
    assert _codes(client, "region-children") == [village_a.code]
    assert _codes(client, "region-children", parent=village_b.parent_id) == []
    assert _codes(client, "region-children", parent=village_a.parent.parent_id) == []
    assert _codes(client, "region-search", q="乙村") == []
    assert _codes(client, "region-search", q="211223101") == []
    assert _codes(client, "region-search", q="甲") == [village_a.code]


def test_picker_cascades_from_the_county_down(client, county_admin, world):
    village_a, village_b = world["region"]
    client.force_login(county_admin)
    county = village_a.parent.parent_id
    assert _codes(client, "region-children") == [county]
    assert _codes(client, "region-children", parent=county) == [village_a.parent_id, village_b.parent_id]
    assert _codes(client, "region-children", parent=village_b.parent_id) == [village_b.code]
    assert _codes(client, "region-search", q="村") == [village_a.code, village_b.code]  # not 丙村
    assert _codes(client, "region-children", parent="211224000000") == []


def test_picker_needs_a_staff_login(client, world):
    response = client.get(reverse("core:region-children"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_household_add_form_uses_the_picker_preset_to_the_clerks_village(client, clerk_a, world):
    client.force_login(clerk_a)
    body = client.get(reverse("admin:households_household_add")).content.decode()
    assert 'class="region-picker"' in body
    assert f'name="village" id="id_village" value="{world["region"][0].code}"' in body
    assert "core/region_picker.js" in body


# --- counts --------------------------------------------------------------------------------------


def test_estimated_count_paginator_counts_exactly_below_the_limit_and_estimates_above(village_a, monkeypatch):
    for _ in range(5):
        HouseholdFactory(village=village_a)
    queryset = Household.objects.all()
    assert EstimatedCountPaginator(queryset, 2).count == 5
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_LIMIT", 3)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 2).count
    assert count >= 4  # the planner's estimate, never below what was counted
    assert "LIMIT 4" in queries[0]["sql"]
    assert all("EXPLAIN" in q["sql"] for q in queries[1:])


def _changelist_queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(f"admin:{_app(model)}_{model}_changelist")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ["household", "member", "workteam"])
def test_changelist_query_count_does_not_grow_with_rows(client, county_admin, village_a, model):
    def make(n):
        for _ in range(n):
            if model == "workteam":
                WorkTeamFactory(village=village_a)
            else:
                MemberFactory(household=HouseholdFactory(village=village_a))

    client.force_login(county_admin)
    make(3)
    few = _changelist_queries(client, model)
    make(27)
    assert _changelist_queries(client, model) == few
    assert Member.objects.count() in {0, 30}
