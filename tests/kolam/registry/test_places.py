"""Sites and ponds as records (issue #19), on SQLite and PostgreSQL: created, completed
after auto-provisioning, and every implausible value refused with a message naming it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from kolam.errors import InvalidRecord, NotFound
from kolam.places import PondKind, PondShape, SiteKind, SitePlace, site_zone
from kolam.protocol import DeviceRef
from kolam.registry.db import make_engine, migrate
from kolam.registry.places import Places
from kolam.registry.repo import DeviceCheck, Registry

JAYAPURA = SitePlace(name="Lapas Kelas IIA Abepura", kind=SiteKind.LAPAS, province="Papua",
                     regency="Kota Jayapura", lat=-2.60, lon=140.67, timezone="Asia/Jayapura",
                     altitude_m=20.0)


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    r = Registry(registry_url)
    yield r
    r.close()


def test_a_site_and_pond_with_their_place_and_shape(registry: Registry) -> None:
    places = Places(registry.engine)
    places.add_site("abepura", JAYAPURA)
    places.add_pond("abepura", "kolam-1", PondShape(name="Kolam Bundar 1",
                                                    kind=PondKind.TARPAULIN, area_m2=7.1,
                                                    depth_cm=120, min_level_cm=60))
    s = registry.site("abepura")
    assert (s.name, s.kind, s.province, s.regency, s.lat, s.lon, s.timezone, s.altitude_m) == (
        "Lapas Kelas IIA Abepura", "lapas", "Papua", "Kota Jayapura", -2.60, 140.67,
        "Asia/Jayapura", 20.0)
    p = registry.pond("abepura", "kolam-1")
    assert (p.name, p.kind, p.area_m2, p.depth_cm, p.min_level_cm, p.active) == (
        "Kolam Bundar 1", "tarpaulin", 7.1, 120, 60, True)
    with pytest.raises(InvalidRecord, match="exists already"):
        places.add_site("abepura", SitePlace())
    with pytest.raises(InvalidRecord, match="exists already"):
        places.add_pond("abepura", "kolam-1", PondShape())


def test_an_auto_provisioned_pond_is_completed_later(registry: Registry) -> None:
    assert registry.check_device(DeviceRef("makassar", "k-9", "node-1"),
                                 auto_provision=True) is DeviceCheck.ACCEPTED
    bare = registry.site("makassar")
    assert (bare.name, bare.kind, bare.timezone, bare.lat) == ("makassar", "other",
                                                               "Asia/Jakarta", None)
    assert registry.pond("makassar", "k-9").active and registry.pond("makassar", "k-9").kind \
        is None
    places = Places(registry.engine)
    places.update_site("makassar", SitePlace(name="Rutan Makassar", kind=SiteKind.RUTAN,
                                             timezone="Asia/Makassar", lat=-5.14, lon=119.42))
    places.update_pond("makassar", "k-9", PondShape(depth_cm=100, active=False))
    places.update_pond("makassar", "k-9", PondShape(min_level_cm=40))  # below the kept depth
    s, p = registry.site("makassar"), registry.pond("makassar", "k-9")
    assert (s.name, s.kind, s.timezone, s.lat, s.lon) == ("Rutan Makassar", "rutan",
                                                          "Asia/Makassar", -5.14, 119.42)
    assert (p.depth_cm, p.min_level_cm, p.active, p.name) == (100, 40, False, "k-9")
    # The device keeps publishing to the completed record.
    registry.forget_cache()
    assert registry.check_device(DeviceRef("makassar", "k-9", "node-1"),
                                 auto_provision=True) is DeviceCheck.ACCEPTED


@pytest.mark.parametrize(("place", "message"), [
    (SitePlace(lat=6.5), "lat must be between -11 and 6"),
    (SitePlace(lat=106.1), "lat must be between"),  # lat and lon swapped
    (SitePlace(lon=-106.1), "lon must be between 95 and 141"),
    (SitePlace(lon=float("nan")), "lon must be between"),
    (SitePlace(altitude_m=9000), "altitude_m"),
    (SitePlace(timezone="Asia/Serang"), "unknown time zone"),
    (SitePlace(timezone="../../etc/passwd"), "time zone"),
    (SitePlace(name="  "), "name must be"),
])
def test_implausible_sites_are_refused(registry: Registry, place: SitePlace,
                                       message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        Places(registry.engine).add_site("x", place)
    assert registry.sites() == []


def test_implausible_ponds_are_refused(registry: Registry) -> None:
    places = Places(registry.engine)
    places.add_site("serang", SitePlace())
    places.add_pond("serang", "k1", PondShape(depth_cm=100))
    for shape, message in ((PondShape(area_m2=0), "area_m2"), (PondShape(depth_cm=5000),
                                                               "depth_cm"),
                           (PondShape(min_level_cm=-1), "min_level_cm")):
        with pytest.raises(InvalidRecord, match=message):
            places.add_pond("serang", "k2", shape)
    with pytest.raises(InvalidRecord, match="below the pond's depth_cm"):
        places.add_pond("serang", "k2", PondShape(depth_cm=80, min_level_cm=80))
    with pytest.raises(InvalidRecord, match=r"below the pond's depth_cm \(100\)"):
        places.update_pond("serang", "k1", PondShape(min_level_cm=120))
    places.update_pond("serang", "k1", PondShape(min_level_cm=50))
    with pytest.raises(InvalidRecord, match=r"\(50\) must be below the pond's depth_cm \(40\)"):
        places.update_pond("serang", "k1", PondShape(depth_cm=40))
    with pytest.raises(InvalidRecord, match="names the gateway"):
        places.add_pond("serang", "gateway", PondShape())
    with pytest.raises(InvalidRecord, match="slug"):
        places.add_pond("serang", "Kolam 1", PondShape())
    with pytest.raises(NotFound):
        places.update_pond("serang", "nope", PondShape(area_m2=3))
    with pytest.raises(NotFound):
        places.add_pond("nowhere", "k1", PondShape())
    assert [p.slug for p in registry.ponds("serang")] == ["k1"]


def test_a_site_zone_never_fails() -> None:
    assert str(site_zone("Asia/Jayapura")) == "Asia/Jayapura"
    assert str(site_zone("Mars/Olympus")) == "Asia/Jakarta"
    assert str(site_zone(None)) == "Asia/Jakarta"


def test_migration_keeps_sites_ponds_and_devices(registry_url: str) -> None:
    """0007 on a registry of 0005 with an auto-provisioned site: the rows stay (no table
    copy cascading into ponds and devices) and read as a WIB site with an active pond."""
    engine = make_engine(registry_url)
    migrate(engine, "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (id, slug, name, altitude_m, created_at) "
                          "VALUES (1, 'serang', 'serang', 0, 0)"))
        conn.execute(text("INSERT INTO ponds (id, site_id, slug, name, area_m2, created_at) "
                          "VALUES (1, 1, 'kolam-1', 'kolam-1', 50, 0)"))
        conn.execute(text("INSERT INTO devices (id, site_id, pond_id, slug, enabled, "
                          "auto_provisioned, created_at) VALUES (1, 1, 1, 'node-1', true, "
                          "true, 0)"))
    migrate(engine)
    engine.dispose()
    registry = Registry(registry_url)
    try:
        s, p = registry.site("serang"), registry.pond("serang", "kolam-1")
        assert (s.kind, s.timezone, s.lat) == ("other", "Asia/Jakarta", None)
        assert (p.area_m2, p.active, p.kind, p.min_level_cm) == (50, True, None, None)
        assert [d.slug for d in registry.devices("serang")] == ["node-1"]
    finally:
        registry.close()
