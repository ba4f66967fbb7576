"""Plausibility of farming records for the pond (kolam.farming.plausible, DOMAIN.md rates)."""

from __future__ import annotations

import pytest

from kolam.errors import Implausible, InvalidRecord
from kolam.farming import plausible


def test_the_500_kg_into_a_41_kg_pond_is_asked_about() -> None:
    doubt = plausible.check_feed(500, 0, 41, 4.0)
    assert isinstance(doubt, Implausible) and doubt.key == "feed_high"
    assert doubt.fill["pct"] == 1220
    # The table ration (4 % of 41 kg ≈ 1.6 kg) and twice it pass; 10 % is the floor.
    assert plausible.check_feed(1.6, 1.6, 41, 4.0) is None
    assert plausible.check_feed(4.1, 0, 41, 4.0) is None
    assert plausible.check_feed(2.0, 2.2, 41, 4.0) is not None  # the day's sum counts
    # Small fish eat 8–10 %/day: 1.5 × 9 % = 13.5 % is not asked about.
    assert plausible.check_feed(5.4, 0, 41, 9.0) is None


def test_the_total_typed_as_per_fish_is_refused() -> None:
    refused = plausible.check_sampling(30, 17.9, 900, 18.5, 7)
    assert type(refused) is InvalidRecord and refused.key == "abw_impossible"
    assert refused.fill["abw"] == 0.6
    assert plausible.check_sampling(30, 537, 900, 18.5, 7) is None
    fell = plausible.check_sampling(30, 240, 900, 18.5, 7)  # 8 g: less than half
    assert isinstance(fell, Implausible) and fell.key == "abw_fell"
    rose = plausible.check_sampling(10, 100, 900, 2.0, 9)  # 2 → 10 g in 9 days: 18 %/day
    assert isinstance(rose, Implausible) and rose.key == "abw_rose"
    assert plausible.check_sampling(10, 40, 900, 2.0, 10) is None  # 7 %/day
    assert plausible.check_sampling(1000, 5000, 900, 2.0, 10).key == "sample_too_many"


@pytest.mark.parametrize(("price", "asked"), [(22, True), (22_000, False), (18_000, False),
                                              (4_999, True), (60_000, False), (60_001, True),
                                              (0, False)])
def test_prices_outside_5000_to_60000_are_asked_about(price: float, asked: bool) -> None:
    assert (plausible.check_price(price) is not None) is asked


def test_mortality_harvest_and_exchange() -> None:
    assert plausible.check_mortality(10, 100) is None
    assert plausible.check_mortality(11, 100).key == "dead_many"
    assert plausible.check_harvest_kg(80, 41) is None
    assert plausible.check_harvest_kg(83, 41).key == "harvest_heavy"
    assert plausible.check_exchange(50) is None and plausible.check_exchange(80) is not None
