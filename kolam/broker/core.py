"""amqtt's broker with the checks amqtt 0.12.1 leaves out, kept in Kolam.

amqtt checks its topic plugins (``Action.RECEIVE``) when it forwards a live
message, but not when it sends *retained* messages, and on every connect it sends
the connecting client the retained messages matching *every* subscription in
the broker, not only that client's. A device of one site thus received every
other site's retained status as soon as it connected. It also reads a packet of
any size (up to MQTT's 256 MiB), and it deletes or adopts an existing session
with the CONNECT's client id *before* checking the login, so anyone could knock a
connected node off (or take over its queued messages) by connecting with its
client id, even with a wrong password.

:class:`KolamBroker` closes these: every retained message is checked against the
receiver's ACL, only the receiver's own subscriptions count, a packet whose
payload or topic exceeds :data:`MAX_MESSAGE_BYTES` ends the connection before it
is read, and a CONNECT is judged (login, client id may be used by this login, no
session of that id belongs to another login) before any session is touched.

The overridden methods are private to amqtt; ``tests/security/test_broker_delivery.py``
pins the behaviour, and :data:`TESTED_AMQTT` names the versions it passed on. Upstream
report: docs/security.md, "Brokers, files and exports".
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import amqtt
from amqtt.adapters import ReaderAdapter, StreamReaderAdapter, StreamWriterAdapter, WriterAdapter
from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.errors import AMQTTError, MQTTError, NoDataError
from amqtt.mqtt.connack import IDENTIFIER_REJECTED, NOT_AUTHORIZED, ConnackPacket
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session
from amqtt.utils import gen_client_id

from kolam.broker.acl import client_id_allowed

log = logging.getLogger(__name__)

TESTED_AMQTT = frozenset({"0.12.1"})
MAX_MESSAGE_BYTES = 1024 * 1024
"""Largest payload (and topic) either broker accepts: 4× ingest's own limit
(``ingest.max_payload_bytes``, 256 KiB), so an oversized message still reaches
ingest's dead letters, while a 10 MiB retained message is refused."""


class _BoundedReader(StreamReaderAdapter):  # type: ignore[misc]
    """Refuses any single read larger than the limit: amqtt reads a PUBLISH payload
    (and a topic) in one read, so this stops an oversized packet before it is buffered."""

    async def read(self, n: int = -1) -> bytes:
        if n > MAX_MESSAGE_BYTES:
            log.info("closing a connection sending %d bytes at once (limit %d)", n,
                     MAX_MESSAGE_BYTES)
            raise asyncio.IncompleteReadError(b"", n)  # amqtt treats it as end of stream
        data: bytes = await super().read(n)
        return data


class KolamBroker(Broker):  # type: ignore[misc]
    """``amqtt.broker.Broker`` enforcing the ACL on retained messages, a message size
    limit, and client ids bound to logins."""

    def __init__(self, config: dict[str, Any]) -> None:
        if amqtt.__version__ not in TESTED_AMQTT:
            log.warning("amqtt %s is not a version Kolam's broker checks were tested on "
                        "(%s): run tests/security/test_broker_delivery.py", amqtt.__version__,
                        ", ".join(sorted(TESTED_AMQTT)))
        super().__init__(config)

    async def stream_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                               listener_name: str) -> None:
        await self._client_connected(listener_name, _BoundedReader(reader),
                                     StreamWriterAdapter(writer))

    # ------------------------------------------------------------ connect

    async def _refuse(self, writer: WriterAdapter, code: int, why: str) -> None:
        log.info("refused a connection: %s", why)
        await ConnackPacket.build(0, code).to_stream(writer)
        await writer.close()
        raise MQTTError(why)

    async def _check_connect(self, session: Session, writer: WriterAdapter) -> None:
        """Judge a CONNECT before amqtt touches any session of the same client id."""
        cid, user = session.client_id or "", session.username
        if not await self._authenticate(session, None):
            await self._refuse(writer, NOT_AUTHORIZED, f"bad login for client {cid[:64]!r}")
        if not client_id_allowed(user, cid):
            await self._refuse(writer, IDENTIFIER_REJECTED,
                               f"{user!r} may not use client id {cid[:64]!r}")
        existing = self._sessions.get(cid, (None, None))[0]
        if existing is not None and existing.username != user:
            await self._refuse(writer, IDENTIFIER_REJECTED,
                               f"client id {cid[:64]!r} belongs to another login, not {user!r}")

    async def _initialize_client_session(self, reader: ReaderAdapter, writer: WriterAdapter,
                                         remote_address: str, remote_port: int,
                                         ) -> tuple[BrokerProtocolHandler, Session]:
        # amqtt 0.12.1's method with _check_connect inserted after the CONNECT is read.
        try:
            handler, session = await BrokerProtocolHandler.init_from_connect(
                reader, writer, self.plugins_manager)
        except (AMQTTError, NoDataError) as exc:
            log.warning("cannot read CONNECT from %s:%s: %s", remote_address, remote_port, exc)
            raise AMQTTError(exc) from exc
        except MQTTError:
            await writer.close()
            raise
        await self._check_connect(session, writer)

        if session.clean_session:
            if session.client_id:
                await self._delete_session(session.client_id)
            else:
                session.client_id = gen_client_id()
            session.parent = 0
        elif session.client_id in self._sessions:
            existing, _ = self._sessions[session.client_id]
            for name in ("will_flag", "will_message", "will_topic", "will_qos", "keep_alive",
                         "username", "password"):
                setattr(existing, name, getattr(session, name))
            session = existing
            session.parent = 1
        else:
            session.parent = 0
        delay = self.config.get("timeout-disconnect-delay", 0)
        if session.keep_alive > 0 and isinstance(delay, int):
            session.keep_alive += delay
        return handler, session

    # ------------------------------------------------------------ retained messages

    async def _may_receive(self, session: Session, topic: str) -> bool:
        allowed: bool = await self._topic_filtering(session, topic=topic, action=Action.RECEIVE)
        if not allowed:
            log.debug("withheld retained %s from %s", topic[:200], session.username)
        return allowed

    async def _publish_retained_messages_for_subscription(self, subscription: tuple[str, int],
                                                          session: Session) -> None:
        topic_filter, qos = subscription
        # On connect amqtt passes every filter in the broker; only the session's own count.
        own = [q for s, q in self._subscriptions.get(topic_filter, ())
               if s.client_id == session.client_id]
        handler = self._get_handler(session)
        if not own or handler is None:
            return
        qos = min(qos, own[0]) if qos else own[0]
        tasks = [asyncio.ensure_future(handler.mqtt_publish(
                     r.topic, r.data, min(qos, r.qos or qos), retain=True))
                 for topic, r in list(self._retained_messages.items())
                 if self._matches(topic, topic_filter) and await self._may_receive(session, topic)]
        if tasks:
            await asyncio.wait(tasks)

    async def _publish_session_retained_messages(self, session: Session) -> None:
        # Messages queued while the session was offline: the ACL may have changed since.
        handler = self._get_handler(session)
        tasks = []
        while handler is not None and not session.retained_messages.empty():
            r = await session.retained_messages.get()
            if await self._may_receive(session, r.topic):
                tasks.append(asyncio.ensure_future(
                    handler.mqtt_publish(r.topic, r.data, r.qos, retain=False)))
        if tasks:
            await asyncio.wait(tasks)
