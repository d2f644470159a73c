"""Demo data for the Resident Panel journey (loading twice adds nothing).

* The "Camden Data Charter Resident Panel 2022" — the same panel the commitments demo creates,
  found by its slug and extended here: three day-long sessions, quotas from Camden 2011 and
  about 400 clearly fictional volunteers. They are drawn from the census marginals with the
  response bias real invitations get (older residents and owner-occupiers answer more often,
  young private renters less), so the pool dashboard shows real gaps.
* A panel recruiting now, on dates relative to the day the demo is loaded: registration opened
  twelve days before and closes about five weeks ahead and three Saturday sessions follow. It has quotas and a batch of 120
  invitation letters drawn by ward from the synthetic address file (``address_data/``), and 20
  volunteers who registered with their letters' codes (some two at an address); residents can
  register, with a code or without; loading the demo again while it still recruits adds nothing.
* A completed 2021 panel (the one whose October 2021 days drafted the charter, on the dates the
  commitments demo already knows): 150 volunteers imported from event sign-ups and 75 who
  registered with the codes of 300 letters (with the same response bias), a stored, drawn
  selection, members, attendance and vouchers,
  archived in January 2022 (listed among the past panels). The 2022 panel is finished: its sessions
  were held, and registration closed when the first began.

Every volunteer's name ends in "(demo)", every email is at example.com, and no real person is described.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from panels.attendance import issue_vouchers, record_attendance
from panels.census import load_shipped_census
from common.clock import council_today, end_of_council_day
from panels.quotas import compute_quotas
from panels.recruitment import recruiting_panel
from panels.registration import ADULT_AGE_BANDS, Registration
from panels.runs import (
    LOTTERY_SIZE, build_pool_problem, canonical_hash, household_hasher, inputs_record, with_hashed_households,
)
from panels.selection import lottery_digest, result_to_json, select_panel
from panels.store import SessionInput, create_panel, register_volunteer, save_quotas
from panels.address_file import file_fingerprint, read_address_file
from panels.letter_draw import draw_letters
from panels.import_batches import ImportTerms, count_imported, create_import_batch
from panels.letters import save_letter_batch
from panels.tables import Letter, LetterBatch, Panel, PanelSession, SelectionRun, Volunteer, Voucher
from panels.wards import BOROUGH_WARDS

PANEL_2022_SLUG = "camden-data-charter-resident-panel-2022"
"""The slug ``analysis.commitments.demo`` gives the 2022 panel (panels may not import analysis)."""
PANEL_2022_NAME = "Camden Data Charter Resident Panel 2022"
PANEL_2021_SLUG = "camden-data-charter-resident-panel-2021"
PANEL_2021_NAME = "Camden Data Charter Resident Panel 2021"
CENSUS_FILE = "camden-2011.csv"
DIMENSIONS = ("sex", "age_band", "ethnicity", "disability", "tenure")
PLACE = "Crowndale Centre, 218 Eversholt Street"
DEMO_RETENTION_DAYS = 3650
"""The demo panels are from 2021 and 2022: kept ten years after their last session, so the daily
retention purge leaves the demo explorable (a real panel keeps the officer's choice, 365 by default)."""
SESSIONS_2022 = ((date(2022, 7, 20), "Day one: what the charter promised"),
                 (date(2022, 7, 27), "Day two: evidence from council services"),
                 (date(2022, 8, 3), "Day three: recommendations"))
SESSIONS_2021 = ((date(2021, 10, 9), "Day one: data and the council"),
                 (date(2021, 10, 16), "Day two: hearing from experts"),
                 (date(2021, 10, 23), "Day three: writing the charter"))
DEMO_ADDRESS_FILE = Path(__file__).parent / "address_data" / "camden-addresses-synthetic.csv"
"""Synthetic addresses on real Camden streets, with postcodes in the official format (not real
units) and Camden's wards since 2022: the civic lottery by post's demo file."""
DEMO_LETTERS = 120
DEMO_LETTER_SEED = "Demo letters: numbers called at the Crowndale Centre: 3 11 26 38 47"
DEMO_LETTER_REPLIES = 16
LETTERS_2021 = 300
LETTER_HOUSEHOLDS_2021 = 60
"""The 2021 panel's letters: households of the 300 that registered (75 people, two at a quarter of them)."""
LETTER_SEED_2021 = "Demo letters 2021: numbers called at the Crowndale Centre: 5 12 27 33 40"
POOL_2022 = 400
POOL_2021 = 150
ARCHIVED_2021 = datetime(2022, 1, 20, 10, 0, tzinfo=timezone.utc)
"""The 2021 panel was archived once its report was out: off the current list, among the past panels."""
PUBLIC_SEED_2021 = "Demo seed: numbers called at the Crowndale Centre, 1 October 2021: 7 19 23 31 44"
FIRST_NAMES = ("Alex", "Sam", "Jo", "Priya", "Kwame", "Mei", "Tomasz", "Aisha", "Rory", "Fatima", "Chidi", "Elena",
               "Hamza", "Nell", "Oskar", "Ruth", "Yusuf", "Zara", "Ben", "Grace")
FAMILY_NAMES = ("Ashdown", "Brightwell", "Carrow", "Dunmore", "Ellery", "Fairley", "Gosling", "Harrowby", "Ingram",
                "Jessop", "Kilburn", "Linwood", "Marchmont", "Northcote", "Osgood", "Pellow", "Quill", "Rendle")
STREETS = ("Maple Avenue", "Larch Road", "Quarry Street", "Hollin Mews", "Vane Close", "Cedar Walk")
POSTCODES = ("NW1 0AB", "NW1 7XY", "NW3 2QG", "NW5 1TL", "NW6 1PP", "WC1H 9SE", "WC1X 8DA", "N6 6BA", "N19 5RQ",
             "N7 9PW")
CAMDEN_POSTCODES = ("NW1, NW3, NW5, NW6, NW8, N6, N7, N19, WC1A, WC1B, WC1E, WC1H, WC1N, WC1R, WC1V, WC1X, "
                    "WC2A, WC2B, WC2H, EC1M, EC1N, EC1R")
"""The borough's postcode districts, named one by one (WC1 alone is no district: WC1A to WC1X are)."""
RESPONSE_BIAS = {
    "age_band": {"18-24": 0.45, "25-34": 0.6, "35-44": 0.9, "45-54": 1.2, "55-64": 1.6, "65-74": 2.0, "75+": 1.6},
    "tenure": {"Owned outright": 2.2, "Owned with a mortgage or loan": 1.7,
               "Private rented: Private landlord or letting agency": 0.55},
}
"""Relative response rates by group (1 = census rate): older owner-occupiers answer more often."""


def _draw_category(rng: random.Random, shares: dict[str, float], bias: dict[str, float]) -> str:
    categories = list(shares)
    weights = [shares[c] * bias.get(c, 1.0) for c in categories]
    return rng.choices(categories, weights=weights)[0]


def fictional_registrations(count: int, *, seed: int, today: date) -> list[Registration]:
    """Volunteers whose answers follow Camden 2011 shares tilted by ``RESPONSE_BIAS``."""
    from panels.census import dimension_shares

    census = load_shipped_census(CENSUS_FILE)
    shares = {dimension: dimension_shares(census, dimension) for dimension in DIMENSIONS}
    rng = random.Random(seed)
    people = []
    for number in range(1, count + 1):
        answers = {d: _draw_category(rng, shares[d], RESPONSE_BIAS.get(d, {})) for d in DIMENSIONS}
        band = answers.pop("age_band")
        low = int(band.rstrip("+").split("-")[0])
        high = 90 if band.endswith("+") else int(band.split("-")[1])
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)} (demo)"
        people.append(Registration(
            full_name=name, email=f"demo.volunteer{seed}-{number:03d}@example.com", phone="",
            address=f"{rng.randint(1, 180)} {rng.choice(STREETS)}", postcode=rng.choice(POSTCODES),
            age=rng.randint(low, high), answers=answers))
    return people


