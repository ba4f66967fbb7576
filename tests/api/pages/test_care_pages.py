"""The daily round and probe care on the pages (issue #17 item 5): the kiosk's tasks in the
order of the day with probe care, the care form (Indonesian numbers, the slope and the
drift echoed, errors in the user's language), overdue care on the kiosk and the pond page,
and the illustrated procedures in both languages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api import i18n
from api.pages.procedures import PROCEDURES
from kolam.farming.kpi import DAY_MS
from kolam.farming.probe_care import Kind
from kolam.registry.maintenance import Maintenance, NewMaintenance
from kolam.timeutil import now_ms
from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, DemoSite

CARE = f"/sites/{SITE}/ponds/kolam-1/care"


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _round(html: str, pond: str) -> str:
    found = re.search(rf'id="round-{pond}".*?</ol>', html, re.S)
    assert found, html[:500]
    return found.group(0)


def test_the_kiosk_round_is_in_the_order_of_the_day(client: TestClient) -> None:
    html = log_in(client, "kiosk").get(f"/kiosk/{SITE}").text
    tasks = _round(html, "kolam-1")
    times = re.findall(r'class="at">(\d\d:\d\d)<', tasks)
    assert times == sorted(times) and len(times) >= 8
    # Probe care in the morning, after the dead-fish check and before the first meal.
    text = re.sub(r"<[^>]+>", "", tasks)
    order = [text.index(w) for w in ("ikan mati", "membran DO (node-1)",
                                     "Kalibrasi pH dua titik (node-1)", "Beri pakan pagi")]
    assert order == sorted(order)
    assert 'href="/procedures/ph_calibration?site=serang&amp;pond=kolam-1&amp;device=node-1"' \
        in tasks
    assert f'href="{CARE}?kind=ph_calibration&amp;device=node-1#care-form"' in tasks


def test_a_ph_calibration_from_the_form_echoes_its_slope(client: TestClient) -> None:
    log_in(client, "kiosk")
    r = client.post(CARE, data={
        "csrf": _csrf(client, CARE), "kind": "ph_calibration", "device": "node-1",
        "buffer1": "7,00", "reading1": "-12", "buffer2": "4,01", "reading2": "150,5",
        "temp_c": "27,5"})
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    saved = re.search(r'id="saved">([^<]*)', page)
    assert saved
    # (−12 − 150.5) / −2.99 = 54.3 mV/pH; Nernst at 27.5 °C is 59.66: 91 %.
    assert "kemiringan 54,3 mV/pH (91 % Nernst), offset -12,0 mV. Sensor baik." in saved.group(1)
    tasks = _round(client.get(f"/kiosk/{SITE}").text, "kolam-1")
    done = re.search(r'<li class="done">[^\n]*?Kalibrasi pH dua titik \(node-1\)', tasks)
    assert done, tasks


def test_a_tired_electrode_is_told_to_be_cleaned(client: TestClient) -> None:
    log_in(client, "officer")
    client.cookies.set(i18n.LANG_COOKIE, "en")
    r = client.post(CARE, data={
        "csrf": _csrf(client, CARE), "kind": "ph_calibration", "device": "node-1",
        "buffer1": "7.00", "reading1": "15", "buffer2": "4.01", "reading2": "160"})
    page = client.get(r.headers["location"]).text
    assert "Slope below 85 %: clean the probe" in page


@pytest.mark.parametrize(("lang", "fields", "want"), [
    ("id", {"buffer1": "7,00", "reading1": "-8", "buffer2": "4,5", "reading2": "165"},
     "Buffer 2: 4,5 bukan buffer kalibrasi"),
    ("id", {"buffer1": "7,00", "reading1": "165", "buffer2": "4,01", "reading2": "-8"},
     "buffer tertukar"),
    ("en", {"buffer1": "7.00", "reading1": "", "buffer2": "4.01", "reading2": "160"},
     "mV in buffer 1: required"),
], ids=["not-a-buffer-id", "swapped-id", "missing-en"])
def test_errors_in_the_users_language(client: TestClient, lang: str, fields: dict[str, str],
                                      want: str) -> None:
    log_in(client, "kiosk")
    client.cookies.set(i18n.LANG_COOKIE, lang)
    r = client.post(CARE, data={"csrf": _csrf(client, CARE), "kind": "ph_calibration",
                                "device": "node-1"} | fields)
    assert r.status_code == 422
    assert want in r.text
    assert 'value="' + fields["reading2"] + '"' in r.text  # the form keeps what was typed


def test_a_drift_check_shows_the_difference(client: TestClient, site: DemoSite) -> None:
    log_in(client, "kiosk")
    newest = site.store.latest(SITE, "kolam-2")
    probe = next(x.value for x in newest if x.key.metric == "do_mgl")
    care2 = f"/sites/{SITE}/ponds/kolam-2/care"
    r = client.post(care2, data={"csrf": _csrf(client, care2), "kind": "drift_check",
                                 "device": "node-2", "metric": "do_mgl",
                                 "manual_value": i18n.num(probe - 1.0, 2, "id")})
    page = client.get(r.headers["location"]).text
    saved = re.search(r'id="saved">([^<]*)', page)
    assert saved, page
    # The probe's reading has more decimals than the two typed: the difference is 1 mg/L
    # within the typed value's rounding (the page prints it to 0.01).
    diff = re.search(r"selisih \+(\d+,\d\d) mg/L", saved.group(1))
    assert diff and abs(float(diff.group(1).replace(",", ".")) - 1.0) <= 0.011, saved.group(1)
    assert "Lebih dari ±0,50 mg/L: bersihkan sensor hari ini" in saved.group(1)
    tasks = _round(client.get(f"/kiosk/{SITE}").text, "kolam-2")
    assert "Bersihkan sensor yang kotor (node-2)" in tasks


def test_overdue_care_on_the_kiosk_and_the_pond_page(client: TestClient, site: DemoSite) -> None:
    Maintenance(site.registry.engine).add(SITE, "kolam-3", "node-3", NewMaintenance(
        Kind.DO_MEMBRANE_CHECK, now_ms() - 9 * DAY_MS), "officer")
    log_in(client, "officer")
    pond = client.get(f"/sites/{SITE}/ponds/kolam-3").text
    card = pond[pond.index('id="care"'):]
    assert "1 terlambat" in card and '<tr class="late"><td class="nowrap">node-3</td>' in card
    tasks = _round(client.get(f"/kiosk/{SITE}").text, "kolam-3")
    late = re.search(r'<li class=" late">.*?membran DO \(node-3\).*?Terlambat', tasks)
    assert late, tasks


def test_dinas_sees_the_care_page_but_does_not_record(client: TestClient) -> None:
    log_in(client, "dinas")
    page = client.get(CARE)
    assert page.status_code == 200 and "Jadwal perawatan" in page.text
    assert 'action="' + CARE + '"' not in page.text
    r = client.post(CARE, data={"csrf": _csrf(client, CARE), "kind": "probe_cleaning",
                                "device": "node-1"})
    assert r.status_code == 403


@pytest.mark.parametrize("kind", [k.value for k in Kind])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_procedure_is_illustrated_in_both_languages(client: TestClient, kind: str,
                                                          lang: str) -> None:
    log_in(client, "kiosk")
    client.cookies.set(i18n.LANG_COOKIE, lang)
    i18n.MISSING.clear()
    html = client.get(f"/procedures/{kind}?site={SITE}&pond=kolam-1&device=node-1").text
    p = PROCEDURES[Kind(kind)]
    steps = [unescape(x) for x in re.findall(r"<li>([^<]+)</li>",
                                             html[html.index('class="steps"'):])]
    assert steps[:len(p.steps)] == [s[1 if lang == "en" else 0] for s in p.steps]
    assert "<svg" in html and "<img" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert html.count('class="msg warning"') == len(p.safety) >= 2
    assert f'href="{CARE}?kind={kind}&amp;device=node-1#care-form"' in html
    assert set() == i18n.MISSING


def test_procedures_have_both_languages_and_refuse_other_links(client: TestClient) -> None:
    for p in PROCEDURES.values():
        for pair in (p.title, p.why, *p.needs, *p.steps, *p.safety):
            assert all(pair) and pair[0] != pair[1]
    log_in(client, "kiosk")
    assert client.get("/procedures/nothing").status_code == 404
    html = client.get("/procedures/drift_check?site=//evil.example&pond=x").text
    assert "evil.example" not in html and 'id="record-care"' not in html
