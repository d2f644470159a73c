"""Which charter principles a consultation or a case study relates to.

These links live in ``analysis`` (which owns the charter), not in ``surveys``, so that surveys
stays unaware of charters. Tables, the services that set the links, the queries that read them,
and the demo links, in one small module.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.columns import ForeignKey
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from analysis.tables import Charter, Principle
from common.text import whole_number
from surveys.tables import CaseStudy, Consultation


class ConsultationPrinciple(Table, tablename="consultation_principle"):
    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    principle = ForeignKey(references=Principle, on_delete=OnDelete.cascade)


class CaseStudyPrinciple(Table, tablename="case_study_principle"):
    case_study = ForeignKey(references=CaseStudy, on_delete=OnDelete.cascade, index=True)
    principle = ForeignKey(references=Principle, on_delete=OnDelete.cascade)


@dataclass(frozen=True)
class PrincipleRef:
    id: int
    charter_slug: str
    charter_name: str
    number: int
    title: str

    @property
    def label(self) -> str:
        return f"{self.charter_name}, principle {self.number}: {self.title}"


async def principle_choices() -> list[PrincipleRef]:
    """Every principle of every charter, in charter then number order (the form's checkboxes)."""
    rows = await Principle.select(Principle.id, Principle.number, Principle.title, Principle.charter.slug,
                                  Principle.charter.name).order_by(Principle.charter.id).order_by(Principle.number).run()
    return [PrincipleRef(id=row["id"], charter_slug=row["charter.slug"], charter_name=row["charter.name"],
                         number=row["number"], title=row["title"]) for row in rows]


async def _linked(table: type[Table], column, owner_id: int) -> list[PrincipleRef]:
    rows = await table.select(table.principle.id, table.principle.number, table.principle.title,
                              table.principle.charter.slug, table.principle.charter.name).where(column == owner_id).run()
    refs = [PrincipleRef(id=row["principle.id"], charter_slug=row["principle.charter.slug"],
                         charter_name=row["principle.charter.name"], number=row["principle.number"],
                         title=row["principle.title"]) for row in rows]
    return sorted(refs, key=lambda ref: (ref.charter_slug, ref.number))


async def principles_for_consultation(consultation_id: int) -> list[PrincipleRef]:
    return await _linked(ConsultationPrinciple, ConsultationPrinciple.consultation, consultation_id)


async def principles_for_case_study(case_study_id: int) -> list[PrincipleRef]:
    return await _linked(CaseStudyPrinciple, CaseStudyPrinciple.case_study, case_study_id)


def parse_principle_ids(values: list[str], known: list[PrincipleRef]) -> list[int]:
    """The ticked principle ids that exist; anything else is ignored."""
    valid = {ref.id for ref in known}
    return sorted({number for number in map(whole_number, values) if number in valid})


async def _replace(table: type[Table], column_name: str, owner_id: int, principle_ids: list[int]) -> None:
    column = getattr(table, column_name)
    async with table._meta.db.transaction():
        await table.delete().where(column == owner_id).run()
        if principle_ids:
            await table.insert(*[table(**{column_name: owner_id, "principle": principle_id}) for principle_id in principle_ids]).run()


async def set_consultation_principles(*, consultation_slug: str, principle_ids: list[int]) -> None:
    row = await Consultation.select(Consultation.id).where(Consultation.slug == consultation_slug).first().run()
    if row is not None:
        await _replace(ConsultationPrinciple, "consultation", row["id"], principle_ids)


async def set_case_study_principles(*, case_study_slug: str, principle_ids: list[int]) -> None:
    row = await CaseStudy.select(CaseStudy.id).where(CaseStudy.slug == case_study_slug).first().run()
    if row is not None:
        await _replace(CaseStudyPrinciple, "case_study", row["id"], principle_ids)


DEMO_LINKS = {
    "case_study": {"debt-early-help": [4, 5], "residents-index": [3, 6, 7], "food-insecurity-map": [4, 5],
                   "data-sharing-register": [1, 2, 6]},
    "consultation": {"data-charter-questionnaire": [1, 2, 3, 4, 5, 6, 7], "resident-panel-priorities": [2]},
}
"""Demo: principle numbers of the Camden demo charter each demo case study or consultation touches."""


async def load_demo_consultation_links() -> list[str]:
    charter = await Charter.select(Charter.id).where(Charter.slug == "camden-data-charter").first().run()
    if charter is None:
        return ["charter links: no demo charter, nothing linked"]
    numbers = {row["number"]: row["id"] for row in
               await Principle.select(Principle.id, Principle.number).where(Principle.charter == charter["id"]).run()}
    linked = 0
    for kind, table, owner_table in (("case_study", CaseStudyPrinciple, CaseStudy), ("consultation", ConsultationPrinciple, Consultation)):
        for slug, principle_numbers in DEMO_LINKS[kind].items():
            owner = await owner_table.select(owner_table.id).where(owner_table.slug == slug).first().run()
            if owner is None or await table.exists().where(getattr(table, kind) == owner["id"]).run():
                continue
            await _replace(table, kind, owner["id"], [numbers[number] for number in principle_numbers if number in numbers])
            linked += 1
    return [f"charter links: {linked} case studies and consultations linked to principles" if linked
            else "charter links: already present"]
