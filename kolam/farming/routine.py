"""The daily routine's numbers, without the KPI machinery (no numpy): what the kiosk's
tasks and advice need, on the central API and on the gateway box alike."""

from __future__ import annotations

DAY_MS = 86_400_000
MEALS_PER_DAY = 3  # DOMAIN.md: 2–3 meals a day
FEED_CUT_FACTOR = 0.5
"""The ration in cold or low-oxygen water: halved (DOMAIN.md)."""
