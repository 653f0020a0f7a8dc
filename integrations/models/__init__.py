"""The integrations app's models, one module per concern."""

from integrations.models.bulk import BulkRun
from integrations.models.connection import QBOConnection
from integrations.models.console import (
    ReconciliationRow,
    ReconciliationRun,
    RollupState,
    SyncEventHourly,
    SyncLatencyDaily,
)
from integrations.models.importing import ImportRun, QBOReference
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.models.merge import QBOMergeJob
from integrations.models.pull import WebhookDelivery
from integrations.models.sync import Direction, PushBatch, QBOLink, SyncConflict, SyncEvent, SyncFailure

__all__ = [
    "BulkRun",
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
    "ReconciliationRow",
    "ReconciliationRun",
    "RollupState",
    "SyncConflict",
    "SyncEvent",
    "SyncEventHourly",
    "SyncFailure",
    "SyncLatencyDaily",
    "SyncSettings",
    "WebhookDelivery",
]
