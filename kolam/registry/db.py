"""Registry engine and migrations (SQLite by default, PostgreSQL at scale)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from kolam.errors import NotFound
from kolam.security.files import private_file

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x6B6F6C616D  # "kolam": the advisory lock serialising migrations
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_file(Path(path))  # 0600 before SQLite opens it; -wal/-shm follow
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    """The newest migration, by the file-name convention ``NNNN_what.py`` with revision
    id ``NNNN``."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _at_head(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            head_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the registry schema up to ``revision`` (idempotent; safe to run at every start).

    Alembic (with Mako and Pygments, about 11 MB per process) is loaded only when there
    is something to migrate: every service calls this at start."""
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several API/ingest processes may start at once against one PostgreSQL:
            # one migrates, the others wait here and then find the schema up to date.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def one(s: Session, query: Select[T], missing: str) -> T:
    """The query's one row, or ``NotFound(missing)`` (a 404 in the API)."""
    row = s.scalar(query)
    if row is None:
        raise NotFound(missing)
    return row
