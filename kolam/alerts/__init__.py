"""Alerts: rules evaluated on event time in ingest, a durable outbox, and notifications.

See docs/alerts.md. Ingest uses :class:`AlertPipeline`; the API reads and acknowledges
alerts through ``kolam.registry.alerts``.
"""

from kolam.alerts.engine import AlertEngine
from kolam.alerts.model import (
    ActiveAlert,
    AlertKey,
    AlertState,
    Change,
    Rule,
    Severity,
    Transition,
)
from kolam.alerts.pipeline import AlertPipeline
from kolam.alerts.rules import DEFAULT_RULES, RuleBook

__all__ = [
    "DEFAULT_RULES",
    "ActiveAlert",
    "AlertEngine",
    "AlertKey",
    "AlertPipeline",
    "AlertState",
    "Change",
    "Rule",
    "RuleBook",
    "Severity",
    "Transition",
]
