"""Stored calculation details (JSON) are shown in words; a finished recalculation run opens."""

import datetime as dt

import pytest

from assistance.recalc import recalculate_now
from assistance.wording import plain_details


def test_calculation_details_in_words_without_keys_or_null():
    rates = {
        "case_type": "whole",
        "phase_out": None,
        "classified_items": [{"rate": "0.10", "amount": "32.30", "member_id": 5, "categories": ["elderly"]}],
        "dibao.urban_standard_month": "570",
    }
    text = plain_details(rates)
    assert "保障方式：整户保" in text
    assert "渐退：无" in text
    assert "类别：老年人" in text
    assert "所用标准：570" in text
    for raw in ("whole", "None", "elderly", "member_id", "dibao."):
        assert raw not in text


@pytest.mark.django_db
def test_finished_recalculation_run_page_opens(client, county_admin, village_a):
    run = recalculate_now(region=village_a.parent.parent, as_of=dt.date(2020, 1, 1), user=county_admin)
    client.force_login(county_admin)
    response = client.get(f"/admin/assistance/recalculationrun/{run.pk}/change/")
    assert response.status_code == 200
