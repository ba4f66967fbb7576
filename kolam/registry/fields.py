"""One definition per record family: the frozen dataclass, read from its row and shown by the API.

A record family (team, member, cycle, log, harvest, cost, alert, silence, notification, API
key, audit entry, the KPIs, the monthly report) is written once, as a frozen dataclass
(``kolam.registry.records``, ``kolam.registry.alerts``, ``kolam.registry.users``,
``kolam.farming.kpi``, ``kolam.farming.monthly``). Its table row is read into it by field name
(``from_row``; ``columns`` gives a new record's column values), and the API's response model
is generated from its fields (``api.public``): a field added to the dataclass (and, for a
stored record, to its table) reaches the API with no other edit. ``Shown`` in a field's
``Annotated`` metadata says how the API names and describes it; epoch-ms times (``at``,
``*_at``, ``*_t``) are shown as ISO 8601 UTC text.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class Shown:
    """How the API shows a record field: its description, another name, or not at all."""

    doc: str | None = None
    name: str | None = None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class RecordField:
    name: str
    """The dataclass attribute."""
    public: str
    """The API's name for it."""
    type: Any
    """The annotation, without ``Annotated``."""
    doc: str | None
    hidden: bool

    @property
    def time(self) -> bool:
        """Epoch ms by its name and type: the API shows it as ISO 8601 UTC text."""
        named = self.name == "at" or self.name.endswith(("_at", "_t"))
        return named and self.type in (int, int | None)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


@functools.cache
def record_fields(cls: type[DataclassInstance]) -> tuple[RecordField, ...]:
    """The fields of a record dataclass in definition order, with their ``Shown`` marks."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found = []
    for f in dataclasses.fields(cls):
        hint, shown = hints[f.name], Shown()
        if typing.get_origin(hint) is Annotated:
            hint, *meta = typing.get_args(hint)
            shown = next((m for m in meta if isinstance(m, Shown)), shown)
        found.append(RecordField(f.name, shown.name or f.name, hint, shown.doc, shown.hidden))
    return tuple(found)


def _caster(hint: Any) -> Callable[[Any], Any] | None:
    """How a column's value becomes the field's type: enums from their value, tuples from
    lists; None where the value is taken as it is."""
    args = typing.get_args(hint)
    if _is_union(hint):
        inner = [a for a in args if a is not type(None)]
        cast_one = _caster(inner[0]) if len(inner) == 1 else None
        if cast_one is None:
            return None
        return lambda v: None if v is None else cast_one(v)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if typing.get_origin(hint) is tuple:
        return tuple
    return None


@functools.cache
def _readers(cls: type[DataclassInstance]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    return tuple((f.name, _caster(f.type)) for f in record_fields(cls))


def from_row(cls: type[R], row: object, **given: object) -> R:
    """A record from the attributes of the same names on ``row`` (an ORM row); ``given``
    supplies the fields the row does not hold (joined names, counts, renamed columns)."""
    values = {}
    for name, cast_to in _readers(cls):
        value = given[name] if name in given else getattr(row, name)
        values[name] = value if cast_to is None else cast_to(value)
    record: R = cast(Any, cls)(**values)
    return record


def columns(record: DataclassInstance, *, leave: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record's fields as the column values of its row, by name: enums as their values,
    tuples as lists; ``leave`` names the fields the row does not store as they are."""
    values = {}
    for f in dataclasses.fields(record):
        if f.name in leave:
            continue
        value = getattr(record, f.name)
        values[f.name] = (value.value if isinstance(value, enum.Enum)
                          else list(value) if isinstance(value, tuple) else value)
    return values