DEMO_IMPORT_TERMS = ImportTerms(lawful_basis="public_task", notice_text=(
    "Camden Council will use your name, contact details and the answers about you on this form to invite you to "
    "take part in its Resident Panel, chosen by a fair lottery, and to arrange the sessions. We keep them until a "
    "year after the panel's last session. See camden.gov.uk/privacy."))


async def _ensure_sessions(panel_id: int, sessions) -> None:
    present = {row["held_on"] for row in await PanelSession.select(PanelSession.held_on).where(
        PanelSession.panel == panel_id).run()}
    new = [PanelSession(panel=panel_id, title=title, held_on=held_on, starts_at=time(10, 0), ends_at=time(16, 0),
                        place=PLACE) for held_on, title in sessions if held_on not in present]
    if new:
        await PanelSession.insert(*new).run()


async def _census_quotas(panel: Panel, *, dimensions=DIMENSIONS) -> list:
    """Quotas from Camden 2011 with a 20% tolerance, saved on the panel."""
    from panels.census import CENSUS_DIR

    census = load_shipped_census(CENSUS_FILE)
    rows = compute_quotas(census, list(dimensions), k=panel.panel_size, tolerance=0.2,
                          prefer_not_to_say=panel.prefer_not_to_say)
    await save_quotas(panel_id=panel.id, rows=rows, census_file=CENSUS_FILE,
                      census_csv=(CENSUS_DIR / CENSUS_FILE).read_text(encoding="utf-8"), tolerance=0.2,
                      tenure_prefix="households")
    return rows


