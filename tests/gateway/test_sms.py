"""Alarm SMS through a GSM modem, against a modem simulated on a pseudo-terminal (#18)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.sms import Modem, SmsAlarms, SmsError
from kolam.config import KolamConfig
from kolam.errors import ConfigError
from kolam.protocol import Sample
from kolam.timeutil import now_ms
from tests.gateway.test_control_failsafes import LOOP, SENSOR, relay_node
from tests.utils.gateway import SITE, Node, running_gateway
from tests.utils.mosquitto import Mosquitto
from tests.utils.net import wait_for


class FakeModem:
    """The modem's side of a pty: answers the GSM 07.05 text-mode commands and keeps every
    SMS it was given; the first ``fail`` AT+CMGS are refused with ERROR."""

    def __init__(self, fail: int = 0) -> None:
        self.master, self._slave = os.openpty()
        self.port = os.ttyname(self._slave)
        self.fail = fail
        self.sms: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _answer(self, text: bytes) -> None:
        os.write(self.master, text)

    def _run(self) -> None:
        buf, number = b"", None
        os.set_blocking(self.master, False)
        while not self._stop.is_set():
            try:
                buf += os.read(self.master, 1024)
            except BlockingIOError:
                self._stop.wait(0.005)
                continue
            except OSError:
                return
            while True:
                if number is not None:
                    if b"\x1a" not in buf:
                        break
                    body, _, buf = buf.partition(b"\x1a")
                    self.sms.append((number, body.decode()))
                    self._answer(b"\r\n+CMGS: %d\r\n\r\nOK\r\n" % len(self.sms))
                    number = None
                    continue
                if b"\r" not in buf:
                    break
                line, _, buf = buf.partition(b"\r")
                cmd = line.decode().strip()
                self.lines.append(cmd)
                if cmd.startswith("AT+CMGS="):
                    if self.fail > 0:
                        self.fail -= 1
                        self._answer(b"\r\nERROR\r\n")
                    else:
                        number = cmd.split('"')[1]
                        self._answer(b"\r\n> ")
                elif cmd in ("AT", "AT+CMGF=1"):
                    self._answer(b"\r\nOK\r\n")
                elif cmd:
                    self._answer(b"\r\nERROR\r\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def modem() -> Iterator[FakeModem]:
    fake = FakeModem()
    try:
        yield fake
    finally:
        fake.close()


def test_one_sms_in_text_mode(modem: FakeModem) -> None:
    real = Modem(modem.port)
    real.send_sms("+6281200000001", "KOLAM serang: kolam-1 DO 1,4 mg/L kritis")
    real.close()
    assert modem.sms == [("+6281200000001", "KOLAM serang: kolam-1 DO 1,4 mg/L kritis")]
    assert modem.lines[:3] == ["AT", "AT+CMGF=1", 'AT+CMGS="+6281200000001"']


def test_a_refused_sms_is_retried_and_an_alarm_is_not_repeated(modem: FakeModem) -> None:
    modem.fail = 1
    alarms = SmsAlarms(Modem(modem.port), ["+6281200000001"])
    thread = threading.Thread(target=alarms.run, daemon=True)
    thread.start()
    try:
        alarms.notify("water:kolam-1:node-1:do_mgl", "KOLAM: DO kritis")
        alarms.notify("water:kolam-1:node-1:do_mgl", "KOLAM: DO kritis")  # within the hour
        wait_for(lambda: alarms.sent == 1, 10, what="the retried SMS")
        assert modem.sms == [("+6281200000001", "KOLAM: DO kritis")]
    finally:
        alarms.stop()
        thread.join(5)


def test_no_modem_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SmsError, match="cannot open the modem"):
        Modem(str(tmp_path / "ttyUSB9")).open()
    (tmp_path / "file").write_text("")
    with pytest.raises(SmsError, match="not a serial port"):
        Modem(str(tmp_path / "file")).open()


def test_bad_sms_settings_are_refused(make_config: Callable[..., KolamConfig]) -> None:
    with pytest.raises(ConfigError, match="not a phone number"):
        make_config(gateway={"sms_numbers": ["0812-abc"]})
    with pytest.raises(ConfigError, match="sms_baud"):
        make_config(gateway={"sms_baud": 1234})


def test_dead_aerator_and_critical_do_reach_the_phones_with_the_uplink_down(
        modem: FakeModem, central: Mosquitto, local: Mosquitto,
        make_config: Callable[..., KolamConfig]) -> None:
    central.stop()
    numbers = ["+6281200000001", "+6281200000002"]
    config = make_config(mqtt_url=central.url(), local_mqtt_url=local.url(), site=SITE,
                         gateway_id="gw-1",
                         gateway={"flush_interval_ms": 10, "alarm_min_duration_s": 0,
                                  "control": [LOOP], "sms_port": modem.port,
                                  "sms_numbers": numbers})
    node = Node(local.mqtt)
    with relay_node(local, on=False) as (board, _), running_gateway(config):
        board.fail_motor("aerator-1")
        node.send(SENSOR, [Sample(now_ms(), {"do_mgl": 1.5})])
        wait_for(lambda: len(modem.sms) >= 4, 20, what="two alarms to two phones")
    node.close()
    texts = {text for _, text in modem.sms}
    assert {n for n, _ in modem.sms} == set(numbers)
    assert any("aerator tidak bekerja (arus motor nol)" in t for t in texts), texts
    assert any("Oksigen terlarut 1.50 mg/L kritis" in t for t in texts), texts
