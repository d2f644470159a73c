import os

from piccolo.conf.apps import AppConfig

from analysis.tables import (
    Charter, Commitment, CommitmentReportSnapshot, CommitmentUpdate, Principle, ReportAction, ReportDraft,
    ReportCodingCheck, ReportCodingSample, ReportQuote, ReportStatisticsCache, ReportTheme, ReportThemeTag, ReportVersion, CouncilResponse, ResponseCommitment,
    CharterReview, CharterReviewCast, CharterReviewPaperBatch, CharterReviewReason, CharterReviewTally,
    ContentTranslation,
)
from analysis.charter.links import CaseStudyPrinciple, ConsultationPrinciple

APP_CONFIG = AppConfig(
    app_name="analysis",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Charter, Principle, Commitment, CommitmentUpdate, CommitmentReportSnapshot, ConsultationPrinciple, CaseStudyPrinciple,
                   ReportDraft, ReportAction, ReportTheme, ReportThemeTag, ReportCodingSample, ReportCodingCheck, ReportQuote, ReportVersion, ReportStatisticsCache,
                   CouncilResponse, ResponseCommitment, CharterReview, CharterReviewCast, CharterReviewTally,
                   CharterReviewReason, CharterReviewPaperBatch, ContentTranslation],
    migration_dependencies=["surveys.piccolo_app", "panels.piccolo_app"],
    commands=[],
)
