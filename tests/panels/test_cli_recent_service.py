"""``civicpanel select --served-column … --recent-rule …``: recent panel members left out or lowered."""

import json

from click.testing import CliRunner

from server.cli.selection import select_command

QUOTAS = "category,name,min,max\nsex,F,1,1\nsex,M,1,1\n"
POOL = "id,sex,served\nF0,F,yes\nF1,F,\nF2,F,no\nF3,F,\nM0,M,\nM1,M,TRUE\nM2,M,\nM3,M,0\n"


def _build(write_csv, tmp_path, *extra, pool=POOL):
    categories = write_csv("q.csv", QUOTAS)
    people = write_csv("r.csv", pool)
    lottery = tmp_path / "lottery.json"
    result = CliRunner().invoke(select_command, ["--categories", str(categories), "--respondents", str(people),
                                                 "--k", "2", "--lottery-size", "700", "--lottery-out", str(lottery),
                                                 *extra])
    return result, lottery


def test_exclude_leaves_recent_members_out_and_says_so(write_csv, tmp_path):
    result, lottery = _build(write_csv, tmp_path, "--served-column", "served")
    assert result.exit_code == 0, result.output
    assert "Recent panel members (served): 2 left out of the pool" in result.output
    record = json.loads(lottery.read_text())
    assert record["recent_service"] == {"column": "served", "rule": "exclude", "factor": None,
                                        "excluded": ["F0", "M1"], "lowered": []}
    assert "F0" not in record["probabilities"] and abs(record["probabilities"]["F1"] - 1 / 3) < 1e-6
    assert not any("F0" in panel or "M1" in panel for panel in record["lottery"])
    out = tmp_path / "out.json"
    drawn = CliRunner().invoke(select_command, ["--draw", "--lottery", str(lottery), "--seed", "7", "--json", str(out)])
    assert drawn.exit_code == 0, drawn.output
    assert json.loads(out.read_text())["recent_service"]["excluded"] == ["F0", "M1"]


def test_lower_gives_the_factor_times_the_others_chance(write_csv, tmp_path):
    result, lottery = _build(write_csv, tmp_path, "--served-column", "served", "--recent-rule", "lower",
                             "--recent-factor", "0.5")
    assert result.exit_code == 0, result.output
    assert "2 with their chance lowered by a factor of 0.5" in result.output
    record = json.loads(lottery.read_text())
    assert record["recent_service"]["lowered"] == ["F0", "M1"] and record["recent_service"]["factor"] == 0.5
    assert abs(record["probabilities"]["F0"] - 1 / 7) < 1e-6 and abs(record["probabilities"]["F1"] - 2 / 7) < 1e-6


def test_bad_recent_service_options_are_one_line_errors(write_csv, tmp_path):
    factor, _ = _build(write_csv, tmp_path, "--served-column", "served", "--recent-rule", "lower", "--recent-factor", "1.5")
    assert factor.exit_code == 2 and "more than 0 and less than 1" in factor.output
    alone, _ = _build(write_csv, tmp_path, "--recent-rule", "exclude")
    assert alone.exit_code == 2 and "need --served-column" in alone.output
    missing, _ = _build(write_csv, tmp_path, "--served-column", "nope")
    assert missing.exit_code == 1 and "no column 'nope'" in missing.output
    value, _ = _build(write_csv, tmp_path, "--served-column", "served", pool=POOL.replace("F0,F,yes", "F0,F,maybe"))
    assert value.exit_code == 1 and "'maybe' in column 'served' is not yes or no" in value.output
    goldilocks, _ = _build(write_csv, tmp_path, "--served-column", "served", "--recent-rule", "lower",
                           "--algorithm", "goldilocks")
    assert goldilocks.exit_code == 2 and "needs the leximin objective" in goldilocks.output
