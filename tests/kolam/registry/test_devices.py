"""Broker logins in the registry, on SQLite and PostgreSQL: shown once, kept as hashes,
rotated, disabled; and ingest's device cache expiring so a disable takes effect."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kolam.broker import passwd as broker_passwd
from kolam.broker.acl import Access, ServiceRole
from kolam.errors import NotFound
from kolam.protocol import DeviceRef
from kolam.registry.devices import BrokerLogins
from kolam.registry.models import BrokerAccount, Device
from kolam.registry.records import InvalidRecord
from kolam.registry.repo import DeviceCheck, Registry


@pytest.fixture
def logins(registry_url: str) -> Iterator[BrokerLogins]:
    b = BrokerLogins(Registry(registry_url))
    yield b
    b.close()


def test_a_new_device_gets_a_login_kept_only_as_hashes(logins: BrokerLogins,
                                                       registry_url: str) -> None:
    creds = logins.add_device("serang", "kolam-1", "node-1")
    assert creds.username == "serang.node-1"
    assert len(creds.password) >= 32
    r = Registry(registry_url)
    with r._session() as s:
        d = s.scalar(select(Device))
        assert d is not None
        stored = (d.password_hash or "") + (d.broker_hash or "")
        assert creds.password not in stored
        assert d.password_hash and d.password_hash.startswith("$argon2id$")
        assert d.broker_hash and broker_passwd.verify_password(d.broker_hash, creds.password)
    assert [p.slug for p in r.ponds("serang")] == ["kolam-1"]
    r.close()
    assert logins.verify("serang.node-1", creds.password)
    assert not logins.verify("serang.node-1", creds.password + "x")
    assert not logins.verify("serang.node-2", creds.password)


def test_adding_twice_or_elsewhere_is_refused(logins: BrokerLogins, registry_url: str) -> None:
    logins.add_device("serang", "kolam-1", "node-1")
    with pytest.raises(InvalidRecord, match="rotate"):
        logins.add_device("serang", "kolam-1", "node-1")
    with pytest.raises(InvalidRecord, match="belongs to pond 'kolam-1'"):
        logins.add_device("serang", "kolam-2", "node-1")
    r = Registry(registry_url)
    assert [p.slug for p in r.ponds("serang")] == ["kolam-1"]  # the refusal made no pond
    r.close()
    with pytest.raises(InvalidRecord, match="slug"):
        logins.add_device("serang", "Kolam 1", "node-9")
    with pytest.raises(NotFound):
        logins.rotate_device("serang", "node-9")


def test_an_auto_provisioned_device_can_be_given_a_login(logins: BrokerLogins,
                                                         registry_url: str) -> None:
    r = Registry(registry_url)
    r.check_device(DeviceRef("serang", "kolam-1", "node-1"), auto_provision=True)
    r.close()
    assert [d.has_credentials for d in logins.devices()] == [False]
    assert logins.broker_entries() == []
    logins.add_device("serang", "kolam-1", "node-1")
    assert [d.has_credentials for d in logins.devices("serang")] == [True]


def test_rotation_replaces_the_password(logins: BrokerLogins) -> None:
    old = logins.add_device("serang", "kolam-1", "node-1")
    new = logins.rotate_device("serang", "node-1")
    assert new.password != old.password
    assert logins.verify(new.username, new.password)
    assert not logins.verify(old.username, old.password)
    (entry,) = logins.broker_entries()
    assert broker_passwd.verify_password(entry.broker_hash, new.password)
    assert not broker_passwd.verify_password(entry.broker_hash, old.password)


def test_a_disabled_device_leaves_the_broker_and_ingest(logins: BrokerLogins,
                                                        registry_url: str) -> None:
    creds = logins.add_device("serang", "kolam-1", "node-1")
    logins.add_device("serang", "kolam-2", "node-2")
    logins.set_device_enabled("serang", "node-1", False)
    assert [e.account.username for e in logins.broker_entries()] == ["serang.node-2"]
    assert not logins.verify(creds.username, creds.password)
    r = Registry(registry_url)
    assert r.check_device(DeviceRef("serang", "kolam-1", "node-1"),
                          auto_provision=True) is DeviceCheck.DISABLED
    logins.set_device_enabled("serang", "node-1", True)
    assert r.check_device(DeviceRef("serang", "kolam-1", "node-1"),
                          auto_provision=True) is DeviceCheck.ACCEPTED
    r.close()


def test_ingest_trusts_an_accepted_device_only_for_the_cache_time(
        logins: BrokerLogins, registry_url: str) -> None:
    ref = DeviceRef("serang", "kolam-1", "node-1")
    logins.add_device(ref.site, ref.pond, ref.device)
    ingest = Registry(registry_url, device_cache_s=0.3)
    try:
        assert ingest.check_device(ref, auto_provision=False) is DeviceCheck.ACCEPTED
        logins.set_device_enabled(ref.site, ref.device, False)  # another process's write
        assert ingest.check_device(ref, auto_provision=False) is DeviceCheck.ACCEPTED  # cached
        time.sleep(0.35)
        assert ingest.check_device(ref, auto_provision=False) is DeviceCheck.DISABLED
        logins.set_device_enabled(ref.site, ref.device, True)
        # Refusals are not cached: re-enabling works at once.
        assert ingest.check_device(ref, auto_provision=False) is DeviceCheck.ACCEPTED
    finally:
        ingest.close()


def test_service_accounts(logins: BrokerLogins, registry_url: str) -> None:
    ingest = logins.set_service("ingest", ServiceRole.INGEST)
    gw = logins.set_service("gw-serang", ServiceRole.GATEWAY, "serang")
    with pytest.raises(InvalidRecord, match="one site"):
        logins.set_service("gw-x", ServiceRole.GATEWAY)
    with pytest.raises(InvalidRecord, match="slug"):
        logins.set_service("serang.node-1", ServiceRole.API)  # would shadow a device login
    again = logins.set_service("ingest", ServiceRole.INGEST, "serang")
    assert again.password != ingest.password and not logins.verify("ingest", ingest.password)
    assert logins.verify("gw-serang", gw.password)
    entries = {e.account.username: e.account.grants for e in logins.broker_entries()}
    assert [(g.access, g.topic) for g in entries["gw-serang"]] == [
        (Access.READWRITE, "kolam/v1/serang/#")]
    assert all("/serang/" in g.topic for g in entries["ingest"])
    logins.set_service_enabled("ingest", False)
    assert "ingest" not in {e.account.username for e in logins.broker_entries()}
    assert [(s.username, s.enabled) for s in logins.services()] == [
        ("gw-serang", True), ("ingest", False)]
    r = Registry(registry_url)
    with r._session() as s:
        assert all(gw.password not in a.password_hash + a.broker_hash
                   for a in s.scalars(select(BrokerAccount)))
    r.close()
