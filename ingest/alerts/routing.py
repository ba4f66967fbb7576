"""Who is told about what: contacts per site and severity, in escalation levels.

Level 0 contacts hear of an alert at once; level n contacts when a critical alert has gone
unacknowledged for n × ``escalation_after_s``. The ``KOLAM_WEBHOOK_URL`` shortcut is a level 0
contact receiving every event; ``KOLAM_ALERT_EMAILS``, ``KOLAM_TELEGRAM_CHAT_IDS``,
``KOLAM_WHATSAPP_TO`` and ``KOLAM_SMS_TO`` are level 0 contacts for warnings and critical
alerts. A contact's address on a channel that is not configured (no SMTP server, no bot
token, ...) is skipped, as is the channel.

The duty roster (``kolam.registry.people``) adds the people on shift when a message is
queued: a shift's level is an escalation level like a contact's, so the officer on shift
(level 0) hears first on the channels they chose for the severity, the next person
(level 1) when it stays unacknowledged, and so on; configured contacts keep their levels
beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kolam.config import AlertContact, KolamConfig
from kolam.registry.people import OnCall


@dataclass(frozen=True, slots=True)
class Recipient:
    channel: str
    """``webhook``, ``email``, ``telegram``, ``whatsapp``, ``sms`` or ``mqtt``."""
    address: str
    language: str = "id"
    level: int = 0
    user: str | None = None
    """The roster's user this is for; None for a configured contact."""


class Router:
    def __init__(self, config: KolamConfig) -> None:
        self.config = config
        self.enabled = {
            "webhook": True, "email": bool(config.smtp_url),
            "telegram": config.telegram_bot_token is not None,
            "whatsapp": bool(config.whatsapp_token and config.whatsapp_phone_id
                             and config.whatsapp_template),
            "sms": bool(config.sms_url)}
        shortcuts: list[AlertContact] = []
        if config.webhook_url:
            shortcuts.append(AlertContact.model_validate({
                "name": "KOLAM_WEBHOOK_URL", "webhook": config.webhook_url,
                "severities": ["info", "warning", "critical"]}))
        for field, addresses in (("email", config.alert_emails),
                                 ("telegram", config.telegram_chat_ids),
                                 ("whatsapp", config.whatsapp_to), ("sms", config.sms_to)):
            for address in (addresses or "").split(","):
                if address.strip():
                    shortcuts.append(AlertContact.model_validate(
                        {"name": address.strip(), field: address.strip()}))
        self._shared = [*shortcuts, *config.alerts.contacts]

    def contacts(self, site: str) -> list[AlertContact]:
        site_cfg = self.config.alerts.sites.get(site)
        return self._shared + (list(site_cfg.contacts) if site_cfg else [])

    def max_level(self, site: str, on_call: Sequence[OnCall] = ()) -> int:
        return max([*(c.level for c in self.contacts(site)), *(p.level for p in on_call)],
                   default=0)

    def recipients(self, site: str, severity: str, levels: range,
                   on_call: Sequence[OnCall] = ()) -> list[Recipient]:
        """Humans (and their gateways) to tell about an alert of ``severity``: the people
        on shift (``on_call``) first, then the configured contacts."""
        out: list[Recipient] = []
        seen: set[tuple[str, str]] = set()
        for p in on_call:
            if p.level not in levels:
                continue
            for pair in p.channels.get(severity, ()):
                if self.enabled.get(pair[0]) and pair not in seen:
                    seen.add(pair)
                    out.append(Recipient(*pair, p.language, p.level, p.username))
        for c in self.contacts(site):
            if c.level not in levels or severity not in c.severities:
                continue
            channels = [("webhook", c.webhook), ("email", c.email), ("telegram", c.telegram),
                        ("whatsapp", c.whatsapp), ("sms", c.sms)]
            for channel, address in channels:
                if address and self.enabled[channel] and (channel, address) not in seen:
                    seen.add((channel, address))
                    out.append(Recipient(channel, address, c.language, c.level))
        return out