async def _quotas_and_pool(panel: Panel, *, pool_size: int, seed: int, dimensions=DIMENSIONS) -> list:
    """Census quotas and an imported pool of fictional volunteers; the quota rows."""
    rows = await _census_quotas(panel, dimensions=dimensions)
    # The pool came from the sign-up forms of the council's engagement events, imported as a file:
    # its people saw that form's wording, never this site's consent text.
    batch = await create_import_batch(panel_id=panel.id, terms=DEMO_IMPORT_TERMS, file_name="event-sign-ups.csv",
                                      file_fingerprint="", created_by="demo")
    for registration in fictional_registrations(pool_size, seed=seed, today=date(panel.year, 6, 1)):
        registration = Registration(**{**registration.__dict__, "answers": {
            d: a for d, a in registration.answers.items() if d in dimensions}})
        await register_volunteer(panel=panel, registration=registration, quotas=rows, source="import",
                                 now=panel.created_at, import_batch_id=batch.id)
    await count_imported(batch.id, await Volunteer.count().where(Volunteer.import_batch == batch.id).run())
    return rows


async def _ensure_2022() -> str:
    panel = await Panel.objects().where(Panel.slug == PANEL_2022_SLUG).first().run()
    if panel is None:
        panel = Panel(name=PANEL_2022_NAME, slug=PANEL_2022_SLUG, year=2022, panel_size=20,
                      created_at=datetime(2022, 3, 15, 10, 0, tzinfo=timezone.utc))
        await panel.save().run()
    await _ensure_sessions(panel.id, SESSIONS_2022)
    if await Volunteer.exists().where(Volunteer.panel == panel.id).run():
        return f"panel: {PANEL_2022_NAME} volunteers already present"
    await Panel.update({
        Panel.description: "Twenty residents review a year of the Camden Data Charter.",
        Panel.voucher_pence: 3000, Panel.household_rule: True, Panel.retention_days: DEMO_RETENTION_DAYS,
        Panel.postcode_prefixes: CAMDEN_POSTCODES,
    }).where(Panel.id == panel.id).run()
    panel = await Panel.objects().where(Panel.id == panel.id).first().run()
    await _quotas_and_pool(panel, pool_size=POOL_2022, seed=2022)
    return f"panel: {PANEL_2022_NAME} given 3 sessions, Camden 2011 quotas and {POOL_2022} fictional volunteers"


