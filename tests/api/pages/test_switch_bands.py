"""The pond chart's switch bands (issue #18): the periods each relay output was on, from
the switches the centre recorded, clipped to the chart's range."""

from __future__ import annotations

from api.pages.charts import switch_bands
from kolam.registry.outputs import SWITCH, OutputEvent

H = 3_600_000


def sw(output: str, since: int, on: bool) -> OutputEvent:
    return OutputEvent(SWITCH, since + 500, "serang", "kolam-1", "relay-1", output, on,
                       "gateway:auto", since=since)


def test_on_periods_per_output_clipped_to_the_range() -> None:
    start, now = 10 * H, 34 * H
    switches = [
        sw("aerator-1", 2 * H, True), sw("aerator-1", 12 * H, False),  # on since before
        sw("aerator-1", 22 * H, True), sw("aerator-1", 22 * H, True),   # seen twice
        sw("aerator-1", 30 * H, False),
        sw("aerator-2", 1 * H, True), sw("aerator-2", 5 * H, False),     # all before
        sw("pump-1", 33 * H, True),                                      # still on
    ]
    bands = switch_bands(list(reversed(switches)), start, now)  # newest first, as read
    assert bands == [
        {"output": "relay-1/aerator-1", "periods": [[10 * H / 1000, 12 * H / 1000],
                                                    [22 * H / 1000, 30 * H / 1000]]},
        {"output": "relay-1/pump-1", "periods": [[33 * H / 1000, 34 * H / 1000]]}]


def test_no_switches_no_bands() -> None:
    assert switch_bands([], 0, H) == []
    assert switch_bands([sw("aerator-1", 0, False)], 0, H) == []
