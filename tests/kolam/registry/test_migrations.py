"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL,
and several processes may start against one PostgreSQL at the same time."""

from __future__ import annotations

import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kolam.registry.db import alembic_config, make_engine, migrate
from kolam.registry.models import Base
from kolam.registry.repo import Registry


def test_migrations_match_the_models(registry_url: str) -> None:
    engine = make_engine(registry_url)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_nothing_and_back(registry_url: str) -> None:
    engine = make_engine(registry_url)
    migrate(engine)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert {"sites", "ponds", "devices", "dead_letters"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


_PROCESS = """
import sys
from kolam.protocol import DeviceRef
from kolam.registry.repo import Registry
r = Registry(sys.argv[1])
print(r.check_device(DeviceRef("serang", "kolam-1", "node-1"), auto_provision=True))
r.close()
"""


def test_several_processes_start_at_once_on_postgresql(postgres_url: str) -> None:
    """API processes behind a load balancer start together: one migrates, the others
    wait for it; they register the same new device once."""
    procs = [subprocess.Popen([sys.executable, "-c", _PROCESS, postgres_url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [(p.returncode, out.strip()) for p, (out, _) in zip(procs, outputs, strict=True)
            ] == [(0, "accepted")] * 4, [err[-500:] for _, err in outputs]
    registry = Registry(postgres_url)
    assert [d.slug for d in registry.devices("serang")] == ["node-1"]
    registry.close()
