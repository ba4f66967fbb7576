"""The duty roster end to end (issue #21's done-when): a real Mosquitto, `kolam ingest` as
a child process, a DO crash at a WITA site, the local Telegram and WhatsApp Cloud API
servers, and the API (uvicorn) serving the one-time acknowledgement page.

The officer on shift hears first (Telegram and WhatsApp, with a link), the backup on
shift after the escalation time, then the Dinas (WhatsApp, no link: the Dinas watches
only); the day officer, off shift, hears nothing. The officer acknowledges through the
link in their Telegram message, without logging in, and the head of the rutan, the next
level, is never woken."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.app import create_app
from kolam.config import load_config
from kolam.places import SitePlace
from kolam.protocol import DeviceRef, Sample
from kolam.registry.alerts import Alerts
from kolam.registry.people import ContactInfo, People
from kolam.registry.places import Places
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security.auth import Role
from kolam.store.sqlite import SqliteStore
from kolam.timeutil import from_ms, now_ms
from tests.ingest.test_alerts_end_to_end import Publisher
from tests.utils.auth import add_user
from tests.utils.browser import serve
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.phone_services import TELEGRAM_TOKEN, WHATSAPP_TOKEN, FakeTelegram, FakeWhatsApp
from tests.utils.services import IngestProcess

REF = DeviceRef("serang", "kolam-1", "node-1")
WITA = ZoneInfo("Asia/Makassar")
MALAM, SIANG, CADANGAN, KEPALA = "5550001", "5550002", "5550003", "5550010"
MALAM_WA, DINAS_WA = "6281200000001", "6281200000009"
ESCALATION_S = 4.0
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/a/[A-Za-z0-9_-]{22})")


def hhmm(t_ms: int, minutes: int) -> str:
    return (from_ms(t_ms).astimezone(WITA) + timedelta(minutes=minutes)).strftime("%H:%M")


def roster(registry: Registry) -> None:
    """Night officer and backup on shift now (WITA), the day officer off shift, the Dinas
    and the head all day at levels 2 and 3."""
    Places(registry.engine).add_site("serang", SitePlace(timezone="Asia/Makassar"))
    people, now = People(registry.engine), now_ms()
    for name, role, phone, chat, critical in (
            ("malam", Role.OFFICER, MALAM_WA, MALAM, ("telegram", "whatsapp")),
            ("siang", Role.OFFICER, None, SIANG, ("telegram",)),
            ("cadangan", Role.OFFICER, None, CADANGAN, ("telegram",)),
            ("dinas", Role.DINAS, DINAS_WA, None, ("whatsapp",)),
            ("kepala", Role.ADMIN, None, KEPALA, ("telegram",))):
        add_user(registry, name, role, [] if role is Role.ADMIN else ["serang"])
        people.set_contact(ContactInfo(name, phone, chat, None, "id", critical, ("telegram",)
                                       if chat else ()))
    on, off = (hhmm(now, -90), hhmm(now, 90)), (hhmm(now, 180), hhmm(now, 300))
    for name, level, (starts, ends) in (("malam", 0, on), ("siang", 0, off),
                                        ("cadangan", 1, on), ("dinas", 2, ("00:00", "00:00")),
                                        ("kepala", 3, ("00:00", "00:00"))):
        people.add_shift("serang", name, level=level, weekdays=range(7), starts=starts,
                         ends=ends, by="test")


def test_the_officer_on_shift_then_the_next_then_the_dinas_and_nothing_after_the_link(
        mosquitto: Mosquitto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("KOLAM_"):
            monkeypatch.delenv(key)  # the API's config: defaults and the data dir alone
    data = tmp_path / "data"
    config = load_config(None, data_dir=data)
    registry = Registry(config.registry_url)
    store = SqliteStore(config.samples_path)
    roster(registry)
    with (FakeTelegram({MALAM, SIANG, CADANGAN, KEPALA}) as telegram,
          FakeWhatsApp("1098765", {MALAM_WA, DINAS_WA}, {"kolam_alert": ({"id"}, 2)}) as wa,
          serve(create_app(config, store, registry)) as api):
        env = {"KOLAM_MQTT_URL": mosquitto.url(), "KOLAM_DATA_DIR": str(data),
               "KOLAM_INGEST__FLUSH_INTERVAL_MS": "50", "KOLAM_ALERTS__TICK_S": "0.3",
               "KOLAM_ALERTS__ESCALATION_AFTER_S": str(ESCALATION_S),
               "KOLAM_ALERTS__PUBLIC_URL": api,
               "KOLAM_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "KOLAM_TELEGRAM_API_URL": telegram.url,
               "KOLAM_TELEGRAM_WEBHOOK_SECRET": "tg-webhook-secret",
               "KOLAM_WHATSAPP_TOKEN": WHATSAPP_TOKEN, "KOLAM_WHATSAPP_PHONE_ID": "1098765",
               "KOLAM_WHATSAPP_TEMPLATE": "kolam_alert", "KOLAM_WHATSAPP_API_URL": wa.url}
        proc = IngestProcess(env, tmp_path / "ingest.log").start()
        pub = Publisher(mosquitto)

        def chats() -> list[str]:
            with telegram.lock:
                return [str(r.body["chat_id"]) for r in telegram.accepted]

        def numbers() -> list[str]:
            with wa.lock:
                return [str(r.body["to"]) for r in wa.accepted]

        try:
            now = now_ms()
            pub.samples(REF, [Sample(now - 20 * 60_000 + i * 60_000, {"do_mgl": 1.2})
                              for i in range(20)])  # 20 min at 1.2 mg/L: critical
            wait_for(lambda: chats() and numbers(), 20, what="the officer on shift")
            first = time.monotonic()
            assert (chats(), numbers()) == ([MALAM], [MALAM_WA])
            text = telegram.texts()[0]
            assert text.startswith("[KRITIS] Oksigen terlarut rendah — kolam-1")
            assert "Tanggapi (tautan sekali pakai): " in text
            link = LINK.search(text)
            assert link is not None, text
            assert "/a/" in wa.parameters()[0][1]  # the WhatsApp details carry a link too
            button = telegram.accepted[0].body["reply_markup"]["inline_keyboard"][0][0]
            assert button == {"text": "Tanggapi",  # and Telegram a button, the same token
                              "callback_data": "ack:" + link.group(1).rpartition("/")[2]}

            wait_for(lambda: CADANGAN in chats(), 15, what="the escalation to the backup")
            assert time.monotonic() - first >= ESCALATION_S - 1
            assert chats() == [MALAM, CADANGAN]
            assert telegram.texts()[1].startswith("[KRITIS] Belum ditanggapi: Oksigen")
            wait_for(lambda: DINAS_WA in numbers(), 15, what="the escalation to the Dinas")
            assert numbers() == [MALAM_WA, DINAS_WA]
            assert "/a/" not in wa.parameters()[1][1]  # the Dinas watches only

            with httpx.Client(follow_redirects=False) as anonymous:
                page = anonymous.get(link.group(1))
                assert page.status_code == 200 and 'id="ack-button"' in page.text
                done = anonymous.post(link.group(1))
                assert done.status_code == 200 and 'id="ack-done"' in done.text
                assert anonymous.post(link.group(1)).status_code == 409  # once only
            acked = time.monotonic()
            assert acked - first < 3 * ESCALATION_S - 0.5, "too slow to beat the next step"
            time.sleep(2 * ESCALATION_S)  # well past the head's turn
            assert chats() == [MALAM, CADANGAN]  # the head is never woken, the day officer
            assert numbers() == [MALAM_WA, DINAS_WA]  # never hears
            alerts = Alerts(registry.engine)
            (alert,) = alerts.find(["serang"], rule="do_low")
            assert (alert.state, alert.acked_by, alert.escalation_level) == (
                "acknowledged", "malam", 2)
            sent = [n for n in alerts.notifications(alert.id) if n.channel != "mqtt"]
            assert [(n.channel, n.recipient, n.status) for n in sent] == [
                ("telegram", MALAM, "sent"), ("whatsapp", MALAM_WA, "sent"),
                ("telegram", CADANGAN, "sent"), ("whatsapp", DINAS_WA, "sent")]
            audit = Users(registry.engine).audit_log(site="serang")
            assert [(e.username, e.action, e.entity_id) for e in audit
                    if e.entity == "alert"] == [("malam", "ack", alert.id)]
        finally:
            pub.close()
            proc.terminate()
            store.close()
            registry.close()
