"""The trainee's daily round in real Chromium at phone size (issue #17 item 5): from the
kiosk's round to the illustrated pH calibration procedure, then the form, recording a
two-point calibration with the members who did it; the slope comes back and the task is
ticked on the kiosk."""

from __future__ import annotations

from playwright.sync_api import Browser, ViewportSize, expect

from kolam.farming.probe_care import Kind
from kolam.registry.maintenance import Maintenance
from tests.browser.test_dashboard import logged_in
from tests.utils.browser import ARTIFACTS
from tests.utils.pages import SITE, DemoSite

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_ph_calibration_from_the_kiosk_round(browser: Browser, base_url: str,
                                               site: DemoSite) -> None:
    with logged_in(browser, base_url, "kiosk", f"/kiosk/{SITE}") as s:
        page = s.page
        page.set_viewport_size(PHONE)
        round_ = page.locator("#round-kolam-1")
        task = round_.locator("li", has_text="Kalibrasi pH dua titik (node-1)")
        expect(task).to_contain_text("07:20")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        round_.screenshot(path=str(ARTIFACTS / "kiosk-round-phone.png"))
        task.get_by_role("link", name="Kalibrasi pH dua titik (node-1)").click()
        expect(page.locator("#procedure h1")).to_have_text(
            "Kalibrasi pH dua titik (pH 7, lalu pH 4 atau 10)")
        art = page.locator("#procedure svg.proc-art")
        expect(art).to_be_visible()
        box = art.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]  # fits the phone
        expect(page.locator("ol.steps > li")).to_have_count(8)
        page.screenshot(path=str(ARTIFACTS / "procedure-ph-phone.png"), full_page=True)
        page.locator("#record-care").click()
        form = page.locator("form.careform")
        expect(form.locator("select[name=kind]")).to_have_value("ph_calibration")
        expect(form.locator("input[name=device][value=node-1]")).to_be_checked()
        expect(form.locator("fieldset[data-kind=ph_calibration]")).to_be_visible()
        expect(form.locator("fieldset[data-kind=drift_check]")).to_be_hidden()
        form.locator("select[name=buffer1]").select_option("7,00")
        form.locator("input[name=reading1]").fill("-8")
        form.locator("select[name=buffer2]").select_option("4,01")
        form.locator("input[name=reading2]").fill("165")
        form.locator("input[name=temp_c]").fill("28")
        member = form.locator(".members label.choice").first
        member.click()
        form.locator("button[type=submit]").click()
        saved = page.locator("#saved")
        # (−8 − 165) / (4.01 − 7.00) = 57.9 mV/pH; Nernst at 28 °C 59.75: 97 %.
        expect(saved).to_contain_text("kemiringan 57,9 mV/pH (97 % Nernst), offset -8,0 mV")
        expect(saved).to_contain_text("Sensor baik.")
        page.screenshot(path=str(ARTIFACTS / "care-phone.png"), full_page=True)
        page.goto(f"/kiosk/{SITE}")
        done = page.locator("#round-kolam-1 li.done", has_text="Kalibrasi pH dua titik")
        expect(done).to_contain_text("✔")
        assert s.errors == []
    entry = Maintenance(site.registry.engine).entries(SITE, "kolam-1",
                                                     kind=Kind.PH_CALIBRATION)[0]
    assert (entry.buffer1, entry.reading1, entry.buffer2, entry.reading2, entry.temp_c) == (
        7.0, -8.0, 4.01, 165.0, 28.0)
    assert len(entry.member_ids) == 1 and entry.recorded_by == "kiosk"
