"""The page forms refuse implausible quantities and dates like the API does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.pages.conftest import log_in
from tests.utils.pages import SITE, form_csrf


def test_kiosk_refuses_the_probe_feed(client: TestClient) -> None:
    log_in(client, "kiosk")
    csrf = form_csrf(client.get(f"/kiosk/{SITE}").text)
    for form, message in (({"kind": "feeding", "amount": "1e308"},
                           "Pakan: paling banyak 500 kg per catatan"),
                          ({"kind": "feeding", "amount": "501"},
                           "Pakan: paling banyak 500 kg per catatan"),
                          ({"kind": "mortality", "amount": "1e7"},
                           "Ikan mati: paling banyak 1.000.000 ekor")):
        r = client.post(f"/kiosk/{SITE}/logs", data={"csrf": csrf, "pond": "kolam-1"} | form)
        assert r.status_code == 422 and message in r.text, (form, r.text[-2000:])


def test_team_forms_refuse_implausible_numbers_and_dates(client: TestClient) -> None:
    log_in(client, "officer")
    page = client.get(f"/teams/{SITE}/1").text
    for path, form, message in (
        ("cycles", {"pond": "kolam-1", "seed_count": "2000000", "seed_weight_g": "2"},
         "Jumlah benih: paling banyak 1.000.000 ekor"),
        ("cycles", {"pond": "kolam-1", "seed_count": "100", "seed_weight_g": "2",
                    "stocked_at": "0001-01-01"}, "dari tahun 1970 sampai sebelum 2200"),
        ("harvests", {"cycle": "1", "kg": "1e308"}, "paling banyak 20.000 kg"),
        ("harvests", {"cycle": "1", "kg": "5", "price": "1e999"}, "bukan angka yang bisa"),
        ("harvests", {"cycle": "1", "kg": "5", "price": "300000"},
         "Harga per kg: paling banyak 250.000 Rp/kg"),
        ("logs", {"cycle": "1", "kind": "water_exchange", "value": "150"},
         "Air diganti: paling banyak 100 %"),
    ):
        r = client.post(f"/teams/{SITE}/1/{path}", data={"csrf": form_csrf(page)} | form)
        assert r.status_code == 422 and message in r.text, (path, form, r.text[-1500:])


def test_kiosk_errors_follow_the_language(client: TestClient) -> None:
    log_in(client, "kiosk")
    csrf = form_csrf(client.get(f"/kiosk/{SITE}").text)
    form = {"csrf": csrf, "pond": "kolam-1", "kind": "mortality", "amount": "2,5"}
    r = client.post(f"/kiosk/{SITE}/logs", data=form)
    assert r.status_code == 422 and "Ikan mati: harus bilangan bulat" in r.text
    assert "whole number" not in r.text
    client.cookies.set("lang", "en")
    r = client.post(f"/kiosk/{SITE}/logs", data=form | {"amount": "2.5"})
    assert r.status_code == 422 and "Dead fish: must be a whole number" in r.text
    r = client.post(f"/kiosk/{SITE}/logs", data=form | {"amount": "lima"})
    assert r.status_code == 422 and "Dead fish: “lima” is not a number" in r.text
    client.cookies.set("lang", "id")
    r = client.post(f"/kiosk/{SITE}/logs", data=form | {"amount": ""})
    assert r.status_code == 422 and "Ikan mati: wajib diisi" in r.text


def test_registry_errors_are_translated_too(client: TestClient) -> None:
    log_in(client, "kiosk")
    csrf = form_csrf(client.get(f"/kiosk/{SITE}").text)
    r = client.post(f"/kiosk/{SITE}/logs", data={"csrf": csrf, "pond": "kolam-1",
                                                 "kind": "mortality", "amount": "900000"})
    assert r.status_code == 422 and "lebih banyak dari" in r.text and "ikan yang hidup" in r.text
