"""Alert latency: from the breaching sample being published to the webhook receiving it,
and to the Telegram Bot API receiving its ``sendMessage`` (issue #21: p99 < 1 s).

A real Mosquitto, ``kolam ingest`` as a child process (engine, durable outbox, notifier),
a local HTTP receiver and the local Telegram Bot API server of the tests
(``tests.utils.phone_services.FakeTelegram``), both told of every alert. Background load:
``--ponds`` healthy ponds publishing one reading each per second. Each trial takes a
fresh pond through the default ``do_low`` rule:
ten minutes of critical DO (published beforehand), then the sample that completes the
rule's ten-minute minimum duration — the clock starts when that sample is published.

Usage: .venv/bin/python bench/alerts.py [--trials N] [--ponds P]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
from _common import ROOT, median, write_results
from paho.mqtt.enums import CallbackAPIVersion

from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for
from tests.utils.phone_services import TELEGRAM_TOKEN, FakeTelegram
from tests.utils.receivers import WebhookReceiver

CHAT = "5550001"
OPENED = re.compile(r"^\[KRITIS\] Oksigen terlarut rendah — (alarm-\d+) \(bench\)")


def start_ingest(broker: int, data: Path, hook: str,
                 telegram: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOLAM_")}
    ready = data / "ingest.ready"
    env.update({"KOLAM_MQTT_URL": f"mqtt://127.0.0.1:{broker}", "KOLAM_DATA_DIR": str(data),
                "KOLAM_WEBHOOK_URL": hook, "KOLAM_LOG_LEVEL": "WARNING",
                "KOLAM_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "KOLAM_TELEGRAM_CHAT_IDS": CHAT,
                "KOLAM_TELEGRAM_API_URL": telegram,
                "KOLAM_READY_FILE": str(ready),
                "KOLAM_ALERTS__RATE_LIMIT_PER_HOUR": "1000000"})
    proc = subprocess.Popen([sys.executable, "-m", "kolam", "ingest"], env=env, cwd=ROOT)
    wait_for(ready.exists, 60, what="ingest")
    return proc


def telemetry(pond: str, samples: list[tuple[int, float]]) -> tuple[str, bytes]:
    body = {"v": 1, "seq": 1, "boot": 1, "samples": [{"t": t, "do_mgl": v} for t, v in samples]}
    return f"kolam/v1/bench/{pond}/{pond}-node/telemetry", json.dumps(body).encode()


def background(c: paho.Client, ponds: int, stop: threading.Event) -> None:
    i = 0
    while not stop.is_set():
        t = int(time.time() * 1000)
        for p in range(ponds):
            c.publish(*telemetry(f"ok-{p}", [(t, 6.0 + (i % 7) / 10)]), qos=1)
        i += 1
        stop.wait(1.0)


def run(trials: int, ponds: int, gap_s: float) -> dict[str, dict[str, object]]:
    with (tempfile.TemporaryDirectory() as tmp, WebhookReceiver() as hook,
          FakeTelegram({CHAT}) as telegram):
        broker = Mosquitto(Path(tmp) / "mq", persistence=False).start()
        proc = start_ingest(broker.port, Path(tmp) / "data", hook.url, telegram.url)
        c = paho.Client(CallbackAPIVersion.VERSION2, client_id="bench-alerts")
        c.connect("127.0.0.1", broker.port)
        c.loop_start()
        stop = threading.Event()
        load = threading.Thread(target=background, args=(c, ponds, stop), daemon=True)
        load.start()
        sent: dict[str, float] = {}
        sent_mono: dict[str, float] = {}  # FakeTelegram stamps requests with time.monotonic
        try:
            for k in range(trials):
                pond = f"alarm-{k}"
                now = int(time.time() * 1000)
                history = [(now - (10 - j) * 60_000, 1.5) for j in range(10)]
                c.publish(*telemetry(pond, history), qos=1).wait_for_publish(5)
                time.sleep(gap_s)
                t = int(time.time() * 1000)
                info = c.publish(*telemetry(pond, [(t, 1.5)]), qos=1)
                sent[pond], sent_mono[pond] = time.time(), time.monotonic()
                info.wait_for_publish(5)
            wait_for(lambda: len(_alerts(hook)) >= trials and len(_telegrams(telegram)) >= trials,
                     30, what="every alert")
        finally:
            stop.set()
            load.join(5)
            c.disconnect()
            c.loop_stop()
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            broker.stop()
        got, chats = _alerts(hook), _telegrams(telegram)
    hooked = sorted((got[p] - sent[p]) * 1000 for p in sent if p in got)
    told = sorted((chats[p] - sent_mono[p]) * 1000 for p in sent_mono if p in chats)
    return {"publish_to_webhook": _stats(hooked, trials, ponds, "p99 < 2000 ms"),
            "publish_to_telegram": _stats(told, trials, ponds, "p99 < 1000 ms")}


def _stats(lat: list[float], trials: int, ponds: int, target: str) -> dict[str, object]:
    def pct(q: float) -> float:
        return round(lat[min(len(lat) - 1, int(q * len(lat)))], 1)

    return {"trials": trials, "background_ponds": ponds, "received": len(lat),
            "median_ms": round(median(lat), 1), "p50_ms": pct(0.5), "p90_ms": pct(0.9),
            "p99_ms": pct(0.99), "max_ms": pct(1.0), "target": target}


def _telegrams(telegram: FakeTelegram) -> dict[str, float]:
    """Pond → when the Bot API received its first ("opened") message."""
    out: dict[str, float] = {}
    with telegram.lock:
        for r in telegram.accepted:
            found = OPENED.match(str(r.body.get("text", "")))
            if found and found.group(1) not in out:
                out[found.group(1)] = r.at
    return out


def _alerts(hook: WebhookReceiver) -> dict[str, float]:
    with hook.lock:
        return {r.body["pond"]: r.at for r in hook.received
                if r.body.get("rule") == "do_low" and r.body.get("event") == "opened"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--ponds", type=int, default=200)
    ap.add_argument("--gap-s", type=float, default=0.25)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    results: dict[str, object] = dict(run(args.trials, args.ponds, args.gap_s))
    # On a shared machine the tail is the neighbours' as much as ours: say how busy it was.
    results["load_average_1m"] = {"before": round(load_before, 1),
                                  "after": round(os.getloadavg()[0], 1)}
    write_results("alerts", results)


if __name__ == "__main__":
    main()
