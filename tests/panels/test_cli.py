"""The ``select`` and ``verify-draw`` click commands, through CliRunner."""

import json

import numpy as np
from click.testing import CliRunner

from panels.selection import alternates
from panels.selection.report import alternates_digest
from server.cli.selection import select_command, verify_draw_command


def _build_and_draw(tmp_path, build_args, seed="42"):
    """Build the lottery (writing its file), then draw ``seed`` against it into out.json."""
    lottery = tmp_path / "lottery.json"
    built = CliRunner().invoke(select_command, [*build_args, "--lottery-out", str(lottery)])
    assert built.exit_code == 0, built.output
    out = tmp_path / "out.json"
    drawn = CliRunner().invoke(select_command, ["--draw", "--lottery", str(lottery), "--seed", seed, "--json", str(out)])
    return built, drawn, out


def test_select_writes_json_and_verify_draw_confirms_it(instances, tmp_path):
    folder = instances / "sortition_algorithms_fixture_22"
    built, result, out = _build_and_draw(tmp_path, [
        "--categories", str(folder / "features.csv"), "--respondents", str(folder / "candidates.csv"), "--k", "22",
        "--household-columns", "primary_address1,primary_zip", "--lottery-size", "100"])
    assert "Pool size n = 150, panel size k = 22" in built.output
    assert result.exit_code == 0, result.output
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
    result = CliRunner().invoke(select_command, ["--categories", str(categories), "--respondents", str(people), "--k", "3"])
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
            "--household-columns", "primary_address1,primary_zip", *extra]


def test_drawn_ids_print_in_natural_order(instances, tmp_path):
    _, result, _ = _build_and_draw(tmp_path, _fixture_args(instances, "--lottery-size", "100"))
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("Drawn panel (22): "))
    ids = line.removeprefix("Drawn panel (22): ").split(", ")
    assert len(ids) == 22
    assert ids == sorted(ids, key=lambda text: int(text.removeprefix("p")))


def test_a_small_lottery_warns_on_stderr_and_in_json(instances, tmp_path):
    result, drawn, out = _build_and_draw(tmp_path, _fixture_args(instances, "--lottery-size", "3"))
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(out.read_text())
    assert record["lottery_size"] == 3 and record["max_lottery_deviation"] > 0.01
    assert record["warnings"] and any("lottery of 3 tickets" in warning for warning in record["warnings"])
    assert "Warning: the lottery of 3 tickets" in result.stderr
    assert "Warning" not in result.stdout


def test_a_large_lottery_has_no_warning(instances, tmp_path):
    result, drawn, out = _build_and_draw(tmp_path, _fixture_args(instances, "--lottery-size", "2000"))
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(out.read_text())
    assert record["max_lottery_deviation"] <= 0.01 and record["warnings"] == []
    assert "Warning" not in result.stderr


def test_id_column_option_names_the_id(write_csv, tmp_path):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,1,1\ngender,Male,1,1\n")
    people = write_csv("r.csv", "id,ref,gender\n1,R-1,Female\n2,R-2,Male\n3,R-3,Male\n")
    args = ["--categories", str(categories), "--respondents", str(people), "--k", "2"]
    _, result, out = _build_and_draw(tmp_path, [*args, "--id-column", "ref"], seed="s")
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert set(record["probabilities"]) == {"R-1", "R-2", "R-3"}
    assert "R-1" in record["panel"] and record["probabilities"]["R-1"] == 1.0
    assert abs(record["probabilities"]["R-2"] - 0.5) < 1e-6
    missing = CliRunner().invoke(select_command, [*args, "--id-column", "reference"])
    assert missing.exit_code == 1 and "missing id column 'reference'" in missing.output


def test_respondents_without_id_column_are_numbered_with_a_warning(write_csv, tmp_path):
    categories = write_csv("q.csv", "category,name,min,max\ngender,Female,1,1\ngender,Male,1,1\n")
    people = write_csv("r.csv", "gender\nFemale\nMale\nMale\n")
    built, result, _ = _build_and_draw(tmp_path, ["--categories", str(categories), "--respondents", str(people),
                                                  "--k", "2"], seed="s")
    assert "no id column" in built.stderr and "numbered by data row from 0" in built.stderr
    assert result.exit_code == 0, result.output
    assert "Drawn panel (2): 0, " in result.stdout


def test_legacy_summary_says_its_probabilities_are_estimates(instances):
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--algorithm", "legacy", "--lottery-size", "50"))
    assert result.exit_code == 0, result.output
    assert "probabilities are estimates from 50 random draws" in result.stdout
    assert "Selection probability, estimated from 50 draws: min" in result.stdout


def _record(instances, tmp_path):
    _, result, out = _build_and_draw(tmp_path, _fixture_args(instances, "--lottery-size", "100"))
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