async def _ensure_2021() -> str:
    if await Panel.exists().where(Panel.slug == PANEL_2021_SLUG).run():
        return f"panel: {PANEL_2021_NAME} already present"
    panel = Panel(name=PANEL_2021_NAME, slug=PANEL_2021_SLUG, year=2021, panel_size=20, voucher_pence=3000,
                  household_rule=True, retention_days=DEMO_RETENTION_DAYS, description="The panel that drafted the charter.",
                  registration_deadline=datetime(2021, 9, 24, 22, 59, tzinfo=timezone.utc),
                  registration_opens_at=datetime(2021, 9, 1, 23, 0, tzinfo=timezone.utc),
                  created_at=datetime(2021, 9, 1, 9, 0, tzinfo=timezone.utc), archived_at=ARCHIVED_2021)
    await panel.save().run()
    await _ensure_sessions(panel.id, SESSIONS_2021)
    quotas = await _quotas_and_pool(panel, pool_size=POOL_2021, seed=2021, dimensions=("sex", "age_band"))
    by_letter = await _send_demo_letters(panel, quotas=quotas, letters=LETTERS_2021, households=LETTER_HOUSEHOLDS_2021,
                                         seed=LETTER_SEED_2021, people_seed=2121, dimensions=("sex", "age_band"),
                                         now=datetime(2021, 9, 10, 9, 0, tzinfo=timezone.utc))
    pool = await build_pool_problem(panel)
    result = select_panel(pool.problem, seed=PUBLIC_SEED_2021, lottery_size=LOTTERY_SIZE)
    record = result_to_json(result)
    hasher = household_hasher(secrets.token_hex(32), secrets.token_hex(16))  # a key nobody keeps: nothing to recover
    inputs = inputs_record(with_hashed_households(pool.problem, hasher), kind="selection", algorithm="leximin")
    inputs["withdrawn_ids"] = []
    drawn = list(result.draw.panel)
    at = datetime(2021, 10, 1, 18, 0, tzinfo=timezone.utc)
    await SelectionRun.insert(SelectionRun(
        panel=panel.id, kind="selection", algorithm="leximin", status="drawn", inputs_hash=canonical_hash(inputs),
        inputs_json=json.dumps(inputs, sort_keys=True), result_json=json.dumps(record, sort_keys=True),
        progress_fraction=1.0, progress_message="Finished", started_by="demo-loader", started_at=at, finished_at=at,
        seed=PUBLIC_SEED_2021, ticket=int(result.draw.ticket), lottery_digest=lottery_digest(result.lottery.panels),
        drawn_json=json.dumps(drawn), drawn_by="demo-loader", drawn_at=at)).run()
    await Volunteer.update({Volunteer.status: "confirmed", Volunteer.invited_at: at, Volunteer.reply_by: date(2021, 10, 11),
                            Volunteer.responded_at: at + timedelta(days=3), Volunteer.reply_channel: "link"}).where(
        Volunteer.panel == panel.id, Volunteer.reference.is_in(drawn)).run()
    members = await Volunteer.select(Volunteer.id).where(Volunteer.panel == panel.id,
                                                         Volunteer.status == "confirmed").order_by(Volunteer.id).run()
    sessions = await PanelSession.select(PanelSession.id).where(PanelSession.panel == panel.id).order_by(
        PanelSession.held_on).run()
    rng = random.Random(21)
    marks = {(m["id"], s["id"]): rng.random() < 0.9 for m in members for s in sessions}
    await record_attendance(panel_id=panel.id, marks=marks, recorded_by="demo-loader")
    vouchers = await issue_vouchers(panel_id=panel.id, amount_pence=3000, issued_on=date(2021, 10, 25),
                                    issued_by="demo-loader")
    await Voucher.update({Voucher.collected_on: date(2021, 11, 5), Voucher.collected_by: "demo-loader"}).where(
        Voucher.volunteer.panel == panel.id).run()  # long since collected
    return (f"panel: {PANEL_2021_NAME} created with {POOL_2021} fictional volunteers ({by_letter}), a drawn "
            f"selection of {len(drawn)}, attendance and {vouchers.issued} vouchers (one per session attended)")


RECRUITING_WEEKS = 5
RECRUITING_OPENED_DAYS = 12
"""The recruiting panel opened for registration this many days before the demo was loaded."""
RECRUITING_PLACE = "Crowndale Centre, 218 Eversholt Street, London NW1 1BD"
RECRUITING_SESSIONS = ("Day one: how the council uses your data", "Day two: hearing from services and experts",
                       "Day three: our recommendations to the council")
RECRUITING_DESCRIPTION = (
    "Thirty residents spend three Saturdays looking at how Camden Council collects, uses and shares "
    "residents' data, from housing repairs to social care, and tell the council what it should change. "
    "Any resident aged 18 or over can register; we choose the members by a fair lottery so that the "
    "panel looks like the borough. No experience is needed: we pay for travel and childcare, and every "
    "member receives a thank-you voucher.")


def recruiting_dates(today: date) -> tuple[datetime, list[date]]:
    """Registration closes at the end of the day five weeks ahead; the three sessions are the
    Saturdays from two weeks after that, a week apart."""
    closes = today + timedelta(weeks=RECRUITING_WEEKS)
    first = closes + timedelta(days=14)
    first += timedelta(days=(5 - first.weekday()) % 7)
    return end_of_council_day(closes), [first + timedelta(weeks=week) for week in range(3)]


