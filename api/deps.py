"""Dependencies shared by the routers: the config, store and registry of the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.store.base import TimeSeriesReader


def _config(request: Request) -> KolamConfig:
    return request.app.state.config  # type: ignore[no-any-return]


def _store(request: Request) -> TimeSeriesReader:
    return request.app.state.store  # type: ignore[no-any-return]


def _registry(request: Request) -> Registry:
    return request.app.state.registry  # type: ignore[no-any-return]


ConfigDep = Annotated[KolamConfig, Depends(_config)]
StoreDep = Annotated[TimeSeriesReader, Depends(_store)]
RegistryDep = Annotated[Registry, Depends(_registry)]
