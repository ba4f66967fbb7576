"""The alerting vocabulary shared by ingest and the API: severities, states, rules and
transitions (``model``), the default rules (``defaults``), the texts of alerts
(``messages``) and the dawn oxygen forecast (``forecast``).

See docs/alerts.md. Ingest's engine evaluates the rules and delivers the notifications;
the API reads and acknowledges alerts through ``kolam.registry.alerts``.
"""

from kolam.alerts.defaults import DEFAULT_RULES
from kolam.alerts.model import (
    ActiveAlert,
    AlertKey,
    AlertState,
    Change,
    Rule,
    Severity,
    Transition,
)

__all__ = [
    "DEFAULT_RULES",
    "ActiveAlert",
    "AlertKey",
    "AlertState",
    "Change",
    "Rule",
    "Severity",
    "Transition",
]
