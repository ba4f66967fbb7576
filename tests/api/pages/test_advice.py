"""What the kiosk tells trainees to do, and today's tasks (pure functions)."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from api.advice import todays_tasks, what_to_do, wib_day_start
from kolam.farming.kpi import DAY_MS, feed_advice
from kolam.registry.alerts import AlertInfo
from kolam.registry.records import LogInfo, LogKind
from tests.api.pages.conftest import log_in

NOW = 1_795_000_000_000
ALERT = AlertInfo(1, "serang", "kolam-1", "do_low", "do_low", None, "do_mgl", "critical",
                  "open", 1.5, "mg/L", 2.0, "", NOW, NOW, None, False, False, 0, 0, None, None,
                  None)


def test_all_good_is_said_plainly() -> None:
    advice = what_to_do("ok", [], None, "id")
    assert [a.severity for a in advice] == ["ok"] and "Air baik" in advice[0].text


def test_a_healthy_afternoon_is_told_the_pond_is_fine() -> None:
    # 15:00 in green water: pH 8.6 on the newest reading (status "warning"), DO 9 mg/L,
    # and no alert open — the rules know an afternoon peak is normal (ingest.alerts.rules).
    feed = feed_advice(1000, 20.0, 29.5, 9.0)
    advice = what_to_do("warning", [], feed, "id")
    assert [a.severity for a in advice] == ["ok", "info"]
    assert "Air baik" in advice[0].text and "Beri pakan" in advice[1].text
    assert not any("pH" in a.text or "kurangi" in a.text.lower() for a in advice)
    # Once a rule does raise ph_high (pH held above 8.5 for 4 h), its advice is given.
    ph = dataclasses.replace(ALERT, id=3, rule="ph_high", severity="warning", metric="ph")
    advice = what_to_do("warning", [ph], feed, "id")
    assert advice[0].text.startswith("pH tinggi:") and not any("Air baik" in a.text
                                                              for a in advice)


def test_alerts_first_and_no_ration_when_oxygen_is_low() -> None:
    feed = feed_advice(1000, 20.0, 28.0, 5.0)
    warn = dataclasses.replace(ALERT, id=2, rule="ph_high", severity="warning", metric="ph")
    advice = what_to_do("critical", [warn, ALERT], feed, "id")
    assert advice[0].severity == "critical" and "aerator" in advice[0].text
    assert not any("Beri pakan" in a.text for a in advice)
    assert "Beri pakan" in what_to_do("warning", [warn], feed, "id")[-1].text


def test_no_full_ration_under_cut_feed() -> None:
    feed = feed_advice(1000, 20.0, 29.0, 6.0)
    full = what_to_do("ok", [], feed, "id")[-1].text
    assert "(0,8 kg sehari" in full  # 20 kg of fish × 4 %/day
    hot = dataclasses.replace(ALERT, id=4, rule="temp_high", severity="warning",
                              metric="temp_c")
    advice = what_to_do("warning", [hot], feed, "id")
    assert [a.severity for a in advice] == ["warning", "info"]
    assert "kurangi pakan" in advice[0].text and "(0,4 kg sehari" in advice[1].text


def test_cold_water_halves_the_ration_and_says_why() -> None:
    advice = what_to_do("warning", [], feed_advice(1000, 20.0, 23.0, 5.0), "en")
    assert "Feed" in advice[0].text and "halved" in advice[1].text


def test_offline_pond_says_check_the_sensor() -> None:
    assert "sensor" in what_to_do("offline", [], None, "en")[0].text


def _log(kind: LogKind, at: int) -> LogInfo:
    return LogInfo(kind, at, feed_kg=1.0 if kind is LogKind.FEEDING else None,
                   dead_count=1 if kind is LogKind.MORTALITY else None)


def test_tasks_ticked_by_todays_logs() -> None:
    today = wib_day_start(NOW)
    logs = (_log(LogKind.FEEDING, today - 3_600_000), _log(LogKind.FEEDING, today + 1000),
            _log(LogKind.MORTALITY, today + 2000))
    tasks = todays_tasks(logs, NOW - 20 * DAY_MS, NOW, "id")
    assert [x.done for x in tasks[:4]] == [True, False, False, True]
    assert {x.text for x in tasks[4:]} == {"Sampling berat ikan (30 ekor)", "Ganti air 20%"}
    assert todays_tasks((), NOW - DAY_MS, NOW, "id")[4:] == []  # nothing due yet


def test_wib_day_starts_at_midnight_wib() -> None:
    assert (wib_day_start(NOW) + 7 * 3_600_000) % DAY_MS == 0
    assert 0 <= NOW - wib_day_start(NOW) < DAY_MS


def test_kiosk_page_says_a_healthy_pond_is_fine(client: TestClient) -> None:
    # The demo's kolam-1: green-water cycles (pH up to 7.7 in the afternoon), no alert open.
    body = log_in(client, "kiosk").get("/kiosk/serang").text
    tile = body[body.index('id="tile-kolam-1"'):body.index('id="tile-kolam-2"')]
    assert "Air baik" in tile and "Beri pakan" in tile
    assert "pH tinggi" not in tile


def test_a_wita_sites_day_starts_at_its_own_midnight() -> None:
    """A feeding at 23:30 WIB is 00:30 WITA: today's first meal at a Makassar site, and
    yesterday's at a Jakarta one (issue #19)."""
    from zoneinfo import ZoneInfo

    wita = ZoneInfo("Asia/Makassar")
    midnight_wita = wib_day_start(NOW) + DAY_MS - 3_600_000  # 00:00 WITA = 23:00 WIB
    now = midnight_wita + 5 * 3_600_000  # 05:00 WITA, 04:00 WIB
    logs = (_log(LogKind.FEEDING, midnight_wita + 30 * 60_000),)
    assert todays_tasks(logs, now - 20 * DAY_MS, now, "id", wita)[0].done
    assert not todays_tasks(logs, now - 20 * DAY_MS, now, "id")[0].done  # WIB: yesterday
