"""The civic lottery by post through the command line, the registration form and the officer's pages."""

from __future__ import annotations

import csv
import io
import re
import zlib

from click.testing import CliRunner

from panels.tables import Letter, LetterBatch
from server.cli.main import cli
from tests.factories.addresses import address_file
from tests.factories.panels import create_panel, set_quotas, slug_of
from tests.support.database import run


def _pages(pdf: bytes) -> int:
    """Page objects, also those WeasyPrint packs into compressed object streams."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", text))


def test_invite_by_post_writes_the_letters_and_the_mailing_file(officer_client, tmp_path):
    panel_id = create_panel(officer_client)
    slug = slug_of(panel_id)
    addresses = tmp_path / "addresses.csv"
    addresses.write_text(address_file(30), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["invite-by-post", "--panel", slug, "--addresses", str(addresses), "--letters", "6",
                                      "--seed", "4 8 15 16 23 42", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Drew 6 addresses of 30" in result.output and "Kilburn: 2 of 10" in result.output
    rows = list(csv.DictReader(io.StringIO((out / "mailing.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 6 and {row["ward"] for row in rows} == {"Kilburn", "Gospel Oak", "Bloomsbury"}
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", row["code"]) for row in rows)
    pdf = (out / "letters.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and _pages(pdf) == 6
    stored = run(Letter.select(Letter.code, Letter.uprn).where(Letter.panel == panel_id).run())
    assert sorted(row["code"] for row in stored) == sorted(row["code"] for row in rows)
    batch = run(LetterBatch.select().first().run())
    assert batch["seed"] == "4 8 15 16 23 42" and batch["letters"] == 6 and len(batch["address_fingerprint"]) == 64
    again = CliRunner().invoke(cli, ["invite-by-post", "--panel", slug, "--addresses", str(addresses), "--letters", "6",
                                     "--seed", "4 8 15 16 23 42", "--out", str(tmp_path / "again")])
    second = list(csv.DictReader(io.StringIO((tmp_path / "again" / "mailing.csv").read_text(encoding="utf-8"))))
    assert [row["uprn"] for row in second] == [row["uprn"] for row in rows]  # same seed, same addresses
    assert not {row["code"] for row in second} & {row["code"] for row in rows}  # codes are never reused


def test_invite_by_post_names_every_bad_row_and_draws_nothing(officer_client, tmp_path):
    slug = slug_of(create_panel(officer_client))
    addresses = tmp_path / "addresses.csv"
    addresses.write_text(address_file(3) + ",No UPRN,,London,NW1 9SL,Kilburn\n9,Bad,,London,XX,Narnia\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["invite-by-post", "--panel", slug, "--addresses", str(addresses), "--letters", "2",
                                      "--seed", "s", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Row 5, column uprn" in result.output and "Row 6, column postcode" in result.output
    assert "Row 6, column ward" in result.output and "3 problem(s)" in result.output
    assert run(Letter.count().run()) == 0 and not (tmp_path / "out").exists()
    too_many = CliRunner().invoke(cli, ["invite-by-post", "--panel", slug, "--addresses", str(tmp_path / "addresses.csv"),
                                        "--letters", "2", "--seed", "s", "--out", str(tmp_path / "out")])
    assert too_many.exit_code == 1
    missing = CliRunner().invoke(cli, ["invite-by-post", "--panel", "nowhere", "--addresses", str(addresses),
                                       "--letters", "2", "--seed", "s", "--out", str(tmp_path / "out")])
    assert missing.exit_code == 1 and "no panel 'nowhere'" in missing.output


def _send(panel_id: int, letters: int = 6) -> list:
    from panels.tables import Panel
    from server.services.invitation_letters import send_letters

    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    return run(send_letters(panel=panel, address_file=address_file(30).encode(), letters=letters, seed="seed",
                            weights=None, actor="test")).letters


def test_residents_register_with_the_code_on_their_letter(client, officer_client):
    from panels.tables import Volunteer
    from tests.factories.panels import registration
    from tests.support.http import post_form

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    code = _send(panel_id)[0].code
    page = client.get(f"/panels/{slug}", params={"code": code.lower().replace("-", "")}).text
    assert f'value="{code}"' in page and "Code from your letter" in page  # the QR code's link fills it in
    first = post_form(client, f"/panels/{slug}/register", {**registration(1, "Male", 30), "letter_code": code.lower()},
                      follow_redirects=False)
    assert first.status_code == 303, first.text
    second = post_form(client, f"/panels/{slug}/register", {**registration(2, "Female", 40), "letter_code": code},
                       follow_redirects=False)
    assert second.status_code == 303
    third = post_form(client, f"/panels/{slug}/register", {**registration(3, "Female", 50), "letter_code": code})
    assert third.status_code == 422 and "already been used by 2 people at your address" in third.text
    assert 'value="Test Resident 3"' in third.text  # what was typed is kept
    unknown = post_form(client, f"/panels/{slug}/register", {**registration(4, "Male", 50), "letter_code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 422 and "We do not recognise the code ZZZZ-ZZZZ" in unknown.text
    malformed = post_form(client, f"/panels/{slug}/register", {**registration(5, "Male", 50), "letter_code": "12"})
    assert malformed.status_code == 422 and "Enter the code from your letter" in malformed.text
    open_registration = post_form(client, f"/panels/{slug}/register", registration(6, "Male", 60), follow_redirects=False)
    assert open_registration.status_code == 303  # no code: open registration still works
    volunteers = run(Volunteer.select(Volunteer.full_name, Volunteer.letter.code.as_alias("code"), Volunteer.source)
                     .where(Volunteer.panel == panel_id).order_by(Volunteer.id).run())
    assert [(row["code"], row["source"]) for row in volunteers] == [(code, "letter"), (code, "letter"), (None, "form")]
    assert run(Letter.select(Letter.used_count).where(Letter.code == code).first().run())["used_count"] == 2


def test_the_inline_check_of_a_code(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    code = _send(panel_id, letters=2)[0].code
    from tests.support.http import post_form

    good = post_form(client, f"/panels/{slug}/register/check/letter_code", {"letter_code": code})
    assert good.status_code == 200 and "govuk-error-message" not in good.text
    bad = post_form(client, f"/panels/{slug}/register/check/letter_code", {"letter_code": "ZZZZ-ZZZZ"})
    assert "We do not recognise the code" in bad.text


def _draw(officer_client, panel_id: int, text: str, **fields):
    data = {"letters": "6", "seed": "4 8 15 16 23 42", "weights": "", "adults": "2", **fields,
            "_csrf_token": officer_client.cookies.get("civicpanel_csrf")}
    return officer_client.post(f"/officer/panels/{panel_id}/letters", data=data,
                               files={"addresses": ("addresses.csv", text.encode(), "text/csv")}, follow_redirects=False)


def test_the_officer_draws_letters_and_downloads_them(client, officer_client):
    from tests.factories.panels import registration
    from tests.support.http import post_form

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    page = officer_client.get(f"/officer/panels/{panel_id}/letters")
    assert page.status_code == 200 and "Draw addresses" in page.text
    drawn = _draw(officer_client, panel_id, address_file(30), letters="9", weights="Kilburn = 2", adults="3")
    assert drawn.status_code == 303, drawn.text
    batch = officer_client.get(drawn.headers["location"])
    assert "9 addresses drawn." in batch.text and "Letters by ward" in batch.text
    assert "Kilburn = 2" in batch.text and "4 8 15 16 23 42" in batch.text
    batch_id = run(LetterBatch.select(LetterBatch.id).first().run())["id"]
    fingerprint = run(LetterBatch.select(LetterBatch.address_fingerprint).first().run())["address_fingerprint"]
    assert f'<code class="app-break">{fingerprint}</code>' in batch.text  # markup, not escaped text
    listed = officer_client.get(f"/officer/panels/{panel_id}/letters").text
    assert f'<a class="govuk-link" href="/officer/panels/{panel_id}/letters/{batch_id}">' in listed  # a link to the batch
    mailing = officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id}/mailing.csv")
    rows = list(csv.DictReader(io.StringIO(mailing.text)))
    assert mailing.status_code == 200 and len(rows) == 9
    assert sum(row["ward"] == "Kilburn" for row in rows) == 5  # weighted twice: 5 of 9 rather than 3
    pdf = officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id}/letters.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and _pages(pdf.content) == 9
    assert officer_client.get(f"/officer/panels/{panel_id}/letters/{batch_id + 1}/mailing.csv").status_code == 404
    slug = slug_of(panel_id)
    for number in range(3):  # three adults at one address: the panel now admits 3 a letter
        assert post_form(client, f"/panels/{slug}/register", {**registration(number, "Male", 30 + number),
                                                              "letter_code": rows[0]["code"]},
                         follow_redirects=False).status_code == 303
    overview = officer_client.get(f"/officer/panels/{panel_id}").text
    assert "Response by ward" in overview
    ward = rows[0]["ward"]
    sent = sum(row["ward"] == ward for row in rows)
    assert re.search(rf"{ward}</th>\s*<td[^>]*>\s*{sent}\s*</td>\s*<td[^>]*>\s*3\s*</td>", overview)


def test_a_bad_address_file_is_refused_whole_with_every_problem_listed(officer_client):
    panel_id = create_panel(officer_client)
    bad = address_file(3) + ",No UPRN,,London,NW1 9SL,Kilburn\n9,Bad,,London,XX,Narnia\n"
    response = _draw(officer_client, panel_id, bad, letters="2", seed="s")
    assert response.status_code == 422
    assert "The address file has 3 problems; no letters were drawn" in response.text
    assert "Row 5, column uprn" in response.text and "Row 6, column ward: ‘Narnia’" in response.text
    assert 'value="s"' in response.text  # the form keeps what was typed
    assert run(Letter.count().run()) == 0 and run(LetterBatch.count().run()) == 0
    form = _draw(officer_client, panel_id, address_file(3), letters="many", seed="", weights="Narnia = 2", adults="0")
    assert form.status_code == 422
    for message in ("Enter the number of letters", "Enter the seed of the draw", "Narnia is not a ward",
                    "Enter how many adults"):
        assert message in form.text
    superscript = _draw(officer_client, panel_id, address_file(3), letters="²", adults="²")  # isdigit() but not int()
    assert superscript.status_code == 422 and "Enter the number of letters" in superscript.text
    assert "Enter how many adults" in superscript.text and 'value="²"' in superscript.text
    too_many = _draw(officer_client, panel_id, address_file(3), letters="5")
    assert too_many.status_code == 422 and "too few addresses for 5 letters" in too_many.text
