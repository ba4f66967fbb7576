"""The pond-side kiosk's shared parts: what the central API and the gateway both need.

The kiosk page is one page served from two places (``/kiosk/{site}`` of the central API,
and the gateway box at the pond, ``gateway.kiosk.listen``). This package holds what both
sides read without pulling the central app (no SQLAlchemy here): the log a trainee enters
at the gateway and its wire format to the centre (:mod:`kolam.kiosk.logs`), and the
gateway's local view of its site that the page is built from (:mod:`kolam.kiosk.local`).
"""

from kolam.kiosk.local import LocalAlarm, LocalDevice, LocalOutput, LocalPond, SiteSource
from kolam.kiosk.logs import KIOSK_LOG_KINDS, KioskLog, decode_log, encode_log, log_topic

__all__ = ["KIOSK_LOG_KINDS", "KioskLog", "LocalAlarm", "LocalDevice", "LocalOutput",
           "LocalPond", "SiteSource", "decode_log", "encode_log", "log_topic"]
