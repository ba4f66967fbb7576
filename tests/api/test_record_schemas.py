"""The response schemas of the record routes are contracts: pinned, and generated from the
records so that a field added to a record reaches the API.

``data/record_schemas.json`` holds, for every operation of the record routes (teams,
members, cycles, records, KPIs, alerts, reports, users), its success responses' schemas and
every component they reach, as ``app.openapi()`` gave them before the response models were
generated from the records (issue #16 item 4). A changed field name, type, order, or a lost
field fails here; a new operation does not. To pin a deliberate change of the contract:
``python -m tests.api.test_record_schemas`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from api.app import create_app
from api.public import public, public_of
from kolam.config import load_config
from kolam.registry.fields import Shown, record_fields
from kolam.registry.records import CycleInfo, LogInfo, LogKind
from kolam.registry.repo import Registry
from kolam.store import SqliteStore

PIN = Path(__file__).parent / "data" / "record_schemas.json"
TAGS = {"teams", "members", "cycles", "records", "kpis", "alerts", "reports", "users",
        "business"}
API_ONLY = {"active", "water_now", "water_compliance_pct", "team_id", "receipt"}
"""Response fields no record holds: a property, what the route reads from the store, a path
parameter."""


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def record_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """The success responses of the record routes and the components they reach."""
    responses: dict[str, Any] = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if not TAGS & set(op.get("tags", ())):
                continue
            for status, response in op.get("responses", {}).items():
                if status.startswith("2") and "content" in response:
                    responses[f"{method.upper()} {path} {status}"] = response["content"]
    components, todo = spec["components"]["schemas"], list(_refs(responses))
    reached: dict[str, Any] = {}
    while todo:
        name = todo.pop()
        if name not in reached:
            reached[name] = components[name]
            todo.extend(_refs(components[name]))
    return {"responses": responses, "components": dict(sorted(reached.items()))}


def _openapi(data: Path) -> dict[str, Any]:
    config = load_config(None, data_dir=data)
    store, registry = SqliteStore(config.samples_path), Registry(config.registry_url)
    try:
        return create_app(config, store, registry).openapi()
    finally:
        store.close()
        registry.close()


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("KOLAM_")]:
            mp.delenv(key)
        return _openapi(tmp_path_factory.mktemp("openapi") / "data")


def test_record_response_schemas_are_as_pinned(spec: dict[str, Any]) -> None:
    pinned, now = json.loads(PIN.read_text()), record_schemas(spec)
    assert len(pinned["responses"]) >= 40
    for key, content in pinned["responses"].items():
        assert now["responses"].get(key) == content, key
    for name, schema in pinned["components"].items():
        now_schema = spec["components"]["schemas"].get(name)
        assert now_schema == schema, name
        # Field order too: it is the JSON's key order and the order of "required".
        assert list(now_schema.get("properties", ())) == list(schema.get("properties", ())), name


def test_every_record_field_is_in_its_response_model() -> None:
    """Each generated model carries its record's shown fields under their public names, and
    adds only the few the API computes itself."""
    import api.public

    assert len(api.public._MODELS) >= 16
    for record, model in api.public._MODELS.items():
        shown = {f.public for f in record_fields(record) if not f.hidden}
        fields = set(model.model_fields)
        assert shown <= fields, record.__name__
        assert fields - shown <= API_ONLY, record.__name__


@dataclasses.dataclass(frozen=True, slots=True)
class _GrownLog(LogInfo):
    """LogInfo with a field added, as a future change would add it."""

    water_temp_c: Annotated[float | None, Shown("Water temperature at feeding")] = None
    checked_at: int | None = None


def test_a_field_added_to_a_record_reaches_the_api() -> None:
    @public_of(_GrownLog, first=("id", "cycle_id"))
    class GrownLogPublic(BaseModel):
        pass

    app = FastAPI()

    @app.get("/log", response_model=GrownLogPublic)
    def log() -> GrownLogPublic:
        return public(_GrownLog(LogKind.FEEDING, 1_700_000_000_000, feed_kg=1.5, id=7,
                                cycle_id=3, recorded_by="officer", water_temp_c=28.5,
                                checked_at=1_700_000_060_000), GrownLogPublic)

    schema = app.openapi()["components"]["schemas"]["GrownLogPublic"]
    assert schema["properties"]["water_temp_c"]["description"] == "Water temperature at feeding"
    assert schema["properties"]["checked_at"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert list(schema["properties"])[:2] == ["id", "cycle_id"]
    from fastapi.testclient import TestClient

    body = TestClient(app).get("/log").json()
    assert body["water_temp_c"] == 28.5
    assert body["checked_at"] == "2023-11-14T22:14:20.000Z"
    assert body["at"] == "2023-11-14T22:13:20.000Z"
    assert body["kind"] == "feeding" and body["feed_kg"] == 1.5


def test_properties_and_renames_reach_the_api() -> None:
    cycle = CycleInfo(1, "serang", "kolam-1", 2, "Lele Jaya", 0, 1000, 2.0, None, "", 0.0,
                      8.0, None, None)
    from api.farm_schemas import CyclePublic

    shown = public(cycle, CyclePublic)
    assert shown.active is True and shown.stocked_at == "1970-01-01T00:00:00.000Z"


if __name__ == "__main__":
    import tempfile

    pinned = record_schemas(_openapi(Path(tempfile.mkdtemp()) / "data"))
    PIN.write_text(json.dumps(pinned, indent=1, ensure_ascii=False) + "\n")
    print(f"pinned {len(pinned['responses'])} responses, {len(pinned['components'])} "
          f"components in {PIN}", file=sys.stderr)


def test_a_request_body_becomes_its_record_by_field_name() -> None:
    from datetime import UTC, datetime

    from api.farm_schemas import HarvestCreate, TeamCreate, new_record
    from kolam.registry.records import NewHarvest, NewTeam
    from kolam.timeutil import now_ms

    before = now_ms()
    team = new_record(TeamCreate(name="Lele Jaya", instructors=["Pak Budi"]), NewTeam)
    assert before <= team.starts_at <= now_ms() and team.ends_at is None
    assert team.instructors == ("Pak Budi",)
    harvest = new_record(HarvestCreate(at=datetime(2026, 1, 15, tzinfo=UTC), kg=25.0,
                                       member_ids=[3]), NewHarvest)
    assert harvest == NewHarvest(1_768_435_200_000, 25.0, member_ids=(3,))
