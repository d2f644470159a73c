"""The overlay of a translation on English content, field by field, and a questionnaire shown in
another language with its English option labels kept as the answers' keys."""

from __future__ import annotations

from common.content_translation import COMPLETE, NOT_STARTED, PARTLY, overlay, translation_state
from surveys.questionnaire import Question, Questionnaire, Section
from surveys.questionnaire_translation import show_questionnaire, translatable_fields

ENGLISH = {"title": "Parking permits", "summary": "How we use your data", "body": "Some **text**", "hint": ""}


def test_each_field_falls_back_to_english_on_its_own():
    shown = overlay(ENGLISH, {"title": "Trwyddedau parcio", "summary": "   "}, "cy")
    assert shown.text("title") == "Trwyddedau parcio"
    assert shown.text("summary") == "How we use your data" and shown.in_english("summary")  # blank is no translation
    assert shown.in_english("body") and not shown.in_english("title")
    assert not shown.in_english("hint")  # nothing to translate is never "in English"
    assert shown.partly and not shown.untranslated


def test_no_translation_is_all_english_and_english_readers_get_no_notice():
    nothing = overlay(ENGLISH, {}, "cy")
    assert nothing.untranslated and not nothing.partly and nothing.fields == ENGLISH
    english = overlay(ENGLISH, {"title": "Trwyddedau parcio"}, "en_GB")
    assert english.fields == ENGLISH and not english.missing and not english.untranslated


def test_a_complete_translation_needs_every_field_with_english_text():
    full = {"title": "Trwyddedau", "summary": "Sut", "body": "Testun"}
    assert overlay(ENGLISH, full, "cy").missing == frozenset()
    assert translation_state(ENGLISH, full) == COMPLETE
    assert translation_state(ENGLISH, {"title": "Trwyddedau"}) == PARTLY
    assert translation_state(ENGLISH, {"hint": "Awgrym"}) == NOT_STARTED  # a field with no English does not count
    ages = {"question": "What is your age?", "option|16-17": "16-17", "option|75+": "75+"}
    assert translation_state(ages, {"question": "Beth yw eich oedran?"}) == COMPLETE  # numbers read the same
    assert overlay(ages, {"question": "Beth yw eich oedran?"}, "cy").missing == frozenset()


def test_a_translated_questionnaire_keeps_its_keys_and_english_option_labels():
    questionnaire = Questionnaire(sections=[Section(title="Your views", questions=[
        Question(key="mode", text="How do you travel?", kind="single", options=["Bus", "Bike"], help_text="Choose one"),
        Question(key="why", text="Why?", kind="text"),
    ])])
    fields = translatable_fields(questionnaire)
    assert list(fields) == ["section.0.title", "question.mode.text", "question.mode.hint", "question.mode.option|Bus",
                            "question.mode.option|Bike", "question.why.text"]
    shown = show_questionnaire(questionnaire, {"section.0.title": "Eich barn", "question.mode.text": "Sut ydych chi'n teithio?",
                                               "question.mode.option|Bus": "Bws"}, "cy")
    mode = shown.questionnaire.question("mode")
    assert shown.questionnaire.sections[0].title == "Eich barn" and mode.text == "Sut ydych chi'n teithio?"
    assert mode.options == ["Bus", "Bike"] and mode.help_text == "Choose one"  # answers stay keyed by the English
    assert shown.option_labels["mode"] == {"Bus": "Bws", "Bike": "Bike"}
    assert shown.english == frozenset({"why"}) and shown.overlay.partly
    assert shown.answer_text("Bus", mode) == "Bws"
    assert questionnaire.question("mode").text == "How do you travel?"  # the original is untouched


def test_the_shared_scales_are_interface_words_shown_in_the_readers_language():
    from common.i18n import speaking, use_catalogues
    from server.web.i18n import TRANSLATIONS_DIR
    from surveys.questionnaire import LIKERT_LABELS, YES_NO_LABELS
    from surveys.questionnaire_translation import FIXED_LABELS

    assert set(FIXED_LABELS) == {*LIKERT_LABELS, *YES_NO_LABELS}
    use_catalogues(TRANSLATIONS_DIR)
    questionnaire = Questionnaire(sections=[Section(title="Views", questions=[
        Question(key="open", text="Publish more", kind="likert"), Question(key="used", text="Used it?", kind="yes_no")])])
    with speaking("cy"):
        shown = show_questionnaire(questionnaire, {}, "cy")
        assert shown.option_labels["open"]["Strongly agree"] == "Cytuno'n gryf" and shown.option_labels["used"]["Yes"] == "Ie"
        assert shown.answer_text("Agree", shown.questionnaire.question("open")) == "Cytuno"
    assert shown.questionnaire.question("open").choices == list(LIKERT_LABELS)  # answers stay in English