async def _ensure_recruiting(today: date | None = None) -> str:
    now = datetime.now(timezone.utc)
    current = await recruiting_panel(now=now)
    if current is not None:
        return f"panel: {current.name} already recruiting"
    deadline, days = recruiting_dates(today or council_today())
    name = f"Camden Resident Panel on Data {days[0].year}"
    panel = await create_panel(
        name=name, year=days[0].year, panel_size=30, registration_deadline=deadline, voucher_pence=7500,
        household_rule=True, retention_days=365, description=RECRUITING_DESCRIPTION, postcode_prefixes=CAMDEN_POSTCODES,
        sessions=[SessionInput(title=title, held_on=day, starts_at=time(10, 0), ends_at=time(16, 0), place=RECRUITING_PLACE)
                  for title, day in zip(RECRUITING_SESSIONS, days)])
    opened = (today or council_today()) - timedelta(days=RECRUITING_OPENED_DAYS)
    await Panel.update({Panel.registration_opens_at: datetime.combine(opened, time(9, 0), tzinfo=timezone.utc)}).where(
        Panel.id == panel.id).run()
    rows = await _census_quotas(panel)
    letters = await _send_demo_letters(panel, quotas=rows)
    returning = await _register_returning_members(panel, quotas=rows)
    return (f"panel: {name} recruiting until {deadline.date().isoformat()}, sessions from {days[0].isoformat()}; "
            f"{letters}{returning}")


RETURNING_MEMBERS = 2
"""Members of the 2021 panel who register for the recruiting one (same name and email address): the
selection form's rule for recent panel members leaves them out or lowers their chance."""


async def _register_returning_members(panel: Panel, *, quotas: list) -> str:
    past = await Panel.select(Panel.id).where(Panel.slug == PANEL_2021_SLUG).first().run()
    if past is None:
        return ""
    members = await Volunteer.select(Volunteer.full_name, Volunteer.email).where(
        Volunteer.panel == past["id"], Volunteer.status == "confirmed").order_by(Volunteer.id).limit(
        RETURNING_MEMBERS).run()
    people = fictional_registrations(len(members), seed=2028, today=council_today())
    for member, person in zip(members, people):
        await register_volunteer(panel=panel, quotas=quotas, registration=Registration(
            **{**person.__dict__, "full_name": member["full_name"], "email": member["email"]}))
    return f"; {len(members)} members of the 2021 panel registered again" if members else ""


async def _send_demo_letters(panel: Panel, *, quotas: list, letters: int = DEMO_LETTERS,
                             households: int = DEMO_LETTER_REPLIES, seed: str = DEMO_LETTER_SEED, people_seed: int = 2027,
                             dimensions=DIMENSIONS, now: datetime | None = None) -> str:
    """A batch of ``letters`` drawn from the shipped synthetic address file, and ``households`` of
    them registered with their codes (two adults at a quarter of them), answering ``dimensions``
    with the response bias of ``fictional_registrations``."""
    data = DEMO_ADDRESS_FILE.read_bytes()
    addresses = read_address_file(data, wards=BOROUGH_WARDS)
    draw = draw_letters(addresses, letters=letters, seed=seed, weights={"Kilburn": 2.0})
    batch_id, _ = await save_letter_batch(panel_id=panel.id, draw=draw, address_fingerprint=file_fingerprint(data),
                                          address_count=len(addresses), weights={"Kilburn": 2.0},
                                          created_by="demo")
    if now is not None:
        await LetterBatch.update({LetterBatch.created_at: now - timedelta(days=14)}).where(LetterBatch.id == batch_id).run()
    sent = await Letter.select(Letter.id, Letter.address, Letter.postcode).where(
        Letter.batch == batch_id).order_by(Letter.id).run()
    rng = random.Random(16)
    answering = rng.sample(sent, households)
    people = fictional_registrations(households + households // 4, seed=people_seed, today=council_today())
    registered = 0
    for number, person in enumerate(people):
        letter = answering[number % len(answering)]
        address = ", ".join(letter["address"].split("\n")[:2])
        answers = {dimension: answer for dimension, answer in person.answers.items() if dimension in dimensions}
        await register_volunteer(
            panel=panel, quotas=quotas, source="letter", letter_id=letter["id"], now=now,
            registration=Registration(**{**person.__dict__, "answers": answers, "address": address,
                                         "postcode": letter["postcode"]}))
        registered += 1
    return f"{len(draw.addresses)} letters sent, {registered} registered with a letter's code"


async def load_demo_panels() -> list[str]:
    return [await _ensure_2022(), await _ensure_2021(), await _ensure_recruiting()]
