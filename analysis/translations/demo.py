"""The demo's Welsh: one case study, and the open consultation with its questionnaire, as an
officer would have translated them (a Welsh council must publish in Welsh). The case study's facts
are left in English, so the demo shows a partly translated page too."""

from __future__ import annotations

from analysis.tables import ContentTranslation
from analysis.translations.content import find_content
from analysis.translations.store import save_translation

DEMO_TRANSLATOR = "officer@camden.example"

CASE_STUDY_CY = {
    "title": "Sylwi'n gynnar ar aelwydydd sydd mewn perygl o ddyled",
    "summary": "Dod â chofnodion treth gyngor, budd-daliadau a rhent tai at ei gilydd fel y gallwn gynnig help cyn i ôl-ddyledion dyfu.",
    "body": ("Bob blwyddyn mae rhai aelwydydd yn mynd ar ei hôl hi gyda'r dreth gyngor a'r rhent ar yr un pryd, yn aml ar ôl newid "
             "fel colli gwaith.\n\n"
             "Erbyn i dimau ar wahân sylwi, mae'r ddyled yn aml wedi tyfu ac mae costau llys wedi'u hychwanegu. Rydym yn paru "
             "cofnodion sydd gan y cyngor eisoes fel y gall **swyddog cyngor ariannol** ffonio a chynnig help yn gynnar – cynllun "
             "talu, gwiriad budd-daliadau neu atgyfeiriad at gyngor dyled am ddim.\n\n"
             "Nid oes neb yn cael ei anfon at orfodi oherwydd y paru hwn. Fe'i defnyddir i gynnig cymorth yn unig."),
    "purpose": "Cynnig cyngor ariannol yn gynnar i aelwydydd sydd ar ei hôl hi gyda mwy nag un bil gan y cyngor.",
}

CONSULTATION_CY = {
    "title": "Beth ddylai'r Panel Preswylwyr ei drafod nesaf?",
    "summary": "Helpwch i ddewis y pynciau ar gyfer Panel Preswylwyr y flwyddyn nesaf.",
    "body": ("Mae'r Panel Preswylwyr yn cyfarfod bob blwyddyn i drafod sut mae'r cyngor yn defnyddio data. Dywedwch wrthym pa "
             "bynciau sydd bwysicaf i chi."),
    "other_formats": ("Mae copïau papur, print bras a fersiynau Hawdd eu Darllen ar gael. Ffoniwch 020 7974 4444 neu e-bostiwch "
                      "engage@camden.example."),
    "section.0.title": "Beth ddylai'r panel edrych arno",
    "question.topics.text": "Pa bynciau ddylai Panel Preswylwyr y flwyddyn nesaf eu trafod?",
    "question.topics.option|Cameras and sensors in public places": "Camerâu a synwyryddion mewn mannau cyhoeddus",
    "question.topics.option|Using AI to answer residents' questions": "Defnyddio deallusrwydd artiffisial i ateb cwestiynau preswylwyr",
    "question.topics.option|Sharing data with the NHS": "Rhannu data gyda'r GIG",
    "question.topics.option|Open data about council spending": "Data agored am wariant y cyngor",
    "question.attended_before.text": "Ydych chi wedi cymryd rhan mewn panel neu weithdy gan y cyngor o'r blaen?",
    "question.was_useful.text": "Roedd cymryd rhan yn ddefnydd da o'm hamser.",
    "section.1.title": "Unrhyw beth arall",
    "question.other_topics.text": "A oes unrhyw beth arall y dylai'r panel ei drafod?",
    "section.2.title": "Amdanoch chi",
    "question.age_band.text": "Beth yw eich oedran?",
    "question.age_band.option|75+": "75 neu hŷn",
    "question.age_band.option|Prefer not to say": "Mae'n well gennyf beidio â dweud",
}

DEMO_TRANSLATIONS = (("case_study", "debt-early-help", CASE_STUDY_CY),
                     ("consultation", "resident-panel-priorities", CONSULTATION_CY))


async def load_demo_translations() -> list[str]:
    lines = []
    for kind, slug, texts in DEMO_TRANSLATIONS:
        content = await find_content(kind, slug)
        if content is None:
            lines.append(f"translation: no {kind} {slug}, nothing translated")
            continue
        if await ContentTranslation.exists().where((ContentTranslation.kind == kind)
                                                   & (ContentTranslation.object_id == content.object_id)).run():
            lines.append(f"translation: {kind} {slug} already in Welsh")
            continue
        wanted = [name for name in texts if name in content.english]
        await save_translation(kind=kind, object_id=content.object_id, locale="cy", texts=texts, fields=wanted,
                               updated_by=DEMO_TRANSLATOR)
        lines.append(f"translation: {kind} {slug} in Welsh ({content.state(texts)}, {len(wanted)} fields)")
    return lines
