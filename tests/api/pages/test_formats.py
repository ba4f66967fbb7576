"""Every page and printable report, rendered in both languages: each string it shows has a
phrase in both (``api.i18n.MISSING`` stays empty), numbers and dates are written one way
(``api.fmt``), names are shown instead of slugs, and nothing English leaks into Indonesian."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api import i18n
from kolam.timeutil import WIB, from_ms, now_ms
from tests.api.pages.conftest import log_in
from tests.utils.auth import login
from tests.utils.pages import SITE, DemoSite, raise_seeded_alerts

PAGES = ["/", "/alerts?show=all", f"/kiosk/{SITE}", f"/sites/{SITE}/ponds/kolam-1",
         f"/sites/{SITE}/ponds/kolam-4", "/teams", f"/teams/{SITE}", f"/teams/{SITE}/1"]
ENGLISH_IN_ID = ["lele_growout", "cycles completed", " active ", " fish ", "3pm", " ago ",
                 "Time:"]
"""(The team page's "Note" field is the forms' (h8-forms) to name.)"""
INDONESIAN_IN_EN = [" ekor ", " lalu ", "baru saja", " hari ke-", "Tidak ada data", "Waspada"]


def _text(html: str) -> str:
    """What a person reads: the page without its tags, scripts and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _printables(client: TestClient, site: DemoSite) -> list[str]:
    headers = login(client, "admin")
    month = from_ms(now_ms()).astimezone(WIB).strftime("%Y-%m")
    return [client.get(f"/api/v1/sites/{SITE}/reports/monthly.html?month={month}",
                       headers=headers).text,
            client.get(f"/api/v1/sites/{SITE}/members/1/skill-record", headers=headers).text]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_has_every_phrase(client: TestClient, site: DemoSite, lang: str) -> None:
    raise_seeded_alerts(site)
    log_in(client, "admin")
    client.cookies.set(i18n.LANG_COOKIE, lang)
    i18n.MISSING.clear()
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert 'lang="' + lang + '"' in r.text
        if lang == "id":
            leaks = [w for w in ENGLISH_IN_ID if w in _text(r.text)]
            assert leaks == [], (path, leaks)
        else:
            leaks = [w for w in INDONESIAN_IN_EN if w in _text(r.text)]
            assert leaks == [], (path, leaks)
    assert set() == i18n.MISSING, f"phrases missing from api.i18n.WORDS: {i18n.MISSING}"


def test_pages_write_numbers_and_dates_one_way(client: TestClient, site: DemoSite) -> None:
    log_in(client, "admin")
    body = _text(client.get(f"/sites/{SITE}/ponds/kolam-1").text)
    # Dates 24/11/2026 14:25 WIB, never 24-11-2026; decimal commas.
    assert re.search(r"\b\d\d/\d\d/20\d\d \d\d:\d\d WIB\b", body), body[:500]
    assert not re.search(r"\b\d\d-\d\d-20\d\d\b", body)
    assert re.search(r"\b\d+,\d+ mg/L", body)
    client.cookies.set(i18n.LANG_COOKIE, "en")
    body = _text(client.get(f"/sites/{SITE}/ponds/kolam-1").text)
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d WIB\b", body)
    assert re.search(r"\b\d+\.\d+ mg/L", body)


def test_team_pages_show_names_and_words(client: TestClient, site: DemoSite) -> None:
    log_in(client, "admin")
    body = client.get(f"/teams/{SITE}").text
    assert "Pembesaran lele" in body and ">kolam-1<" not in body and "Kolam 1" in body
    body = client.get(f"/teams/{SITE}/1").text
    assert ">kolam-1<" not in body
    client.cookies.set(i18n.LANG_COOKIE, "en")
    body = client.get(f"/teams/{SITE}/1").text
    assert "1 cycles" not in body


def test_printables_are_indonesian_with_english_beside(client: TestClient,
                                                        site: DemoSite) -> None:
    i18n.MISSING.clear()
    monthly, skill = _printables(client, site)
    for html in (monthly, skill):
        text = _text(html)
        # One way in one report: 116,9 kg beside Rp 3.980.000, no 116.9 kg.
        assert not re.search(r"\b\d+\.\d kg\b", text), text
        assert not re.search(r"\b\d\d-\d\d-20\d\d\b", text)
        assert "lele_growout" not in text and "kolam-1" not in text
    assert re.search(r"\b\d+,\d kg\b", _text(monthly))
    assert "Rp " in monthly and not re.search(r"Rp \d{1,3},\d{3}", _text(monthly))
    assert re.search(r"\b\d\d/\d\d/20\d\d\b", _text(skill))
    assert "Pembesaran lele" in skill and "Catfish grow-out" in skill
    assert set() == i18n.MISSING
