"""Documentation that must say what the code does: the README's list of ``civicpanel`` commands,
the published report JSON's keys in ``docs/report-json.md``, and the notes beside the vendored
JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories.reports import BASE, SLUG, first_answer_id, publish, seed
from tests.support.database import run
from tests.support.http import send

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CODE_SPAN = re.compile(r"`([^`]+)`")


def named_keys(text: str) -> list[str]:
    """Keys the text names in code spans: `key`, `list[]` or `{key, key}`."""
    keys: list[str] = []
    for span in CODE_SPAN.findall(text):
        if re.fullmatch(r"[A-Za-z_]+(\[\])?", span):
            keys.append(span.removesuffix("[]"))
        elif re.fullmatch(r"\{[\w, ]+\}", span):
            keys.extend(key.strip() for key in span.strip("{}").split(","))
    return keys


def readme_commands() -> list[str]:
    """Command names in the code block under "## The `civicpanel` command"."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The `civicpanel` command", 1)[1]
    block = section.split("```", 2)[1]
    return [line.split()[1] for line in block.splitlines() if line.startswith("civicpanel ")]


def test_readme_lists_exactly_the_cli_commands():
    from server.cli.main import cli

    listed = readme_commands()
    assert len(listed) == len(set(listed)), f"listed twice: {sorted(c for c in listed if listed.count(c) > 1)}"
    commands = {name for name, command in cli.commands.items() if not command.hidden}
    assert set(listed) == commands, (f"missing from the README: {sorted(commands - set(listed))}; "
                                     f"in the README but not a command: {sorted(set(listed) - commands)}")


def test_the_javascript_notes_describe_files_that_exist():
    folder = PROJECT_ROOT / "server" / "static" / "js"
    notes = (folder / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w.-]+\.js)`", notes))
    assert named, "the notes name no JavaScript file"
    missing = sorted(name for name in named if not (folder / name).exists())
    assert missing == [], f"server/static/js/README.md describes files that do not exist: {missing}"
    undescribed = sorted(path.name for path in folder.glob("*.js") if path.name not in named)
    assert undescribed == [], f"JavaScript files the notes do not describe: {undescribed}"


# ---------------------------------------------------------------- docs/report-json.md

def doc_sections() -> dict[str, str]:
    """The report document's page split at its ``##`` headings: "Top level", "questions", …"""
    text = (PROJECT_ROOT / "docs" / "report-json.md").read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        name = named_keys(heading)
        sections[name[0] if name else heading.strip()] = body
    return sections


def table_rows(section: str) -> dict[str, str]:
    """Each key named in a ``| key | …`` table's first column, with the rest of its row."""
    rows: dict[str, str] = {}
    in_key_table = False
    for line in section.splitlines():
        if not line.startswith("|"):
            in_key_table = False
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "key":
            in_key_table = True
        elif in_key_table and not set(cells[0]) <= {"-"}:
            for key in named_keys(cells[0]):
                rows[key] = " | ".join(cells[1:])
    return rows


def keys_below(value) -> set[str]:
    """Every key of every object nested anywhere in ``value``."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_below(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_below(item)}
    return set()


def published_report(officer_client, client) -> dict:
    """A published report with every part filled: weighting, breakdowns, free text, a theme, a
    quote, and an action following up a charter commitment."""
    from analysis.charter.demo import load_demo_charter
    from analysis.commitments.demo import load_demo_commitments
    from analysis.reports.store import commitment_choices

    run(load_demo_charter())
    run(load_demo_commitments())
    run(seed())
    steps = [
        (BASE, [("purpose", "To write our Data Charter"), ("channels_note", "Two focus groups"),
                ("census_file", "camden-2021.csv")]),
        (f"{BASE}/themes", [("name", "Parking")]),
        (f"{BASE}/quotes", [("response_id", run(first_answer_id("Publish the parking"))), ("question_key", "suggestions"),
                            ("text", "Publish the parking data please"), ("checked", "yes")]),
        (f"{BASE}/actions", [("action", "Follow up the charter"), ("owner", "Data team"), ("due_on", "2026-06-30"),
                             ("commitments", run(commitment_choices())[0]["value"])]),
    ]
    for url, pairs in steps:
        response = send(officer_client, url, pairs)
        assert response.status_code == 303, response.text
    version_url = publish(officer_client)
    return client.get(f"{version_url}/report.json").json()


def test_report_json_doc_names_exactly_the_published_keys(officer_client, client):
    document = published_report(officer_client, client)
    sections = doc_sections()
    top_level = table_rows(sections["Top level"])
    assert set(top_level) == set(document), (
        f"top-level keys missing from docs/report-json.md: {sorted(set(document) - set(top_level))}; "
        f"documented but not in the report: {sorted(set(top_level) - set(document))}")

    for key, value in document.items():
        nested = keys_below(value)
        if not nested:
            continue
        described_in = top_level[key] + sections.get(key, "")
        undocumented = sorted(nested - set(named_keys(described_in)))
        assert undocumented == [], f"keys under `{key}` that docs/report-json.md does not name: {undocumented}"
        stale = sorted(set(table_rows(sections.get(key, ""))) - nested)
        assert stale == [], f"docs/report-json.md names keys under `{key}` that the report lacks: {stale}"
        assert key in sections or key in ("by_channel", "free_text", "numbers", "responses_by_week", "themes",
                                          "report"), f"`{key}` has no section in docs/report-json.md"
