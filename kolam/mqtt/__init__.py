"""Kolam's MQTT client, a small wrapper around paho-mqtt 2.x shared by the simulator,
gateway and ingest.

This package is the only part of Kolam that imports paho (``tests/kolam/test_mqtt_seam.py``
holds that): paho's return codes are checked once here and turned into ``MqttError``;
callers get Kolam's own :class:`Message` for what arrives and :class:`Publish` for what
goes out, never paho's objects.

- ``client.py``: :class:`MqttClient`. Acknowledgements come through paho's public
  callbacks: a ``Publish`` turns ``acked`` on its PUBACK, and ``subscribe()`` and
  ``connect()`` wait for the SUBACK, so a message published once they return reaches
  the handler.
- ``acks.py``: the acknowledgement table and :class:`Publish`.
- ``seam.py``: the two speed-ups that reach into paho's private API, in one class whose
  docstring says which names it relies on and why the version pin holds them.
"""

from kolam.mqtt.acks import Publish
from kolam.mqtt.client import SUBACK_TIMEOUT_S, Message, MessageHandler, MqttClient, Will

__all__ = ["SUBACK_TIMEOUT_S", "Message", "MessageHandler", "MqttClient", "Publish", "Will"]
