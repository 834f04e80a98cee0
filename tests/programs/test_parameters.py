import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs import services
from programs.models import Parameter
from programs.selectors import parameter_value, parameters_for
from tests.factories import region_chain

pytestmark = pytest.mark.django_db

VILLAGE = "211223100001"
COUNTY = "211223"
DAY = dt.date(2019, 6, 1)


def test_seed_defaults_are_loaded_with_citations():
    assert parameter_value("dibao.rural_standard_year", region_code=VILLAGE, as_of=DAY) == Decimal("3876")
    row = Parameter.objects.get(key="dibao.rural_standard_year", region_prefix="")
    assert "正府办通〔2018〕150号" in row.source
    assert parameter_value("phase_out.max_months", region_code=VILLAGE, as_of=DAY) == 24
    assert parameter_value("poverty_line.exit", region_code=VILLAGE, as_of=DAY) == Decimal("3247")
    assert parameter_value("poverty_line.exit", region_code=VILLAGE, as_of=dt.date(2018, 3, 1)) == 3535
    assert parameter_value("classified.stack", region_code=VILLAGE, as_of=DAY) is False


def test_nearest_region_up_the_tree_wins():
    services.set_parameter(
        key="dibao.rural_standard_year",
        value="4200",
        region_prefix="2112",
        valid_from=dt.date(2019, 1, 1),
        source="铁岭市文件",
    )
    services.set_parameter(
        key="dibao.rural_standard_year",
        value="4500",
        region_prefix=COUNTY,
        valid_from=dt.date(2019, 1, 1),
        source="西丰县文件",
    )
    assert parameter_value("dibao.rural_standard_year", region_code=VILLAGE, as_of=DAY) == 4500
    assert parameter_value("dibao.rural_standard_year", region_code="211224100001", as_of=DAY) == 4200
    assert parameter_value("dibao.rural_standard_year", region_code="520324100001", as_of=DAY) == 3876


def test_parameters_for_reports_the_version_ids_used(django_assert_num_queries):
    county = services.set_parameter(
        key="subsidy.care.grade_1",
        value="60",
        region_prefix=COUNTY,
        valid_from=dt.date(2019, 1, 1),
        source="县文件",
    )
    with django_assert_num_queries(1):
        params = parameters_for(region_code=VILLAGE, as_of=DAY, keys=["subsidy.care.grade_1", "pension.age"])
    assert params["subsidy.care.grade_1"] == 60
    assert params.ids["subsidy.care.grade_1"] == county.pk
    assert len(params.ids_for(["subsidy.care.grade_1", "pension.age"])) == 2


def test_missing_parameter_raises_chinese_error_naming_it_in_chinese():
    with pytest.raises(ValidationError, match="缺少政策参数「防返贫监测收入线」") as raised:
        parameter_value("monitor.line", region_code=VILLAGE, as_of=DAY)  # valid from 2021 only
    assert "monitor.line" not in str(raised.value)  # the key is not shown to users


def test_overlapping_versions_for_same_key_and_scope_rejected_by_database():
    base = {"key": "pension.age", "region_prefix": COUNTY, "kind": "integer", "unit": "周岁", "source": "x"}
    Parameter.objects.create(
        value="60", valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2019, 12, 31), **base
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Parameter.objects.create(value="65", valid_from=dt.date(2019, 12, 31), **base)
    overlapping = Parameter(value="65", valid_from=dt.date(2019, 6, 1), **base)
    with pytest.raises(ValidationError, match="有效期不能重叠"):
        overlapping.full_clean()
    # Adjacent is fine.
    Parameter.objects.create(value="65", valid_from=dt.date(2020, 1, 1), **base)


