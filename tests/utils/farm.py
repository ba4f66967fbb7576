"""An API over two sites with teams, members, a cycle and its records, and a user per role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kolam.config import KolamConfig, load_config
from kolam.farming.kpi import DAY_MS
from kolam.registry.cycles import Cycles
from kolam.registry.entries import Entries
from kolam.registry.records import (
    CostCategory,
    LogKind,
    NewCost,
    NewCycle,
    NewHarvest,
    NewLog,
    NewMember,
    NewTeam,
    Programme,
)
from kolam.registry.repo import Registry
from kolam.registry.teams import Teams
from kolam.security.auth import Role
from kolam.store import SqliteStore
from kolam.timeutil import now_ms
from tests.utils.auth import add_user, login

SITE_A, SITE_B = "serang", "pandeglang"
# Distinctive so that a leak in any response is found by a plain substring search.
SECRETS = {SITE_A: ("Ahmad Rahasia Fiktif", "REG-A-9931"),
           SITE_B: ("Bambang Rahasia Fiktif", "REG-B-7710")}
ROLES = {"admin": (Role.ADMIN, ()), "officer": (Role.OFFICER, (SITE_A,)),
         "dinas": (Role.DINAS, (SITE_A,)), "kiosk": (Role.KIOSK, (SITE_A,)),
         "officer_b": (Role.OFFICER, (SITE_B,)), "admin_a": (Role.ADMIN, (SITE_A,)),
         "trainer": (Role.TRAINER, (SITE_A,))}


@dataclass
class Farm:
    client: TestClient
    registry: Registry
    store: SqliteStore
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_(self, role: str) -> dict[str, str]:
        return self.headers.get(role, {})


def seed_site(registry: Registry, site: str, now: int) -> dict[str, int]:
    registry.ensure_pond(site, "kolam-1", site_name=site.title())
    registry.ensure_pond(site, "kolam-2")
    teams, cycles, entries = Teams(registry.engine), Cycles(registry.engine), Entries(
        registry.engine)
    start = now - 40 * DAY_MS
    team = teams.add_team(site, NewTeam("Lele Jaya", Programme.LELE_GROWOUT, start,
                                        ("Pak Instruktur",)))
    name, reg = SECRETS[site]
    member = teams.add_member(site, team.id, NewMember(reg, "Anggota 1", start, name))
    cycle = cycles.start(site, "kolam-1", NewCycle(team.id, start + DAY_MS, 1000, 2.0,
                                                    seed_cost_rp=300_000))
    entries.add_log(site, cycle.id, NewLog(LogKind.FEEDING, start + 2 * DAY_MS, member.id,
                                           feed_kg=0.2), "seed")
    entries.add_log(site, cycle.id, NewLog(LogKind.SAMPLING, start + 20 * DAY_MS, member.id,
                                           sample_count=10, sample_weight_g=200.0), "seed")
    entries.add_harvest(site, cycle.id, NewHarvest(start + 30 * DAY_MS, 5.0, count=100,
                                                   price_per_kg_rp=20_000,
                                                   member_ids=(member.id,)), "seed")
    entries.add_cost(site, cycle.id, NewCost(start + 3 * DAY_MS, CostCategory.FEED, 380_000),
                     "seed")
    return {"team": team.id, "member": member.id, "cycle": cycle.id}


@contextmanager
def farm_app(make_config: Callable[..., KolamConfig]) -> Iterator[Farm]:
    config = make_config()
    store = SqliteStore(config.samples_path)
    registry = Registry(config.registry_url)
    now = now_ms()
    try:
        ids = {site: seed_site(registry, site, now) for site in (SITE_A, SITE_B)}
        for name, (role, sites) in ROLES.items():
            add_user(registry, name, role, sites)
        with TestClient(create_app(config, store, registry)) as client:
            farm = Farm(client, registry, store, ids)
            farm.headers = {name: login(client, name) for name in ROLES}
            yield farm
    finally:
        store.close()
        registry.close()


@contextmanager
def module_farm(data: Path) -> Iterator[Farm]:
    """``farm_app`` for a module-scoped fixture: the config comes from defaults and ``data``
    alone, whatever ``KOLAM_*`` variables the developer's shell has set."""
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("KOLAM_"):
                mp.delenv(key)

        def make(**overrides: object) -> KolamConfig:
            return load_config(None, **({"data_dir": data} | overrides))

        with farm_app(make) as farm:
            yield farm
