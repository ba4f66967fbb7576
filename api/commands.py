"""The API's MQTT client: it publishes commands (``set_output``) on the devices' ``cmd``
topics of the central broker, QoS 1, and waits for the broker's PUBACK. The gateway takes
them from there with a persistent session (docs/gateway.md, "Commands down the chain"), so a
command to a site whose uplink is down waits at the broker.

One connection per API process, opened on the first command (an API that never switches
anything never connects), reconnected by paho in the background after a drop.
"""

from __future__ import annotations

import logging
import secrets
import threading

from kolam.config import KolamConfig
from kolam.errors import MqttError
from kolam.mqtt import MqttClient

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
PUBACK_TIMEOUT_S = 5.0


class CommandPublisher:
    def __init__(self, config: KolamConfig) -> None:
        self.config = config
        self._client: MqttClient | None = None
        self._lock = threading.Lock()

    def _connected(self) -> MqttClient:
        with self._lock:
            if self._client is None:
                # Service client ids carry no dot (reserved for devices, kolam.broker.acl).
                client = MqttClient(self.config.mqtt, f"kolam-api-{secrets.token_hex(4)}")
                client.connect(CONNECT_TIMEOUT_S)
                self._client = client
            return self._client

    def publish(self, topic: str, payload: bytes) -> None:
        """Publish QoS 1 and wait for the PUBACK; raises ``MqttError`` if the broker
        cannot be reached or does not acknowledge in time."""
        client = self._connected()
        if not client.connected and not client.wait_connected(CONNECT_TIMEOUT_S):
            raise MqttError(f"not connected to {self.config.mqtt.redacted()}")
        client.publish(topic, payload, qos=1, wait_s=PUBACK_TIMEOUT_S)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
