"""The inspection app's models, one module per concern; Django and the app import them
from here."""

from inspection.models.exports import ExportStatus, WorkbookExport
from inspection.models.planning import VisitAssignment
from inspection.models.results import BonusAward, MonthlyResult, MonthRanking
from inspection.models.standard import (
    BonusCriterion,
    Item,
    ItemKind,
    Part,
    Prohibition,
    Section,
    Standard,
)
from inspection.models.visits import (
    DraftSave,
    Finding,
    FindingPhoto,
    Visit,
    VisitAmendment,
    VisitSource,
    VisitStatus,
    photo_upload_to,
)

__all__ = [
    "BonusAward",
    "BonusCriterion",
    "DraftSave",
    "ExportStatus",
    "Finding",
    "FindingPhoto",
    "Item",
    "ItemKind",
    "MonthRanking",
    "MonthlyResult",
    "Part",
    "Prohibition",
    "Section",
    "Standard",
    "Visit",
    "VisitAmendment",
    "VisitAssignment",
    "VisitSource",
    "VisitStatus",
    "WorkbookExport",
    "photo_upload_to",
]
