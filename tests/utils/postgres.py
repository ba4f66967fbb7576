"""A fresh database on the real local PostgreSQL (127.0.0.1:5432) per test.

``make test`` starts or installs the server (scripts/ensure-os-deps.sh). Override
the server with ``KOLAM_TEST_POSTGRES_URL`` (an SQLAlchemy URL to any database on
it; the user must be allowed to create databases).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return os.environ.get("KOLAM_TEST_POSTGRES_URL", DEFAULT_SERVER)


class PostgresDatabases:
    """Creates and drops throw-away databases named ``kolam_test_<random>``."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            self.engine.dispose()
            raise RuntimeError(
                f"PostgreSQL is not reachable at {self.url.render_as_string()}: run `make test` "
                "(it starts or installs it) or set KOLAM_TEST_POSTGRES_URL") from exc

    def create(self) -> str:
        name = f"kolam_test_{secrets.token_hex(6)}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(server_url())
    yield databases
    databases.close()


@pytest.fixture
def postgres_url(postgres_server: PostgresDatabases) -> Iterator[str]:
    """An empty database for this test; dropped afterwards."""
    url = postgres_server.create()
    yield url
    postgres_server.drop(url)
