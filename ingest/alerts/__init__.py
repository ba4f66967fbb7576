"""Ingest's alert engine and its delivery: rules evaluated per pond on event time
(``engine``, ``rules``, ``condition``, ``signals``, ``health``, ``manual``), a durable outbox
(``outbox``, ``routing``) and the notifier with its channels (``notifier``, ``channels``),
wired together by ``pipeline``. The vocabulary it shares with the API is in kolam/alerts/.

See docs/alerts.md.
"""

from ingest.alerts.engine import AlertEngine
from ingest.alerts.pipeline import AlertPipeline
from ingest.alerts.rules import RuleBook

__all__ = ["AlertEngine", "AlertPipeline", "RuleBook"]
