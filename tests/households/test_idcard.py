import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.idcard import check_sex_matches, make_id, mask_id, normalize_id, parse_id


@pytest.mark.parametrize("id_no", ["11010519491231002X", "360426199101010071"])
def test_scenario_01_valid_check_digits_pass(id_no):
    assert parse_id(id_no).birth_date.year in (1949, 1991)


def test_scenario_01_wrong_check_digit_names_the_fault():
    with pytest.raises(ValidationError) as exc:
        parse_id("360426199101010072")
    assert "校验码错误" in exc.value.messages[0]
    # It does not say which digit was expected: a typo elsewhere would be "fixed" by changing it.
    assert not any(ch.isdigit() or ch == "X" for ch in exc.value.messages[0])


def test_scenario_02_impossible_birth_date_is_rejected():
    with pytest.raises(ValidationError) as exc:
        parse_id("110105194902301234")
    assert "1949-02-30" in exc.value.messages[0]
    assert "不是有效日期" in exc.value.messages[0]


def test_birth_date_in_the_future_is_rejected():
    future = make_id("110105", dt.date.today() + dt.timedelta(days=3), 1, male=True)
    with pytest.raises(ValidationError, match="晚于今天"):
        parse_id(future)


def test_scenario_03_fifteen_digit_id_is_rejected():
    with pytest.raises(ValidationError) as exc:
        parse_id("110105491231002")
    assert "15位" in exc.value.messages[0]


@pytest.mark.parametrize("bad", ["1101051949123100", "11010519491231002Y", "ABCDEFGHIJKLMNOPQR", ""])
def test_malformed_ids_are_rejected(bad):
    with pytest.raises(ValidationError, match="18位"):
        parse_id(bad)


def test_scenario_04_even_sex_digit_entered_as_male_is_an_error():
    female_id = "11010519491231002X"  # digit 17 is 2: female
    with pytest.raises(ValidationError) as exc:
        check_sex_matches(female_id, "male")
    assert "性别与身份证号码不符" in exc.value.messages[0]
    check_sex_matches(female_id, "female")  # agrees: no error


def test_full_width_digits_and_lower_case_x_are_normalised():
    assert normalize_id(" １１０１０５１９４９１２３１００２ｘ ") == "11010519491231002X"
    assert parse_id("11010519491231002x").sex == "female"


def test_mask_keeps_first_six_and_last_four():
    assert mask_id("11010519491231002X") == "110105********002X"
