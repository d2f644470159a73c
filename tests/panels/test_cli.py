"""The ``select`` and ``verify-draw`` click commands, through CliRunner."""

import json

from click.testing import CliRunner

from server.cli.selection import select_command, verify_draw_command


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


def _fixture_args(instances, *extra):
    folder = instances / "sortition_algorithms_fixture_22"
    return ["--categories", str(folder / "features.csv"), "--respondents", str(folder / "candidates.csv"), "--k", "22",
            "--household-columns", "primary_address1,primary_zip", "--seed", "42", *extra]


def test_drawn_ids_print_in_natural_order(instances):
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--lottery-size", "100"))
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("Drawn panel (22): "))
    ids = line.removeprefix("Drawn panel (22): ").split(", ")
    assert len(ids) == 22
    assert ids == sorted(ids, key=lambda text: int(text.removeprefix("p")))


def test_a_small_lottery_warns_on_stderr_and_in_json(instances, tmp_path):
    out = tmp_path / "out.json"
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--lottery-size", "3", "--json", str(out)))
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert record["lottery_size"] == 3 and record["max_lottery_deviation"] > 0.01
    assert record["warnings"] and any("lottery of 3 tickets" in warning for warning in record["warnings"])
    assert "Warning: the lottery of 3 tickets" in result.stderr
    assert "Warning" not in result.stdout


def test_a_large_lottery_has_no_warning(instances, tmp_path):
    out = tmp_path / "out.json"
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--lottery-size", "2000", "--json", str(out)))
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert record["max_lottery_deviation"] <= 0.01 and record["warnings"] == []
    assert "Warning" not in result.stderr


def test_id_column_option_names_the_id(write_csv, tmp_path):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,1,1\ngender,Male,1,1\n")
    people = write_csv("r.csv", "id,ref,gender\n1,R-1,Female\n2,R-2,Male\n3,R-3,Male\n")
    out = tmp_path / "out.json"
    args = ["--categories", str(categories), "--respondents", str(people), "--k", "2", "--seed", "s", "--json", str(out)]
    result = CliRunner().invoke(select_command, [*args, "--id-column", "ref"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert set(record["probabilities"]) == {"R-1", "R-2", "R-3"}
    assert "R-1" in record["panel"] and record["probabilities"]["R-1"] == 1.0
    assert abs(record["probabilities"]["R-2"] - 0.5) < 1e-6
    missing = CliRunner().invoke(select_command, [*args, "--id-column", "reference"])
    assert missing.exit_code == 1 and "missing id column 'reference'" in missing.output


def test_respondents_without_id_column_are_numbered_with_a_warning(write_csv):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,1,1\ngender,Male,1,1\n")
    people = write_csv("r.csv", "gender\nFemale\nMale\nMale\n")
    result = CliRunner().invoke(select_command, ["--categories", str(categories), "--respondents", str(people), "--k", "2", "--seed", "s"])
    assert result.exit_code == 0, result.output
    assert "no id column" in result.stderr and "numbered by data row from 0" in result.stderr
    assert "Drawn panel (2): 0, " in result.stdout


def test_legacy_summary_says_its_probabilities_are_estimates(instances):
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--algorithm", "legacy", "--lottery-size", "50"))
    assert result.exit_code == 0, result.output
    assert "probabilities are estimates from 50 random draws" in result.stdout
    assert "Selection probability, estimated from 50 draws: min" in result.stdout


def _record(instances, tmp_path):
    out = tmp_path / "out.json"
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--lottery-size", "100", "--json", str(out)))
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text())


def test_verify_draw_checks_lottery_size_and_quotas(instances, tmp_path):
    out, record = _record(instances, tmp_path)
    candidates = str(instances / "sortition_algorithms_fixture_22" / "candidates.csv")
    good = CliRunner().invoke(verify_draw_command, [str(out), "--respondents", candidates])
    assert good.exit_code == 0, good.output
    assert "meets every recorded quota (checked against" in good.output and "candidates.csv" in good.output

    out.write_text(json.dumps({**record, "lottery_size": 99}))
    size = CliRunner().invoke(verify_draw_command, [str(out)])
    assert size.exit_code != 0 and "lottery_size 99 but its lottery has 100 tickets" in size.output

    quotas = [dict(quota) for quota in record["quotas"]]
    tightened = next(quota for quota in quotas if quota["selected"] > 0)
    tightened["max"] = tightened["selected"] - 1
    out.write_text(json.dumps({**record, "quotas": quotas}))
    broken = CliRunner().invoke(verify_draw_command, [str(out)])
    assert broken.exit_code != 0 and "does NOT meet the recorded quotas" in broken.output
    assert f"{tightened['category']}={tightened['name']}" in broken.output


def test_verify_draw_compares_recorded_counts_with_the_respondents_file(instances, tmp_path, write_csv):
    out, record = _record(instances, tmp_path)
    source = (instances / "sortition_algorithms_fixture_22" / "candidates.csv").read_text(encoding="utf-8").splitlines()
    member = record["panel"][0]
    edited = [line.replace(",Male,", ",Female,") if line.startswith(f"{member},") and ",Male," in line
              else line.replace(",Female,", ",Male,") if line.startswith(f"{member},") else line for line in source]
    changed = write_csv("candidates.csv", "\n".join(edited) + "\n")
    result = CliRunner().invoke(verify_draw_command, [str(out), "--respondents", str(changed)])
    assert result.exit_code != 0
    assert "the record says" in result.output and "the respondents file gives" in result.output
