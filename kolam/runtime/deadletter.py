"""What a dead letter keeps of a rejected message, and how much of it.

Ingest (into the registry) and the gateway (into its outbox) keep a message that failed
validation as topic, reason, detail and the raw payload (DESIGN.md: "the raw payload
(bounded)"). The bounds are the same wherever a dead letter is stored, so one reads the
same in the API as in the gateway's local log.
"""

from __future__ import annotations

import base64
from typing import NamedTuple

MAX_TOPIC_CHARS = 300
MAX_DETAIL_CHARS = 500
MAX_PAYLOAD_BYTES = 4096
"""Raw payload kept per dead letter: enough to see what a node sent, never a 256 KiB blob."""
_BASE64_PREFIX = "base64:"
# Raw bytes whose base64 (4 chars per 3 bytes) plus the prefix stays under MAX_PAYLOAD_BYTES.
_MAX_BASE64_SOURCE_BYTES = MAX_PAYLOAD_BYTES * 3 // 4 - 8


class DeadLetterFields(NamedTuple):
    """The bounded text of a dead letter, in the order the stores' records take it."""

    topic: str
    reason: str
    detail: str
    payload: str


def payload_text(payload: bytes) -> str:
    """The payload as text: its first ``MAX_PAYLOAD_BYTES`` as UTF-8, or, when that is not
    UTF-8, ``base64:`` and the base64 of its first bytes (the whole fits the same bound)."""
    try:
        return payload[:MAX_PAYLOAD_BYTES].decode("utf-8")
    except UnicodeDecodeError:
        encoded = base64.b64encode(payload[:_MAX_BASE64_SOURCE_BYTES]).decode()
        return _BASE64_PREFIX + encoded


def dead_letter_fields(topic: str, payload: bytes, reason: str, detail: str) -> DeadLetterFields:
    """Topic, reason, detail and payload of a rejected message, each within its bound."""
    return DeadLetterFields(topic[:MAX_TOPIC_CHARS], str(reason), detail[:MAX_DETAIL_CHARS],
                            payload_text(payload))
