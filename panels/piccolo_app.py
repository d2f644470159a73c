import os

from piccolo.conf.apps import AppConfig

from panels.tables import (
    Attendance, BallotCast, ImportBatch, Letter, LetterBatch, PostcodeWard, BallotTally, Panel, PanelMaterial, PanelQuota, PanelSession, PaperBallotBatch, Recommendation,
    RecommendationRevision, RecommendationVote, ResponseRatingCast, ResponseRatingComment, ResponseRatingTally,
    PanelReminder, SelectionRun, ServiceRecord, SessionApology, SessionTable, TableRecord, TableSeat, Volunteer, Voucher,
)

APP_CONFIG = AppConfig(
    app_name="panels",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=[Panel, PanelSession, PanelQuota, LetterBatch, Letter, ImportBatch, PostcodeWard, Volunteer, SelectionRun, Attendance, Voucher, PanelMaterial,
                   RecommendationVote, Recommendation, RecommendationRevision, BallotCast, BallotTally,
                   PaperBallotBatch, ResponseRatingCast, ResponseRatingTally, ResponseRatingComment,
                   SessionTable, TableSeat, TableRecord, SessionApology, PanelReminder, ServiceRecord],
    migration_dependencies=[],
    commands=[],
)
