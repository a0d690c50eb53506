"""Tests for pipeline.deidentify: what is masked, what is not, and the check digits."""

import pytest

from pipeline.deidentify import find_personal_data, id_check_digit, is_valid_id, luhn_ok, mask

ID_17 = "64050219900307123"
VALID_ID = ID_17 + id_check_digit(ID_17)


def _kinds(text):
    return [kind for kind, _, _ in find_personal_data(text)]


def test_id_check_digit_known_example():
    # The GB 11643-1999 worked example.
    assert id_check_digit("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X")
    assert is_valid_id("11010519491231002x")


def test_wrong_check_digit_or_date_is_not_an_id():
    wrong = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")
    assert not is_valid_id(wrong)
    assert _kinds(f"号码{wrong}") == []
    assert not is_valid_id("110105194902301234")  # 30 February


def test_eighteen_digit_id_masked_with_hint():
    assert mask(f"身份证号{VALID_ID}。") == f"身份证号{VALID_ID[:4]}{'*' * 10}{VALID_ID[-4:]}。"


def test_old_fifteen_digit_id():
    assert _kinds("旧证号640502900307123") == ["id_card"]


@pytest.mark.parametrize(
    "text, masked",
    [
        ("电话13812345678", "电话138****5678"),
        ("电话+86 138-1234-5678", "电话+86 138****5678"),
        ("电话 0086 13812345678", "电话 0086 138****5678"),
        ("电话138 1234 5678", "电话138****5678"),
    ],
)
def test_mobile_numbers(text, masked):
    assert mask(text) == masked


def test_landlines():
    assert mask("座机0955-7012345转") == "座机0955-****345转"
    assert mask("(010)62345678") == "(010)*****678"


def test_bank_card_needs_luhn():
    assert luhn_ok("6222021234567890128")
    assert mask("卡号6222021234567890128") == "卡号6222***********0128"
    assert _kinds("订单6222021234567890129") == []


def test_email_and_plates():
    assert mask("邮箱zhang.san@example.com，") == "邮箱z***@example.com，"
    assert mask("车牌宁E·12345") == "车牌宁E·1**45"
    assert mask("车牌宁E12345") == "车牌宁E1**45"
    assert mask("新能源宁ED12345") == "新能源宁ED***45"


@pytest.mark.parametrize(
    "text",
    [
        "2019年12月3日下午3时，3人死亡、12人受伤",
        "罚款20000元，补偿款1500000元",
        "共有1234户、56789人",
        "2019-12-03 08:30:00",
        "编号20191203123456",
        "宁ABCDE不是车牌",
        "GB11643-1999",
    ],
)
def test_ordinary_numbers_are_not_masked(text):
    assert mask(text) == text


def test_spans_are_sorted_and_do_not_overlap():
    text = f"手机13812345678，身份证{VALID_ID}，邮箱a@b.cn"
    spans = find_personal_data(text)
    assert [kind for kind, _, _ in spans] == ["mobile", "id_card", "email"]
    assert all(spans[i][2] <= spans[i + 1][1] for i in range(len(spans) - 1))