def test_a_seed_is_refused_without_a_lottery_already_written(instances, tmp_path):
    # The old command built the lottery and drew in one step, so someone who knew the seed could
    # try lottery sizes until a ticket they liked came up.
    lottery = tmp_path / "lottery.json"
    result = CliRunner().invoke(select_command, _fixture_args(instances, "--seed", "42", "--lottery-out", str(lottery)))
    assert result.exit_code != 0
    assert "a seed is drawn only against a lottery already written" in result.output
    assert not lottery.exists()
    without_file = CliRunner().invoke(select_command, ["--draw", "--seed", "42"])
    assert without_file.exit_code != 0 and "--draw needs --lottery FILE" in without_file.output


def test_the_build_prints_and_writes_the_fingerprint_before_any_draw(instances, tmp_path):
    lottery = tmp_path / "lottery.json"
    built = CliRunner().invoke(select_command, _fixture_args(instances, "--lottery-size", "50",
                                                             "--lottery-out", str(lottery)))
    assert built.exit_code == 0, built.output
    record = json.loads(lottery.read_text())
    assert record["seed"] is None and record["panel"] == [] and len(record["lottery"]) == 50
    assert f"Lottery SHA-256 (publish before the seed is announced): {record['lottery_digest']}" in built.output
    assert "Drawn panel" not in built.output
    drawn = CliRunner().invoke(select_command, ["--draw", "--lottery", str(lottery), "--seed", "public seed"])
    assert drawn.exit_code == 0, drawn.output
    assert f"Lottery SHA-256: {record['lottery_digest']}" in drawn.output


def test_a_changed_or_drawn_lottery_is_not_drawn(instances, tmp_path):
    built, drawn, out = _build_and_draw(tmp_path, _fixture_args(instances, "--lottery-size", "20"))
    assert drawn.exit_code == 0, drawn.output
    again = CliRunner().invoke(select_command, ["--draw", "--lottery", str(out), "--seed", "another"])
    assert again.exit_code != 0 and "already been drawn" in again.output
    lottery = tmp_path / "lottery.json"
    record = json.loads(lottery.read_text())
    record["lottery"][0][0] = "someone else"
    lottery.write_text(json.dumps(record))
    changed = CliRunner().invoke(select_command, ["--draw", "--lottery", str(lottery), "--seed", "42"])
    assert changed.exit_code != 0 and "no longer matches its fingerprint" in changed.output


def test_alternates_and_dropout_rates_join_the_drawn_record(instances, write_csv, tmp_path):
    folder = instances / "example_small_20"
    history = write_csv("history.csv", "gender,dropped\nmale,yes\nmale,yes\nfemale,no\n")
    built, drawn, out = _build_and_draw(tmp_path, [
        "--categories", str(folder / "categories.csv"), "--respondents", str(folder / "respondents.csv"), "--k", "20",
        "--lottery-size", "50", "--alternates", "4", "--dropout-history", str(history)])
    assert "4 alternates will be chosen at the draw" in built.output
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(out.read_text())
    digest = record["alternates_digest"]
    assert f"Alternates settings SHA-256 (publish it with the lottery's): {digest}" in built.output
    assert f"Alternates settings SHA-256: {digest}" in drawn.output
    assert len(record["alternates"]) == 4 and not set(record["alternates"]) & set(record["panel"])
    assert "answers" not in record and "households" not in record
    assert record["dropout_rates"]["overall"]["invited"] == 3
    assert "Alternates, in order (4)" in drawn.output
    check = record["alternates_check"]
    assert check["holds"]["rounds"] == 400 and len(check["holds"]["per_quota"]) == len(record["quotas"])
    assert check["ceiling"]["every_quota"] >= check["holds"]["every_quota"] - 0.05
    assert "Checked on 400 new drop-out rounds" in drawn.output
    assert CliRunner().invoke(verify_draw_command, [str(out)]).exit_code == 0
    lottery = str(tmp_path / "lottery.json")
    repeated = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", lottery])
    assert repeated.exit_code == 0, repeated.output
    assert "The 4 alternates repeat, in the same order" in repeated.output
    assert f"Lottery SHA-256: {record['lottery_digest']} (check it is the fingerprint published" in repeated.output
    assert f"Alternates settings SHA-256: {digest} (check it is the one published" in repeated.output
    record["alternates"] = record["alternates"][::-1]
    out.write_text(json.dumps(record))
    reordered = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", lottery])
    assert reordered.exit_code != 0 and "the alternates do NOT repeat" in reordered.output
    record["alternates"] = record["alternates"][::-1]
    out.write_text(json.dumps(record))
    another = json.loads((tmp_path / "lottery.json").read_text()) | {"lottery_digest": "0" * 64}
    (tmp_path / "another.json").write_text(json.dumps(another))
    other = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", str(tmp_path / "another.json")])
    assert other.exit_code != 0 and "not from this lottery file" in other.output
    proved = record["alternates_report"]["program_samples"]
    record["alternates_report"]["program_samples"] = 5  # not a number of patterns the halving reaches
    out.write_text(json.dumps(record))
    odd = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", lottery])
    assert odd.exit_code != 0 and "proved over 5 drop-out patterns, which no draw records" in odd.output
    record["alternates_report"]["program_samples"] = proved
    out.write_text(json.dumps(record))
    # Settings that decide the alternates, changed once the seed is known, are caught at the draw and
    # by verify-draw: the lottery's fingerprint alone does not cover them.
    steered = json.loads((tmp_path / "lottery.json").read_text())
    steered["dropout_rates"]["overall"]["invited"] = 99
    (tmp_path / "steered.json").write_text(json.dumps(steered))
    redrawn = CliRunner().invoke(select_command, ["--draw", "--lottery", str(tmp_path / "steered.json"), "--seed", "42"])
    assert redrawn.exit_code != 0 and "alternates settings no longer match their fingerprint" in redrawn.output
    checked = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", str(tmp_path / "steered.json")])
    assert checked.exit_code != 0 and "alternates settings no longer match their fingerprint" in checked.output
    steered["alternates_digest"] = alternates_digest(steered)
    (tmp_path / "steered.json").write_text(json.dumps(steered))
    refingerprinted = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", str(tmp_path / "steered.json")])
    assert refingerprinted.exit_code != 0 and "alternates settings are not this lottery file's" in refingerprinted.output


