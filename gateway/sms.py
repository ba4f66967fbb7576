"""SMS through a GSM modem on the gateway: a local alarm that reaches a person without the
internet (issue #18 item 5).

The modem is on a serial port (``gateway.sms_port``, e.g. ``/dev/ttyUSB2``) and speaks the
GSM 07.05 text-mode AT commands every USB modem and SIM800/SIM7600 board understands::

    AT            → OK
    AT+CMGF=1     → OK                 (text mode)
    AT+CMGS="+62812..."  → "> "        (then the text and Ctrl-Z)
    <text>\\x1a    → +CMGS: 17 … OK

Messages go out on their own thread (a modem takes seconds per SMS), each to every number in
``gateway.sms_numbers``; a failure is retried with back-off (1 s up to 60 s) for up to
``RETRY_FOR_S``, then logged and dropped. The same alarm is sent at most once per
``REPEAT_AFTER_S``, so a flapping probe cannot empty the SIM's credit.
"""

from __future__ import annotations

import logging
import os
import queue
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass

from kolam.errors import SmsError

log = logging.getLogger(__name__)

CTRL_Z = b"\x1a"
COMMAND_TIMEOUT_S = 5.0
SEND_TIMEOUT_S = 60.0
"""A network that is slow to take the SMS answers within a minute (3GPP TS 27.005 leaves it
to the network; modems document 60 s)."""
RETRY_FOR_S = 30 * 60.0
REPEAT_AFTER_S = 3600.0
MAX_TEXT = 160
"""One GSM 7-bit SMS: longer texts are cut rather than split."""


class Modem:
    """A GSM modem on a serial port, one AT exchange at a time."""

    def __init__(self, port: str, baud: int = 115200) -> None:
        self.port = port
        self.baud = baud
        self._fd: int | None = None

    def open(self) -> None:
        try:
            fd = os.open(self.port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise SmsError(f"cannot open the modem {self.port}: {exc.strerror}") from exc
        try:
            tty.setraw(fd)
            attrs = termios.tcgetattr(fd)
            speed = getattr(termios, f"B{self.baud}", termios.B115200)
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as exc:
            os.close(fd)
            raise SmsError(f"{self.port} is not a serial port: {exc}") from exc
        self._fd = fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        try:
            os.write(self._fd, data)
        except OSError as exc:
            raise SmsError(f"writing to the modem failed: {exc.strerror}") from exc

    def _read_until(self, done: Callable[[bytes], bool], timeout_s: float) -> bytes:
        assert self._fd is not None
        buf = b""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                chunk = os.read(self._fd, 256)
            except BlockingIOError:
                chunk = b""
            except OSError as exc:
                raise SmsError(f"reading from the modem failed: {exc.strerror}") from exc
            if chunk:
                buf += chunk
                if b"ERROR" in buf:
                    raise SmsError(f"the modem answered {buf.strip()[-80:]!r}")
                if done(buf):
                    return buf
            else:
                time.sleep(0.01)
        raise SmsError(f"no answer from the modem within {timeout_s:g} s ({buf[-80:]!r})")

    def command(self, line: str, timeout_s: float = COMMAND_TIMEOUT_S) -> bytes:
        self._write(line.encode("ascii") + b"\r")
        return self._read_until(lambda b: b"OK\r\n" in b, timeout_s)

    def send_sms(self, number: str, text: str) -> None:
        """Send one text-mode SMS; raises ``SmsError``."""
        if self._fd is None:
            self.open()
        self.command("AT")
        self.command("AT+CMGF=1")
        self._write(f'AT+CMGS="{number}"\r'.encode("ascii"))
        self._read_until(lambda b: b"> " in b, COMMAND_TIMEOUT_S)
        body = text.encode("ascii", "replace")[:MAX_TEXT]
        self._write(body + CTRL_Z)
        self._read_until(lambda b: b"+CMGS:" in b and b"OK\r\n" in b, SEND_TIMEOUT_S)


@dataclass(frozen=True, slots=True)
class _Outgoing:
    key: str
    text: str
    first_try: float


class SmsAlarms:
    """Sends alarm texts to the site's numbers from a thread of its own."""

    def __init__(self, modem: Modem, numbers: list[str]) -> None:
        self.modem = modem
        self.numbers = numbers
        self._queue: queue.Queue[_Outgoing] = queue.Queue(maxsize=100)
        self._sent_at: dict[str, float] = {}
        self._stop = threading.Event()
        self.sent = 0
        self.failed = 0

    def notify(self, key: str, text: str) -> None:
        """Queue ``text``; the same ``key`` again within ``REPEAT_AFTER_S`` is not re-sent."""
        now = time.monotonic()
        last = self._sent_at.get(key)
        if last is not None and now - last < REPEAT_AFTER_S:
            return
        self._sent_at[key] = now
        try:
            self._queue.put_nowait(_Outgoing(key, text, now))
        except queue.Full:
            log.error("SMS queue full: %s not sent", text[:80])

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            pending = list(self.numbers)
            while pending and not self._stop.is_set():
                try:
                    self.modem.send_sms(pending[0], item.text)
                except SmsError as exc:
                    self.modem.close()
                    if time.monotonic() - item.first_try > RETRY_FOR_S:
                        self.failed += 1
                        log.error("SMS to %s given up: %s", pending.pop(0), exc)
                        continue
                    log.warning("SMS to %s failed, retrying in %.0f s: %s", pending[0],
                                delay, exc)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 60.0)
                    continue
                delay = 1.0
                self.sent += 1
                log.info("SMS sent to %s: %s", pending.pop(0), item.text)
        self.modem.close()
