"""Phones end to end: a DO crash published to a real Mosquitto, `kolam ingest` as a child
process configured only through the KOLAM_TELEGRAM_*, KOLAM_WHATSAPP_* and KOLAM_SMS_*
variables, and local Telegram, WhatsApp Cloud API and SMS gateway servers: the officer hears
once on each, the Dinas after the escalation time, and nobody after acknowledgement."""

from __future__ import annotations

import json
import time
from pathlib import Path

from kolam.protocol import DeviceRef, Sample
from kolam.registry.alerts import Alerts
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms
from tests.ingest.test_alerts_end_to_end import Publisher
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.phone_services import (
    TELEGRAM_TOKEN,
    WHATSAPP_TOKEN,
    FakeSmsGateway,
    FakeTelegram,
    FakeWhatsApp,
)
from tests.utils.services import IngestProcess

REF = DeviceRef("serang", "kolam-1", "node-1")
OFFICER, DINAS, KEPALA = "5550001", "5550009", "5550010"
WA, SMS = "6281200000001", "6281200000002"


def test_a_do_crash_reaches_the_officer_then_the_dinas_and_stops_on_ack(
        mosquitto: Mosquitto, tmp_path: Path) -> None:
    with (FakeTelegram({OFFICER, DINAS, KEPALA}) as telegram,
          FakeWhatsApp("1098765", {WA}, {"kolam_alert": ({"id"}, 2)}) as whatsapp,
          FakeSmsGateway({SMS}) as sms):
        data = tmp_path / "data"
        escalation = [{"name": "dinas", "telegram": DINAS, "level": 1,
                       "severities": ["critical"]},
                      {"name": "kepala", "telegram": KEPALA, "level": 2,
                       "severities": ["critical"]}]
        env = {"KOLAM_MQTT_URL": mosquitto.url(), "KOLAM_DATA_DIR": str(data),
               "KOLAM_INGEST__FLUSH_INTERVAL_MS": "50", "KOLAM_ALERTS__TICK_S": "0.3",
               "KOLAM_ALERTS__ESCALATION_AFTER_S": "3",
               "KOLAM_ALERTS__CONTACTS": json.dumps(escalation),
               "KOLAM_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "KOLAM_TELEGRAM_CHAT_IDS": OFFICER,
               "KOLAM_TELEGRAM_API_URL": telegram.url,
               "KOLAM_WHATSAPP_TOKEN": WHATSAPP_TOKEN, "KOLAM_WHATSAPP_PHONE_ID": "1098765",
               "KOLAM_WHATSAPP_TO": WA, "KOLAM_WHATSAPP_TEMPLATE": "kolam_alert",
               "KOLAM_WHATSAPP_API_URL": whatsapp.url,
               "KOLAM_SMS_URL": sms.url + "/send", "KOLAM_SMS_TO": SMS,
               "KOLAM_SMS_TO_FIELD": "msisdn", "KOLAM_SMS_TEXT_FIELD": "message",
               "KOLAM_SMS_FIELDS": '{"sender": "KOLAM"}', "KOLAM_SMS_AUTH_HEADER": "X-Api-Key",
               "KOLAM_SMS_AUTH_VALUE": "sms-key-1"}
        proc = IngestProcess(env, tmp_path / "ingest.log").start()
        pub = Publisher(mosquitto)

        def chats() -> list[str]:
            with telegram.lock:
                return [str(r.body["chat_id"]) for r in telegram.accepted]

        try:
            now = now_ms()
            pub.samples(REF, [Sample(now - 20 * 60_000 + i * 60_000, {"do_mgl": 1.2})
                              for i in range(20)])  # 20 min at 1.2 mg/L: critical
            wait_for(lambda: chats() and whatsapp.accepted and sms.accepted, 20,
                     what="the officer's messages")
            first = time.monotonic()
            assert chats() == [OFFICER]
            assert telegram.texts()[0].startswith("[KRITIS] Oksigen terlarut rendah — kolam-1")
            (params,) = whatsapp.parameters()
            assert params[0].startswith("[KRITIS] Oksigen terlarut rendah")
            (text,) = sms.texts()
            assert text.startswith("KRITIS kolam-1: Oksigen rendah 1,20 mg/L.")

            wait_for(lambda: DINAS in chats(), 15, what="the escalation to the Dinas")
            assert time.monotonic() - first >= 2.0  # not before escalation_after_s
            assert chats() == [OFFICER, DINAS]
            assert telegram.texts()[1].startswith("[KRITIS] Belum ditanggapi: Oksigen")

            registry = Registry(f"sqlite:///{data / 'registry.sqlite'}")
            try:
                alerts = Alerts(registry.engine)
                (alert,) = alerts.find(["serang"], rule="do_low")
                alerts.acknowledge(alert.id, "petugas", now_ms())
                time.sleep(4.5)  # past the second escalation step
                assert chats() == [OFFICER, DINAS]  # the kepala is never woken
                assert len(whatsapp.accepted) == 1 and len(sms.accepted) == 1
                sent = [n for n in alerts.notifications(alert.id) if n.channel != "mqtt"]
                assert {n.status for n in sent} == {"sent"} and len(sent) == 4
                assert all(n.receipt for n in sent)
            finally:
                registry.close()
        finally:
            pub.close()
            proc.terminate()
