"""One SMS per alert (issue #21): Bahasa Indonesia first, pond, what, value, what to do now
and the acknowledgement link in 160 GSM-7 characters, for every rule and event."""

from __future__ import annotations

import pytest

from ingest.alerts.phone_channels import gsm_text
from kolam.alerts.defaults import DEFAULT_RULES
from kolam.alerts.messages import EVENT_WORDS, SMS_CHARS, SMS_TEXTS, TEXTS, short_text
from kolam.catalogue import METRICS

TOKEN = "Zm9vYmFyYmF6cXV4cXV1eA"  # 22 characters, as secrets.token_urlsafe(16)
TYPICAL_LINK = f"https://kolam.rutanserang.id/a/{TOKEN}"
LONGEST_LINK = f"https://{'k' * 52}/a/{TOKEN}"  # alerts.public_url at its 60-character limit
RULE_METRIC = {"do_low": "do_mgl", "do_forecast": "do_mgl", "do_nh3": "do_mgl",
               "temp_low": "temp_c", "temp_high": "temp_c", "temp_drop": "temp_c",
               "ph_low": "ph", "ph_high": "ph", "nh3_high": "nh3_mgl", "no2_high": "no2_mgl",
               "tds_high": "tds_ppm", "level_low": "level_cm", "level_leak": "level_cm",
               "offline": None, "flatline": "turbidity_ntu", "spikes": "do_mgl",
               "sentinel": "temp_c", "drift": "ph", "aerator_failed": None}
RULES = sorted(set(DEFAULT_RULES) | set(TEXTS))
WIDEST = {"tds_ppm": 4999.0, "turbidity_ntu": 2999.0, "level_cm": 499.9}
"""Near the top of each metric's valid range (DESIGN.md): the widest readings; 19.876 for
the rest (DO, NO2-N, NH3-N, pH and temperature stay under 100)."""


def payload(rule: str, event: str, pond: str = "kolam-1") -> dict[str, object]:
    metric = RULE_METRIC[rule]
    unit = METRICS[metric].unit if metric else ""
    return {"rule": rule, "event": event, "severity": "critical", "pond": pond,
            "metric": metric, "device": "node-kolam-12", "value": WIDEST.get(str(metric), 19.876), "unit": unit}


def test_every_rule_has_a_short_text() -> None:
    assert set(RULES) == set(SMS_TEXTS) == set(RULE_METRIC)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("rule", RULES)
def test_an_sms_fits_with_its_link_for_every_rule_and_event(rule: str, lang: str) -> None:
    for event in EVENT_WORDS[lang]:
        for pond, link in (("kolam-1", TYPICAL_LINK), ("k" * 32, LONGEST_LINK),
                           ("kolam-1", None)):
            text = short_text(payload(rule, event, pond), lang, link)
            assert len(text) <= SMS_CHARS, (len(text), text)
            assert gsm_text(text, SMS_CHARS) == text  # plain GSM-7: nothing replaced or cut
            if link:
                assert text.endswith(f": {link}")
        typical = short_text(payload(rule, event), lang, TYPICAL_LINK)
        title, advice = SMS_TEXTS[rule][1 if lang == "en" else 0], \
            SMS_TEXTS[rule][3 if lang == "en" else 2]
        if event != "resolved":
            assert advice.format(metric="x", device="node-kolam-12").split(",")[0] in typical
        assert typical.startswith(("CRITICAL " if lang == "en" else "KRITIS ") + "kolam-1: ")
        assert title.split("{")[0] in typical


def test_indonesian_first_with_a_decimal_comma() -> None:
    text = short_text(payload("do_low", "opened") | {"value": 1.2}, "id", TYPICAL_LINK)
    assert text == ("KRITIS kolam-1: Oksigen rendah 1,20 mg/L. Nyalakan aerator, kurangi "
                    f"pakan. Tanggapi: {TYPICAL_LINK}")
    en = short_text(payload("temp_low", "escalated") | {"value": 23.4}, "en")
    assert en == "CRITICAL kolam-1: Unanswered: Low water temp 23.4 C. Halve the feed."


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("detail", [
    "do_still_falling: 2.90 -> 2.61 mg/L", "no_current", "not_confirmed", "power cut",
    "no current: 0 A < 0.2 A", "power cut; do_still_falling"])
def test_an_aerators_sms_says_why_it_failed(detail: str, lang: str) -> None:
    """``aerator_failed`` from the relay or the gateway's problems (kolam.control): the
    SMS says why in the recipient's language, and still fits with its link."""
    from kolam.alerts.messages import WHY_TEXTS

    for pond, link in (("kolam-1", TYPICAL_LINK), ("k" * 32, LONGEST_LINK)):
        for event in EVENT_WORDS[lang]:
            text = short_text(payload("aerator_failed", event, pond) | {"detail": detail},
                              lang, link)
            assert len(text) <= SMS_CHARS, (len(text), text)
            assert gsm_text(text, SMS_CHARS) == text
    code = detail.split(";")[0].split(":")[0]
    said = WHY_TEXTS[code][3 if lang == "en" else 2]
    assert said in short_text(payload("aerator_failed", "opened") | {"detail": detail}, lang,
                              TYPICAL_LINK)
