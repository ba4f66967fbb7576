"""The page forms refuse implausible quantities and dates like the API does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def test_kiosk_refuses_the_probe_feed(client: TestClient) -> None:
    log_in(client, "kiosk")
    csrf = _csrf(client.get(f"/kiosk/{SITE}").text)
    for form, message in (({"kind": "feeding", "amount": "1e308"}, "at most 500 kg per log"),
                          ({"kind": "feeding", "amount": "501"}, "at most 500 kg per log"),
                          ({"kind": "mortality", "amount": "1e7"}, "at most 1,000,000 fish")):
        r = client.post(f"/kiosk/{SITE}/logs", data={"csrf": csrf, "pond": "kolam-1"} | form)
        assert r.status_code == 422 and message in r.text, (form, r.text[-2000:])


def test_team_forms_refuse_implausible_numbers_and_dates(client: TestClient) -> None:
    log_in(client, "officer")
    page = client.get(f"/teams/{SITE}/1").text
    for path, form, message in (
        ("cycles", {"pond": "kolam-1", "seed_count": "2000000", "seed_weight_g": "2"},
         "at most 1,000,000 fish"),
        ("cycles", {"pond": "kolam-1", "seed_count": "100", "seed_weight_g": "2",
                    "stocked_at": "0001-01-01"}, "from 1970 to before 2200"),
        ("harvests", {"cycle": "1", "kg": "1e308"}, "at most 20,000 kg"),
        ("harvests", {"cycle": "1", "kg": "5", "price": "1e999"}, "not a usable number"),
        ("harvests", {"cycle": "1", "kg": "5", "price": "300000"}, "at most 250,000 Rp/kg"),
        ("logs", {"cycle": "1", "kind": "water_exchange", "value": "150"}, "at most 100 %"),
    ):
        r = client.post(f"/teams/{SITE}/1/{path}", data={"csrf": _csrf(page)} | form)
        assert r.status_code == 422 and message in r.text, (path, form, r.text[-1500:])
