import os

from piccolo.conf.apps import AppConfig

from surveys.tables import CaseStudy, Comment, CommentReport, Consultation, QuestionnaireStart, ResponseFile, SavedAnswers, SurveyResponse

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Consultation, CaseStudy, Comment, CommentReport, SurveyResponse, QuestionnaireStart, SavedAnswers, ResponseFile],
    migration_dependencies=[],
    commands=[],
)
