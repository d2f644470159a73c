import pytest
from hypothesis import given, strategies as st

from common.csvio import HAS_NUL, NOT_UTF8, TOO_LONG, CsvProblem, CsvReadError, read_csv


def problems(data) -> list[CsvProblem]:
    with pytest.raises(CsvReadError) as caught:
        read_csv(data)
    return list(caught.value.problems)


def test_rows_are_numbered_as_a_spreadsheet_numbers_them():
    table = read_csv("a,b\n1,2\n\n3,4\n")
    assert table.header == ["a", "b"]
    assert [(row.number, row.cells, row.is_blank) for row in table.rows] == [
        (2, ["1", "2"], False), (3, [], True), (4, ["3", "4"], False)]


@pytest.mark.parametrize("data", [b"\xef\xbb\xbfa,b\r\n1,2\r\n", "\ufeffa,b\n1,2\n", b"a,b\n1,2"])
def test_a_byte_order_mark_and_either_line_ending_read_the_same(data):
    table = read_csv(data)
    assert table.header == ["a", "b"] and [row.cells for row in table.rows] == [["1", "2"]]


def test_quoted_cells_keep_commas_and_line_breaks():
    assert read_csv('a,b\n"x, y","two\nlines"\n').rows[0].cells == ["x, y", "two\nlines"]


def test_an_empty_file_has_no_header():
    assert read_csv("").header == [] and read_csv(b"\xef\xbb\xbf").rows == []


def test_every_problem_of_the_file_is_reported_at_once():
    found = problems('name,note\nok,"a"b\nAnn,x\x00y\n"' + "x" * 140_000 + '\nlast,1\n')
    assert found[0].row == 2 and found[0].column == "" and "not valid CSV" in found[0].message
    assert found[1] == CsvProblem(3, "note", HAS_NUL)
    assert found[2] == CsvProblem(4, "", TOO_LONG)
    assert str(found[1]) == f"Row 3, column note: {HAS_NUL}"


def test_bytes_that_are_not_utf8_name_their_row():
    assert problems(b"a,b\n1,2\n3,\xff\n") == [CsvProblem(3, "", NOT_UTF8)]


def test_a_nul_under_an_unnamed_column_names_its_position():
    assert problems("a,\n1,\x00\n") == [CsvProblem(2, "number 2", HAS_NUL)]


def test_one_row_cap_for_every_file():
    assert len(read_csv("a\n" + "1\n" * 5, max_rows=5).rows) == 5
    assert problems_with_cap("a\n" + "1\n" * 6, 5) == [CsvProblem(7, "", "the file has more than 5 rows; split it")]


def problems_with_cap(text: str, cap: int) -> list[CsvProblem]:
    with pytest.raises(CsvReadError) as caught:
        read_csv(text, max_rows=cap)
    return list(caught.value.problems)


def test_too_many_columns_is_a_problem():
    assert problems("a\n" + ",".join(["x"] * 1_001) + "\n")[0].message == "the row has more than 1,000 cells"


@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_raise_nothing_but_the_readers_own_error(data):
    try:
        table = read_csv(data)
    except CsvReadError as error:
        assert error.problems and all(problem.row >= 1 for problem in error.problems)
    else:
        assert all("\x00" not in cell for row in table.rows for cell in row.cells)


@given(st.text(max_size=2_000))
def test_arbitrary_text_raises_nothing_but_the_readers_own_error(text):
    try:
        read_csv(text)
    except CsvReadError:
        pass


def test_the_error_keeps_the_rows_read_without_a_problem():
    with pytest.raises(CsvReadError) as caught:
        read_csv('a,b\n1,2\n"x"y,3\n4,\x00\n5,6\n')
    assert caught.value.table.header == ["a", "b"]
    assert [row.number for row in caught.value.table.rows] == [2, 5]
