"""The ``select`` and ``verify-draw`` click commands, through CliRunner."""

import json

from click.testing import CliRunner

from panels.cli import select_command, verify_draw_command


def test_select_writes_json_and_verify_draw_confirms_it(instances, tmp_path):
    folder = instances / "sortition_algorithms_fixture_22"
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        select_command,
        ["--categories", str(folder / "features.csv"), "--respondents", str(folder / "candidates.csv"), "--k", "22",
         "--household-columns", "primary_address1,primary_zip", "--seed", "42", "--lottery-size", "100", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Pool size n = 150, panel size k = 22" in result.output
    assert "Drawn panel (22)" in result.output
    record = json.loads(out.read_text())
    assert record["lottery_size"] == 100 and len(record["panel"]) == 22
    assert abs(record["min_probability"] - 1 / 11) < 1e-4
    check = CliRunner().invoke(verify_draw_command, [str(out)])
    assert check.exit_code == 0 and "matches" in check.output
    record["panel"] = record["lottery"][record["ticket"] % 100]
    out.write_text(json.dumps(record))
    tampered = CliRunner().invoke(verify_draw_command, [str(out)])
    assert tampered.exit_code != 0 and "does NOT match" in tampered.output


def test_infeasible_quotas_print_relaxation_and_exit_non_zero(write_csv):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,3,3\ngender,Male,0,3\n")
    people = write_csv("r.csv", "id,gender\n1,Female\n2,Male\n3,Male\n4,Male\n")
    result = CliRunner().invoke(select_command, ["--categories", str(categories), "--respondents", str(people), "--k", "3", "--seed", "s"])
    assert result.exit_code != 0
    assert "gender=Female needs at least 3 but only 1" in result.output
    assert "[3, 3] -> [1, 3]" in result.output
    assert "infeasible" in result.output


def test_bad_input_is_one_line_error(write_csv):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,1,x\n")
    people = write_csv("r.csv", "id,gender\n1,Female\n")
    result = CliRunner().invoke(select_command, ["--categories", str(categories), "--respondents", str(people), "--k", "1"])
    assert result.exit_code == 1
    assert "q.csv, row 2, column 'max'" in result.output
