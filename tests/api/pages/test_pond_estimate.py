"""The pond page labels today's weight as an estimate, with the sampling's age."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.i18n import num
from kolam.farming.kpi import cycle_kpis
from kolam.registry.cycles import Cycles
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite


def test_pond_page_says_the_weight_is_an_estimate(client: TestClient, site: DemoSite) -> None:
    cycles = Cycles(site.registry.engine)
    cycle = cycles.active_cycle(SITE, "kolam-1")
    assert cycle is not None
    k = cycle_kpis(cycles.records(SITE, cycle.id), now_ms())
    assert k.abw_is_estimate and k.sampling_age_d > 0  # the demo samples weekly
    body = log_in(client, "admin").get(f"/sites/{SITE}/ponds/kolam-1").text
    found = re.search(r"<dd>(\S+) g\s*<small class=\"estimate\">perkiraan; sampling (\S+) g, "
                      r"(\d+) hari lalu</small>", body)
    assert found is not None, body
    assert found.group(1) == num(k.abw_g, 1, "id")
    assert found.group(2) == num(k.abw_sampled_g, 1, "id")
    assert abs(int(found.group(3)) - k.sampling_age_d) <= 1
    assert ("sudah lewat" in body) == k.harvest_date_past