def test_new_version_closes_running_one_and_leaves_earlier_days_alone():
    services.set_parameter(
        key="dibao.rural_standard_year",
        value="4000",
        region_prefix=COUNTY,
        valid_from=dt.date(2019, 1, 1),
        source="县文件1",
    )
    services.set_parameter(
        key="dibao.rural_standard_year",
        value="4400",
        region_prefix=COUNTY,
        valid_from=dt.date(2019, 7, 1),
        source="县文件2",
    )
    old = Parameter.objects.get(region_prefix=COUNTY, value="4000")
    assert old.valid_to == dt.date(2019, 6, 30)
    assert (
        parameter_value("dibao.rural_standard_year", region_code=VILLAGE, as_of=dt.date(2019, 6, 30)) == 4000
    )
    assert (
        parameter_value("dibao.rural_standard_year", region_code=VILLAGE, as_of=dt.date(2019, 7, 1)) == 4400
    )


def test_same_start_day_twice_is_rejected():
    services.set_parameter(
        key="pension.age", value="60", region_prefix=COUNTY, valid_from=dt.date(2019, 1, 1), source="a"
    )
    with pytest.raises(ValidationError, match="已有"):
        services.set_parameter(
            key="pension.age", value="61", region_prefix=COUNTY, valid_from=dt.date(2019, 1, 1), source="b"
        )


def test_value_must_parse_as_the_keys_kind():
    with pytest.raises(ValidationError, match="不是有效的数值"):
        services.set_parameter(
            key="dibao.rural_standard_year",
            value="三千",
            region_prefix=COUNTY,
            valid_from=dt.date(2019, 1, 1),
            source="a",
        )


def test_county_staff_may_only_set_inside_their_county(county_admin, township_reviewer_a):
    services.set_parameter(
        key="pension.age",
        value="60",
        region_prefix=COUNTY,
        valid_from=dt.date(2019, 1, 1),
        source="a",
        user=county_admin,
    )
    with pytest.raises(ValidationError, match="管辖|本级"):
        services.set_parameter(
            key="pension.age",
            value="60",
            region_prefix="",
            valid_from=dt.date(2019, 1, 1),
            source="a",
            user=county_admin,
        )
    with pytest.raises(ValidationError, match="只有县级"):
        services.set_parameter(
            key="pension.age",
            value="60",
            region_prefix="211223100",
            valid_from=dt.date(2019, 1, 1),
            source="a",
            user=township_reviewer_a,
        )


# ---------------------------------------------------------------- admin


def _add_payload(**overrides):
    data = {
        "key": "dibao.rural_standard_year",
        "region_prefix": COUNTY,
        "valid_from": "2019-07-01",
        "valid_to": "",
        "kind": "",
        "value": "4300",
        "unit": "",
        "source": "西府发〔2019〕1号",
        "note": "",
    }
    data.update(overrides)
    return data


def test_county_admin_adds_a_county_version_in_admin(client, county_admin):
    client.force_login(county_admin)
    response = client.post("/admin/programs/parameter/add/", _add_payload())
    assert response.status_code == 302, response.content.decode()[:3000]
    row = Parameter.objects.get(region_prefix=COUNTY)
    assert (row.value, row.kind, row.unit, row.created_by) == ("4300", "decimal", "元/人/年", county_admin)


def test_county_admin_cannot_add_outside_county_in_admin(client, county_admin):
    client.force_login(county_admin)
    response = client.post("/admin/programs/parameter/add/", _add_payload(region_prefix="2112"))
    assert response.status_code == 200
    assert "管辖范围" in response.content.decode()
    assert not Parameter.objects.filter(region_prefix="2112").exists()


def test_township_and_village_read_only(client, township_reviewer_a, clerk_a):
    for user in (township_reviewer_a, clerk_a):
        client.force_login(user)
        assert client.get("/admin/programs/parameter/").status_code == 200
        assert client.post("/admin/programs/parameter/add/", _add_payload()).status_code == 403
    nationwide = Parameter.objects.get(key="pension.age")
    response = client.get(f"/admin/programs/parameter/{nationwide.pk}/change/")
    assert response.status_code == 200
    assert 'name="source"' not in response.content.decode()


