from email import policy
from email.message import EmailMessage

import pytest
from hypothesis import given, strategies as st

from common.emails import MAX_EMAIL_LENGTH, clean_email, is_valid_email, normalise_email


@pytest.mark.parametrize("address", ["name@example.com", "first.last+tag@council.gov.uk", "müller@bücher.de",
                                     "用户@例子.广告", "o'neil@example.co.uk"])
def test_ordinary_addresses_pass(address):
    assert is_valid_email(address)


@pytest.mark.parametrize("address", ["", "a@[b.cd", "a@b", "name@", "@example.com", "a..b@example.com",
                                     '"a b"@example.com', "a@b.c-", "a b@example.com", "a@[127.0.0.1]", "Ann <ann@example.com>",
                                     "x@localhost", "a@example.com\x00", "a" * 250 + "@x.com"])
def test_addresses_the_regex_let_through_or_mail_cannot_carry_are_refused(address):
    assert not is_valid_email(address)
    assert clean_email(address) is None


def test_surrounding_space_is_not_part_of_an_address():
    assert not is_valid_email(" a@example.com") and not is_valid_email("a@example.com\n")
    assert clean_email(" a@example.com\n") == "a@example.com"


def test_the_normalised_form_folds_case_and_compatibility_characters():
    assert normalise_email("  Ann@Example.COM ") == "ann@example.com"
    assert normalise_email("ＡＮＮ@ｅｘａｍｐｌｅ.com") == "ann@example.com"
    assert normalise_email("Straße@example.de") == "strasse@example.de"
    assert clean_email(" RESIDENT1@Example.com ") == "resident1@example.com"


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise_email(text)
    assert normalise_email(once) == once


@given(st.one_of(st.text(), st.emails().map(lambda a: a.upper()), st.emails()))
def test_every_accepted_address_fits_in_a_mail_header(text):
    cleaned = clean_email(text)
    if cleaned is None:
        return
    assert len(cleaned) <= MAX_EMAIL_LENGTH and is_valid_email(cleaned)
    for chosen in (policy.default, policy.SMTP, policy.SMTPUTF8):
        message = EmailMessage(policy=chosen)
        message["To"] = cleaned
        message.set_content("x")
        message.as_bytes()
    assert message["To"].addresses[0].addr_spec == cleaned
