import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from fangkong.people.identity import (
    InvalidIdentity,
    id_decrypt,
    id_encrypt,
    id_hash,
    mask_id_number,
    normalize_phone,
    parse_resident_id,
    resident_id_check_char,
)

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2021, 12, 31))
regions = st.sampled_from(["110105", "520113", "440106", "371202", "650102"])
sequences = st.integers(min_value=0, max_value=999)


def build(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


def test_known_valid_number_from_the_standard():
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.region_code == "110105"


@given(regions, births, sequences)
def test_every_well_formed_number_parses_with_its_birth_date_and_sex(region, birth, sequence):
    parsed = parse_resident_id(build(region, birth, sequence))
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if sequence % 2 else "F")


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check_digit(region, birth, sequence, position, delta):
    number = build(region, birth, sequence)
    digit = (int(number[position]) + delta) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(InvalidIdentity):
        parse_resident_id(typo)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18"),
        ("99010519491231002X", "province"),
        ("110105194913310021", "birth date"),
        ("110105194912310021", "check digit"),
    ],
)
def test_bad_numbers_say_why(number, reason):
    with translation.override("en"), pytest.raises(InvalidIdentity) as error:
        parse_resident_id(number)
    assert reason in str(error.value)


def test_reasons_are_in_chinese_by_default():
    with pytest.raises(InvalidIdentity) as error:
        parse_resident_id("110105194912310021")
    assert str(error.value) == "校验码错误（号码有误）。"


def test_future_birth_date_is_impossible():
    number = build("110105", dt.date(2030, 1, 1), 1)
    with pytest.raises(InvalidIdentity):
        parse_resident_id(number, today=dt.date(2022, 2, 1))


def test_lower_case_x_and_spaces_are_normalised():
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0851-86800000", "0851-86800000"),
        ("(0851)86800000", "085186800000"),
    ],
)
def test_phone_numbers_accepted(raw, normal):
    assert normalize_phone(raw) == normal


@pytest.mark.parametrize("raw", ["12345", "1380013800", "23800138000", "phone"])
def test_phone_numbers_refused(raw):
    with pytest.raises(InvalidIdentity):
        normalize_phone(raw)


def test_masking_keeps_the_region_and_the_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_id_is_encrypted_and_hashed_without_the_clear_number():
    blob = id_encrypt("11010519491231002X")
    assert b"11010519491231002X" not in blob
    assert id_decrypt(blob) == "11010519491231002X"
    assert id_encrypt("11010519491231002X") != blob  # a fresh nonce each time
    assert id_hash("11010519491231002x") == id_hash("11010519491231002X")
    assert "11010519491231002X" not in id_hash("11010519491231002X")
