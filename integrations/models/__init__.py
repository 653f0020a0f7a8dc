"""The integrations app's models, one module per concern."""

from integrations.models.connection import QBOConnection
from integrations.models.importing import ImportRun, QBOReference
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.models.merge import QBOMergeJob
from integrations.models.sync import Direction, PushBatch, QBOLink, SyncConflict, SyncEvent, SyncFailure

__all__ = [
    "ConfigChange",
    "Direction",
    "FieldMapping",
    "ImportRun",
    "MatchRule",
    "PushBatch",
    "QBOConnection",
    "QBOLink",
    "QBOMergeJob",
    "QBOReference",
    "SyncConflict",
    "SyncEvent",
    "SyncFailure",
    "SyncSettings",
]
