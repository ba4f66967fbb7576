"""Stocking density from the pond's record (issue #19 item 1): fish/m² and kg/m³ in the
KPIs and the API, none when the record has no area."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kolam.config import KolamConfig
from kolam.farming.kpi import cycle_kpis, stocking_density
from kolam.places import PondShape
from kolam.registry.places import Places
from tests.kolam.farming.test_kpi import ACTIVE, day
from tests.utils.farm import SITE_A, Farm, farm_app


def test_density_per_area_and_volume() -> None:
    # 2,000 fish and 40 kg in a 10 m² pond 80 cm deep: 200 fish/m², 40 / 8 m³ = 5 kg/m³.
    assert stocking_density(2000, 40.0, 10.0, 80.0) == (200.0, 5.0)
    assert stocking_density(2000, 40.0, 10.0, None) == (200.0, None)  # no depth: no volume
    assert stocking_density(2000, 40.0, None, 80.0) == (None, None)  # no area: nothing
    assert stocking_density(2000, 40.0, 0.0, 80.0) == (None, None)


def test_cycle_kpis_carry_the_density_of_the_live_fish() -> None:
    k = cycle_kpis(ACTIVE, day(50), area_m2=8.0, depth_cm=100.0)
    assert k.fish_per_m2 == pytest.approx(k.live_count / 8.0)
    assert k.kg_per_m3 == pytest.approx(k.biomass_kg / 8.0)
    bare = cycle_kpis(ACTIVE, day(50))
    assert (bare.fish_per_m2, bare.kg_per_m3) == (None, None)


@pytest.fixture
def farm(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    with farm_app(make_config) as f:
        yield f


def test_the_kpi_route_reads_the_ponds_record(farm: Farm) -> None:
    url = f"/api/v1/sites/{SITE_A}/cycles/{farm.ids[SITE_A]['cycle']}/kpis"
    k = farm.client.get(url, headers=farm.as_("officer")).json()
    assert k["fish_per_m2"] is None and k["kg_per_m3"] is None  # kolam-1 has no area yet
    Places(farm.registry.engine).update_pond(SITE_A, "kolam-1",
                                             PondShape(area_m2=4.5, depth_cm=90.0))
    k = farm.client.get(url, headers=farm.as_("officer")).json()
    assert k["fish_per_m2"] == pytest.approx(k["live_count"] / 4.5)
    assert k["kg_per_m3"] == pytest.approx(k["biomass_kg"] / (4.5 * 0.9))
