"""Who may publish and subscribe to which topics: one model for both brokers.

``kolam broker-config`` renders it as Mosquitto's ACL file; the embedded amqtt
broker reads that same file back (:func:`parse_acl`) and enforces it with
:class:`Acl`, so the demo behaves like production.

A device may only write its own ``telemetry``, ``status`` and (a relay node)
``state`` and read its own ``cmd``; services get what their job needs
(:data:`ROLE_GRANTS`). Anything not granted is denied, including every ``$SYS`` topic.

Usernames: a device is ``{site}.{device}`` (slugs have no dots, device slugs are
unique within a site); a service account is a slug (no dot), so the two never
collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from kolam.protocol import ROOT, SLUG_RE, DeviceRef


class Access(StrEnum):
    READ = "read"
    WRITE = "write"
    READWRITE = "readwrite"


@dataclass(frozen=True, slots=True)
class Grant:
    """One ACL line: ``topic {access} {topic}`` (``topic`` may hold ``+`` and ``#``)."""

    access: Access
    topic: str

    @property
    def reads(self) -> bool:
        return self.access is not Access.WRITE

    @property
    def writes(self) -> bool:
        return self.access is not Access.READ


@dataclass(frozen=True, slots=True)
class Account:
    """A broker login and its grants."""

    username: str
    grants: tuple[Grant, ...]


class ServiceRole(StrEnum):
    """What a service account is for."""

    INGEST = "ingest"
    """Reads telemetry, status (devices' and gateways') and relay states, writes alert events."""
    API = "api"
    """Reads everything of its sites, writes device commands."""
    GATEWAY = "gateway"
    """A site's gateway: reads and writes everything under its site, on either broker."""
    SIM = "sim"
    """The simulator: acts as every device of its site (sensor and relay nodes)."""
    OBSERVER = "observer"
    """Reads everything of its sites (operators' debugging, monitoring)."""


SITE_REQUIRED = frozenset({ServiceRole.GATEWAY, ServiceRole.SIM})


def device_username(site: str, device: str) -> str:
    return f"{site}.{device}"


def is_device_username(username: str | None) -> bool:
    """Device logins are ``{site}.{device}``; service logins have no dot."""
    return username is not None and "." in username


def client_id_allowed(username: str | None, client_id: str) -> bool:
    """May this login connect with this MQTT client id?

    A device's client id is its login, so no login can take over a device's
    connection or session by using its (predictable) id; ids with a dot are
    therefore reserved for devices. A service may use several connections (ingest's
    consumer and alert publisher, the simulator's one per node) under any other id.
    Mosquitto gets the same effect from ``use_username_as_clientid`` on the device
    listener (:mod:`kolam.broker.mosquitto`).
    """
    if is_device_username(username):
        return client_id == username
    return "." not in client_id


def device_grants(ref: DeviceRef) -> tuple[Grant, ...]:
    base = f"{ROOT}/{ref.site}/{ref.pond}/{ref.device}"
    return (Grant(Access.WRITE, f"{base}/telemetry"), Grant(Access.WRITE, f"{base}/status"),
            Grant(Access.WRITE, f"{base}/state"), Grant(Access.READ, f"{base}/cmd"))


def service_grants(role: ServiceRole, site: str | None) -> tuple[Grant, ...]:
    """The grants of a service of ``role`` for one site, or every site when ``site`` is None."""
    if role in SITE_REQUIRED and site is None:
        raise ValueError(f"a {role.value} account belongs to one site")
    if site is not None and not SLUG_RE.fullmatch(site):
        raise ValueError(f"site {site!r} is not a slug")
    s = f"{ROOT}/{site or '+'}"
    everything = f"{ROOT}/{site}/#" if site else f"{ROOT}/#"
    match role:
        case ServiceRole.INGEST:
            return (Grant(Access.READ, f"{s}/+/+/telemetry"), Grant(Access.READ, f"{s}/+/+/status"),
                    Grant(Access.READ, f"{s}/+/+/state"), Grant(Access.WRITE, f"{s}/+/alerts"),
                    Grant(Access.READ, f"{s}/gateway/+/log"),
                    Grant(Access.READ, f"{s}/gateway/+/problem"))
        case ServiceRole.API:
            return (Grant(Access.READ, everything), Grant(Access.WRITE, f"{s}/+/+/cmd"))
        case ServiceRole.GATEWAY:
            return (Grant(Access.READWRITE, everything),)
        case ServiceRole.SIM:
            return (Grant(Access.WRITE, f"{s}/+/+/telemetry"),
                    Grant(Access.WRITE, f"{s}/+/+/status"), Grant(Access.WRITE, f"{s}/+/+/state"),
                    Grant(Access.READ, f"{s}/+/+/cmd"))
        case ServiceRole.OBSERVER:
            return (Grant(Access.READ, everything),)


# ---------------------------------------------------------------- topic matching


def topic_matches(pattern: str, topic: str) -> bool:
    """Does the concrete ``topic`` match the filter ``pattern`` (MQTT 3.1.1 §4.7)?"""
    if topic.startswith("$") and not pattern.startswith("$"):
        return False
    p_levels, t_levels = pattern.split("/"), topic.split("/")
    for i, p in enumerate(p_levels):
        if p == "#":
            return True
        if i >= len(t_levels) or (p != "+" and p != t_levels[i]):
            return False
    return len(p_levels) == len(t_levels)


def filter_within(requested: str, pattern: str) -> bool:
    """Is every topic the filter ``requested`` can match also matched by ``pattern``?"""
    if requested.startswith("$") and not pattern.startswith("$"):
        return False
    r_levels, p_levels = requested.split("/"), pattern.split("/")
    for i, p in enumerate(p_levels):
        if p == "#":
            return True
        if i >= len(r_levels):
            return False
        r = r_levels[i]
        if r == "#" or (r == "+" and p != "+") or (p not in ("+", r)):
            return False
    return len(r_levels) == len(p_levels)


def _shared(topic_filter: str) -> str:
    """``$share/{group}/{filter}`` → ``{filter}`` (access is judged on the real filter)."""
    if topic_filter.startswith("$share/"):
        parts = topic_filter.split("/", 2)
        return parts[2] if len(parts) == 3 else ""
    return topic_filter


class Acl:
    """Grants by username; anyone not listed (anonymous included) may do nothing."""

    def __init__(self, grants: Mapping[str, Iterable[Grant]]) -> None:
        self._grants = {user: tuple(g) for user, g in grants.items()}

    def can_publish(self, username: str | None, topic: str) -> bool:
        return any(g.writes and topic_matches(g.topic, topic)
                   for g in self._grants.get(username or "", ()))

    def can_receive(self, username: str | None, topic: str) -> bool:
        return any(g.reads and topic_matches(g.topic, topic)
                   for g in self._grants.get(username or "", ()))

    def can_subscribe(self, username: str | None, topic_filter: str) -> bool:
        wanted = _shared(topic_filter)
        return bool(wanted) and any(g.reads and filter_within(wanted, g.topic)
                                    for g in self._grants.get(username or "", ()))


# ---------------------------------------------------------------- the ACL file


def render_acl(accounts: Iterable[Account]) -> str:
    """Mosquitto's ACL file: one ``user`` block per account."""
    out = ["# Written by `kolam broker-config`; edits are overwritten.\n"]
    for account in accounts:
        if not account.username or any(c.isspace() for c in account.username):
            raise ValueError(f"username {account.username!r} cannot appear in an ACL file")
        out.append(f"\nuser {account.username}\n")
        out.extend(f"topic {g.access.value} {g.topic}\n" for g in account.grants)
    return "".join(out)


def parse_acl(text: str) -> dict[str, tuple[Grant, ...]]:
    """``{username: grants}`` from an ACL file of the form :func:`render_acl` writes.

    Lines before the first ``user`` (Mosquitto's anonymous grants) and ``pattern``
    lines are refused: Kolam never writes them, and silently ignoring them would
    make the embedded broker stricter than the file claims.
    """
    grants: dict[str, list[Grant]] = {}
    user: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split(None, 2)
        if words[0] == "user" and len(words) == 2:
            user = words[1]
            grants.setdefault(user, [])
        elif words[0] == "topic" and user is not None:
            if len(words) == 2:
                grants[user].append(Grant(Access.READWRITE, words[1]))
            elif words[1] in {a.value for a in Access}:
                grants[user].append(Grant(Access(words[1]), words[2]))
            elif words[1] == "deny":
                raise ValueError(f"ACL line {number}: 'deny' is not supported")
            else:
                grants[user].append(Grant(Access.READWRITE, f"{words[1]} {words[2]}"))
        else:
            raise ValueError(f"ACL line {number} is not understood: {line[:80]!r}")
    return {u: tuple(g) for u, g in grants.items()}
