"""Broker logins: each device's own credentials, and the services' accounts.

A password is generated here, handed back once in :class:`Credentials`, and kept
only as two one-way hashes: Argon2id (Kolam's own record, and what
:meth:`BrokerLogins.verify` checks) and the PBKDF2 ``$7$`` form Mosquitto reads
from the password file that ``kolam broker-config`` writes.

Disabling a device also makes ingest refuse its messages (``Device.enabled`` is
what :meth:`Registry.check_device` reads), within ``ingest.device_cache_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kolam.broker import passwd as broker_passwd
from kolam.broker.acl import (
    Account,
    ServiceRole,
    device_grants,
    device_username,
    service_grants,
)
from kolam.errors import NotFound
from kolam.protocol import SLUG_RE, DeviceRef
from kolam.registry.models import BrokerAccount, Device, Pond, Site
from kolam.registry.records import InvalidRecord
from kolam.registry.repo import Registry
from kolam.timeutil import now_ms

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Credentials:
    """A login to show once; the password is not stored anywhere."""

    username: str
    password: str


@dataclass(frozen=True, slots=True)
class DeviceLogin:
    site: str
    pond: str
    device: str
    enabled: bool
    has_credentials: bool
    credentials_at: int | None

    @property
    def username(self) -> str:
        return device_username(self.site, self.device)


@dataclass(frozen=True, slots=True)
class ServiceLogin:
    username: str
    role: ServiceRole
    site: str | None
    enabled: bool
    credentials_at: int


@dataclass(frozen=True, slots=True)
class BrokerEntry:
    """What the broker needs of one enabled login: its hash and its grants."""

    account: Account
    broker_hash: str


def _slug(kind: str, value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise InvalidRecord(f"{kind} {value!r} is not a slug of [a-z0-9-], 1–32 characters")
    return value


def _new_secret() -> tuple[str, str, str]:
    password = broker_passwd.new_password()
    return password, _hasher.hash(password), broker_passwd.hash_password(password)


class BrokerLogins:
    """Provisioning of broker logins over the registry database."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def close(self) -> None:
        self._registry.close()

    def _session(self) -> Session:
        return self._registry._session()

    # ------------------------------------------------------------ devices

    def _device(self, s: Session, site: str, device: str) -> Device:
        row = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                       .where(Site.slug == site, Device.slug == device))
        if row is None:
            raise NotFound(f"no device {device!r} at site {site!r}")
        return row

    def add_device(self, site: str, pond: str, device: str, *,
                   rotate: bool = False) -> Credentials:
        """Register a device with new credentials (creating its site and pond if missing).

        A device that registered itself (auto-provisioning) gets credentials here;
        one that already has them is refused unless ``rotate`` (then its password is
        replaced, as by ``rotate_device``).
        """
        ref = DeviceRef(_slug("site", site), _slug("pond", pond), _slug("device", device))
        password, argon, pbkdf2 = _new_secret()
        with self._session() as s, s.begin():  # a refusal below also undoes a new pond
            row = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                           .where(Site.slug == site, Device.slug == device))
            if row is None:
                pond_row = self._registry._ensure_pond(s, ref.site, ref.pond)
                row = Device(site_id=pond_row.site_id, pond_id=pond_row.id, slug=device,
                             enabled=True, auto_provisioned=False, created_at=now_ms())
                s.add(row)
            elif row.pond.slug != pond:
                raise InvalidRecord(f"device {device!r} belongs to pond {row.pond.slug!r} of "
                                    f"site {site!r}, not {pond!r}")
            elif row.password_hash is not None and not rotate:
                raise InvalidRecord(f"device {device!r} of site {site!r} already has a login; "
                                    "nothing changed. To give it a new password: "
                                    f"`kolam devices add {site} {pond} {device} --rotate`")
            row.auto_provisioned = False
            row.password_hash, row.broker_hash, row.credentials_at = argon, pbkdf2, now_ms()
        return Credentials(device_username(site, device), password)

    def has_login(self, site: str, device: str) -> bool:
        """The device exists and has broker credentials."""
        with self._session() as s:
            row = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                           .where(Site.slug == site, Device.slug == device))
            return row is not None and row.password_hash is not None

    def missing_places(self, site: str, pond: str) -> list[str]:
        """What ``add_device`` would create: "site X", "pond X/Y" (to tell the operator)."""
        with self._session() as s:
            site_row = s.scalar(select(Site).where(Site.slug == site))
            if site_row is None:
                return [f"site {site}", f"pond {site}/{pond}"]
            found = s.scalar(select(Pond.id).where(Pond.site_id == site_row.id,
                                                   Pond.slug == pond))
            return [] if found is not None else [f"pond {site}/{pond}"]

    def rotate_device(self, site: str, device: str) -> Credentials:
        """New credentials for a device; the old password stops working at the next reload."""
        password, argon, pbkdf2 = _new_secret()
        with self._session() as s, s.begin():
            row = self._device(s, site, device)
            row.password_hash, row.broker_hash, row.credentials_at = argon, pbkdf2, now_ms()
        return Credentials(device_username(site, device), password)

    def set_device_enabled(self, site: str, device: str, enabled: bool) -> None:
        with self._session() as s, s.begin():
            self._device(s, site, device).enabled = enabled
        self._registry.forget_cache()

    def devices(self, site: str | None = None) -> list[DeviceLogin]:
        with self._session() as s:
            q = (select(Device, Site.slug, Pond.slug).join(Site, Device.site_id == Site.id)
                 .join(Pond, Device.pond_id == Pond.id)
                 .order_by(Site.slug, Pond.slug, Device.slug))
            if site is not None:
                q = q.where(Site.slug == site)
            return [DeviceLogin(site_slug, pond_slug, d.slug, d.enabled,
                                d.password_hash is not None, d.credentials_at)
                    for d, site_slug, pond_slug in s.execute(q)]

    # ------------------------------------------------------------ services

    def set_service(self, username: str, role: ServiceRole, site: str | None = None,
                    ) -> Credentials:
        """Create a service account, or give an existing one a new password (and role/site)."""
        _slug("service username", username)
        try:
            service_grants(role, site)
        except ValueError as exc:
            raise InvalidRecord(str(exc)) from exc
        password, argon, pbkdf2 = _new_secret()
        now = now_ms()
        with self._session() as s, s.begin():
            row = s.scalar(select(BrokerAccount).where(BrokerAccount.username == username))
            if row is None:
                row = BrokerAccount(username=username, created_at=now)
                s.add(row)
            row.role, row.site, row.enabled = role.value, site, True
            row.password_hash, row.broker_hash, row.credentials_at = argon, pbkdf2, now
        return Credentials(username, password)

    def set_service_enabled(self, username: str, enabled: bool) -> None:
        with self._session() as s, s.begin():
            row = s.scalar(select(BrokerAccount).where(BrokerAccount.username == username))
            if row is None:
                raise NotFound(f"no service account {username!r}")
            row.enabled = enabled

    def services(self) -> list[ServiceLogin]:
        with self._session() as s:
            return [ServiceLogin(a.username, ServiceRole(a.role), a.site, a.enabled,
                                 a.credentials_at)
                    for a in s.scalars(select(BrokerAccount).order_by(BrokerAccount.username))]

    # ------------------------------------------------------------ the broker's view

    def broker_entries(self) -> list[BrokerEntry]:
        """Every enabled login with credentials: services first, then devices."""
        out: list[BrokerEntry] = []
        with self._session() as s:
            for a in s.scalars(select(BrokerAccount).where(BrokerAccount.enabled)
                               .order_by(BrokerAccount.username)):
                grants = service_grants(ServiceRole(a.role), a.site)
                out.append(BrokerEntry(Account(a.username, grants), a.broker_hash))
            q = (select(Device, Site.slug, Pond.slug).join(Site, Device.site_id == Site.id)
                 .join(Pond, Device.pond_id == Pond.id)
                 .where(Device.enabled, Device.broker_hash.is_not(None))
                 .order_by(Site.slug, Device.slug))
            for d, site_slug, pond_slug in s.execute(q):
                ref = DeviceRef(site_slug, pond_slug, d.slug)
                assert d.broker_hash is not None
                out.append(BrokerEntry(Account(device_username(site_slug, d.slug),
                                               device_grants(ref)), d.broker_hash))
        return out

    def verify(self, username: str, password: str) -> bool:
        """Check a login against the Argon2id hash (enabled logins only)."""
        with self._session() as s:
            stored: str | None = None
            if "." in username:
                site, _, device = username.partition(".")
                d = s.scalar(select(Device).join(Site, Device.site_id == Site.id)
                             .where(Site.slug == site, Device.slug == device, Device.enabled))
                stored = d.password_hash if d is not None else None
            else:
                a = s.scalar(select(BrokerAccount).where(BrokerAccount.username == username,
                                                         BrokerAccount.enabled))
                stored = a.password_hash if a is not None else None
        if stored is None:
            return False
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