def test_admin_list_shows_inherited_and_own_but_not_other_county(client, county_admin):
    services.set_parameter(
        key="pension.age", value="61", region_prefix=COUNTY, valid_from=dt.date(2019, 1, 1), source="本县"
    )
    services.set_parameter(
        key="pension.age", value="62", region_prefix="211224", valid_from=dt.date(2019, 1, 1), source="邻县"
    )
    region_chain("211224100001", ("辽宁省", "铁岭市", "邻县", "某镇", "某村"))
    client.force_login(county_admin)
    body = client.get("/admin/programs/parameter/?q=pension.age").content.decode()
    assert "本县" in body
    assert "全国" in body
    assert "邻县" not in body


def test_city_supervisor_is_read_only_on_parameters(client, city_supervisor):
    # README's role table: 市级监督员 只读查看、抽查监督 — no parameter of its own city either.
    client.force_login(city_supervisor)
    assert (
        client.post("/admin/programs/parameter/add/", _add_payload(region_prefix="2112")).status_code == 403
    )
    assert not Parameter.objects.filter(region_prefix="2112").exists()
    other = services.set_parameter(
        key="pension.age", value="61", region_prefix="211301", valid_from=dt.date(2019, 1, 1), source="他市"
    )
    assert client.get(f"/admin/programs/parameter/{other.pk}/change/").status_code == 302  # not visible


def test_county_admin_cannot_edit_inherited_version(client, county_admin):
    nationwide = Parameter.objects.get(key="pension.age")
    client.force_login(county_admin)
    response = client.post(
        f"/admin/programs/parameter/{nationwide.pk}/change/", {"source": "改", "valid_to": ""}
    )
    assert response.status_code == 403
    nationwide.refresh_from_db()
    assert nationwide.source != "改"


def test_add_form_and_changelist_render_for_county_admin(client, county_admin):
    client.force_login(county_admin)
    body = client.get("/admin/programs/parameter/add/").content.decode()
    assert "dibao.rural_standard_year（农村低保标准）" in body
    assert 'value="211223"' in body  # the county prefix is proposed
    changelist = client.get("/admin/programs/parameter/").content.decode()
    assert "低保政策情景模拟" in changelist


def test_values_derived_from_parameters_are_computed_once_per_set_and_follow_overrides():
    params = parameters_for(region_code=VILLAGE, as_of=DAY)
    calls = []

    def standard_month(p):
        calls.append(p)
        return p["dibao.rural_standard_year"] / 12

    assert params.derived(standard_month) == Decimal("323")
    assert params.derived(standard_month) == Decimal("323")
    assert len(calls) == 1  # every household of the village reuses it
    what_if = params.with_values(dibao__rural_standard_year=Decimal("4800"))
    assert what_if.derived(standard_month) == Decimal("400")  # a simulation never sees the cached one
    assert params.for_region(VILLAGE[:9] + "002").derived(standard_month) == Decimal("323")
    assert len(calls) == 3


def test_a_missing_parameter_names_itself_in_chinese_when_read():
    params = parameters_for(region_code=VILLAGE, as_of=DAY)
    with pytest.raises(ValidationError, match="缺少政策参数「no.such.key」"):
        params["no.such.key"]
    with pytest.raises(KeyError):
        params["no.such.key"]
    assert params.get("no.such.key") is None
    assert "no.such.key" not in params


def test_a_set_labelled_for_another_village_is_the_same_set_but_for_its_label():
    params = parameters_for(region_code=VILLAGE, as_of=DAY)
    other = VILLAGE[:9] + "002"
    labelled = params.for_region(other)
    assert dict(labelled) == dict(params)
    assert labelled.ids == params.ids
    assert labelled.version("dibao.rural_standard_year") == params.version("dibao.rural_standard_year")
    assert (labelled.region_code, labelled.as_of) == (other, DAY)
    assert labelled.ids_for(["dibao.rural_standard_year"]) == params.ids_for(["dibao.rural_standard_year"])
    with pytest.raises(ValidationError, match=other):  # the message names the village it was read for
        labelled["no.such.key"]
    assert (
        labelled.with_values(dibao__rural_standard_year=Decimal("4800"))["dibao.rural_standard_year"] == 4800
    )
    assert params["dibao.rural_standard_year"] != 4800  # the original is untouched
