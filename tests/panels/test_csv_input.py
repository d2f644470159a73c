"""Parsing the quota and respondent CSVs, and the located error messages."""

import pytest

from panels.selection import SelectionInputError, SelectionInputWarning, load_problem, load_quotas, load_volunteers

QUOTAS = "category,name,min,max\ngender,Female,1,2\ngender,Male,1,2\n"


@pytest.mark.parametrize(
    "header",
    ["category,name,min,max", "category,feature,min,max", "feature,value,min,max,min_flex,max_flex"],
)
def test_all_three_quota_header_variants_are_read(write_csv, header):
    extra = ",0,9" if "flex" in header else ""
    path = write_csv("q.csv", f"{header}\nGender,Female,1,2{extra}\nGender,Male,0,3{extra}")
    quotas = load_quotas(path)
    assert [(q.category, q.name, q.quota_min, q.quota_max) for q in quotas] == [
        ("Gender", "Female", 1, 2),
        ("Gender", "Male", 0, 3),
    ]


def test_values_match_case_and_whitespace_insensitively(write_csv):
    quotas = load_quotas(write_csv("q.csv", QUOTAS))
    people = write_csv("r.csv", "unique_id,GENDER\na,  female \nb,MALE\n")
    volunteers = load_volunteers(people, quotas)
    assert [v.features["gender"] for v in volunteers] == ["Female", "Male"]
    assert [v.id for v in volunteers] == ["a", "b"]


def test_file_without_id_column_uses_zero_based_row_index_and_says_so(instances):
    with pytest.warns(SelectionInputWarning, match="no id column"):
        problem = load_problem(instances / "example_small_20/categories.csv", instances / "example_small_20/respondents.csv", 20)
    assert len(problem.volunteers) == 200
    assert problem.volunteers[0].id == "0" and problem.volunteers[-1].id == "199"


def test_household_columns_are_normalised(write_csv):
    quotas = load_quotas(write_csv("q.csv", QUOTAS))
    people = write_csv("r.csv", 'id,gender,address,postcode\n1,Male,"Flat 3, 15 Maple Ave",nw1 2ab\n2,Female,flat 3 15 maple ave,NW12AB\n')
    first, second = load_volunteers(people, quotas, household_columns=["address", "postcode"])
    assert first.household == second.household is not None


@pytest.mark.parametrize(
    ("quota_text", "row", "column", "fragment"),
    [
        ("category,name,min,max\ngender,Female,x,2\n", 2, "min", "not a whole number"),
        ("category,name,min,max\ngender,Female,1,2\ngender,Male,-1,2\n", 3, "min", "negative"),
        ("category,name,min,max\ngender,Female,3,2\n", 2, "min", "greater than max"),
        ("category,name,min\ngender,Female,1\n", 1, "max", "missing column"),
        ("cat,name,min,max\ngender,Female,1,2\n", 1, "category", "missing column"),
        ("category,name,min,max\ngender,Female,1,2\nGender,female,1,2\n", 3, "name", "listed twice"),
    ],
)
def test_quota_errors_name_file_row_and_column(write_csv, quota_text, row, column, fragment):
    path = write_csv("quotas.csv", quota_text)
    with pytest.raises(SelectionInputError) as caught:
        load_quotas(path)
    error = caught.value
    assert (error.file, error.row, error.column) == (str(path), row, column)
    assert fragment in str(error) and "quotas.csv" in str(error) and f"row {row}" in str(error)


@pytest.mark.parametrize(
    ("people_text", "row", "column", "fragment"),
    [
        ("id,gender\n1,Female\n2,Robot\n", 3, "gender", "unknown value 'Robot'"),
        ("id,gender\n1,Female\n1,Male\n", 3, "id", "duplicate id '1'"),
        ("id,sex\n1,Female\n", 1, "gender", "missing column"),
    ],
)
def test_respondent_errors_name_file_row_and_column(write_csv, people_text, row, column, fragment):
    quotas = load_quotas(write_csv("q.csv", QUOTAS))
    path = write_csv("people.csv", people_text)
    with pytest.raises(SelectionInputError) as caught:
        load_volunteers(path, quotas)
    error = caught.value
    assert (error.row, error.column) == (row, column)
    assert fragment in str(error) and "people.csv" in str(error)


def test_k_larger_than_pool_is_an_input_error(write_csv):
    categories = write_csv("q.csv", QUOTAS)
    people = write_csv("people.csv", "id,gender\n1,Female\n2,Male\n")
    with pytest.raises(SelectionInputError, match=r"people.csv.*k=3 is larger than the pool \(2"):
        load_problem(categories, people, 3)


def test_named_id_column_wins_over_the_default_ones(write_csv):
    quotas = load_quotas(write_csv("q.csv", QUOTAS))
    people = write_csv("r.csv", "id,Reference,gender\n1,R-7,Female\n2,R-8,Male\n")
    volunteers = load_volunteers(people, quotas, id_column="reference")
    assert [v.id for v in volunteers] == ["R-7", "R-8"]
    assert volunteers[0].extra == {"id": "1"}
