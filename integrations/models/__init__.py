"""The integrations app's models, one module per concern."""

from integrations.models.connection import QBOConnection
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.models.pull import WebhookDelivery
from integrations.models.sync import Direction, PushBatch, QBOLink, SyncConflict, SyncEvent, SyncFailure

__all__ = [
    "ConfigChange",
    "Direction",
    "FieldMapping",
    "MatchRule",
    "PushBatch",
    "QBOConnection",
    "QBOLink",
    "SyncConflict",
    "SyncEvent",
    "SyncFailure",
    "SyncSettings",
    "WebhookDelivery",
]
