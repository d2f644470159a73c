from urllib.parse import unquote

import pytest

from server.web.responses import content_disposition, download


@pytest.mark.parametrize("name", ["report.csv", "data-charter-2022-07-01.pdf", "your data.json"])
def test_a_plain_name_is_sent_as_it_is(name):
    assert content_disposition(name) == f'attachment; filename="{name}"'


def test_a_name_beyond_ascii_gets_a_fallback_and_the_utf8_form():
    value = content_disposition("café-réponses.csv")
    assert value.startswith('attachment; filename="cafe-reponses.csv"; filename*=UTF-8\'\'')
    assert unquote(value.split("''", 1)[1]) == "café-réponses.csv"


@pytest.mark.parametrize("name", ['a"b.csv', "a\r\nSet-Cookie: x=1.csv", "../etc/passwd", "a\\b.csv", "\x00"])
def test_quotes_newlines_and_paths_never_reach_the_header(name):
    value = content_disposition(name)
    plain = value.split('filename="', 1)[1].split('"', 1)[0]
    assert not any(character in plain for character in '"\\/\r\n\x00')
    assert "\r" not in value and "\n" not in value and value.count('"') == 2


def test_a_download_carries_extra_headers():
    response = download("x", media_type="text/csv; charset=utf-8", filename="x.csv", headers={"cache-control": "no-store"})
    assert response.headers["content-disposition"] == 'attachment; filename="x.csv"'
    assert response.headers["cache-control"] == "no-store"