def test_a_shorter_list_than_asked_and_an_empty_one_repeat_too(write_csv, tmp_path, monkeypatch):
    """The cover stops when its drop-out patterns need nobody more, and a full pool leaves nobody:
    both lists are honest, and verify-draw repeats them from the number asked, not the number listed."""
    monkeypatch.setattr(alternates, "LARGE_POOL_TYPES", 0)  # the cover alone, as on a pool of many types
    rng = np.random.default_rng(1)
    categories = write_csv("cat.csv", "category,feature,min,max\nsex,F,3,3\nsex,M,3,3\n"
                                      "age,young,1,3\nage,old,1,3\nage,mid,1,3\n")
    respondents = write_csv("resp.csv", "id,sex,age\n" + "".join(
        f"v{i},{rng.choice(['F', 'M'])},{rng.choice(['young', 'old', 'mid'])}\n" for i in range(40)))
    history = write_csv("history.csv", "sex,age,dropped\n" + "F,young,no\n" * 300)
    built, drawn, out = _build_and_draw(tmp_path, [
        "--categories", str(categories), "--respondents", str(respondents), "--k", "6", "--lottery-size", "20",
        "--alternates", "6", "--dropout-history", str(history)], seed="seed-0")
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(out.read_text())
    assert len(record["alternates"]) < 6 and record["alternates_report"]["asked"] == 6
    assert "Fewer than the 6 asked for: the cover's simulated drop-outs needed no more" in drawn.output
    repeated = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", str(tmp_path / "lottery.json")])
    assert repeated.exit_code == 0, repeated.output
    assert f"The {len(record['alternates'])} alternates repeat, in the same order" in repeated.output

    full = tmp_path / "full"
    full.mkdir()
    categories = write_csv("full-cat.csv", "category,feature,min,max\nsex,F,3,3\nsex,M,3,3\n")
    respondents = write_csv("full-resp.csv", "id,sex\n" + "".join(f"v{i},{'FM'[i % 2]}\n" for i in range(6)))
    built, drawn, out = _build_and_draw(full, ["--categories", str(categories), "--respondents", str(respondents),
                                               "--k", "6", "--lottery-size", "5", "--alternates", "3"])
    assert drawn.exit_code == 0, drawn.output
    assert json.loads(out.read_text())["alternates"] == []
    assert "Nobody else in the pool can be an alternate" in drawn.output
    repeated = CliRunner().invoke(verify_draw_command, [str(out), "--lottery", str(full / "lottery.json")])
    assert repeated.exit_code == 0 and "The 0 alternates repeat" in repeated.output


def test_alternates_target_chooses_as_many_as_keep_every_quota(instances, tmp_path):
    folder = instances / "example_small_20"
    built, drawn, out = _build_and_draw(tmp_path, [
        "--categories", str(folder / "categories.csv"), "--respondents", str(folder / "respondents.csv"), "--k", "20",
        "--lottery-size", "50", "--alternates", "target"])
    assert "as many alternates as the 99% target needs will be chosen at the draw" in built.output
    assert drawn.exit_code == 0, drawn.output
    record = json.loads(out.read_text())
    check = record["alternates_check"]
    assert 0 < len(record["alternates"]) <= 100 and not set(record["alternates"]) & set(record["panel"])
    assert check["target_met"] == (check["holds"]["worst_quota"] >= 0.99 and check["holds"]["lowest_ratio"] >= 0.95)
    assert check["target_met"] or check["holds"]["worst_quota"] >= check["ceiling"]["worst_quota"] - 0.01


def test_a_number_of_alternates_that_is_neither_a_number_nor_target_is_refused(instances, tmp_path):
    folder = instances / "example_small_20"
    refused = CliRunner().invoke(select_command, [
        "--categories", str(folder / "categories.csv"), "--respondents", str(folder / "respondents.csv"), "--k", "20",
        "--alternates", "some", "--lottery-out", str(tmp_path / "l.json")])
    assert refused.exit_code != 0 and "give a whole number of alternates, or 'target'" in refused.output
