"""Response models generated from the core's record dataclasses (``kolam.registry.fields``).

``@public_of(LogInfo)`` over an empty ``class LogPublic(BaseModel)`` makes ``LogPublic`` a
model with the record's fields in the record's order: epoch-ms times (``at``, ``*_at``,
``*_t``) become ISO 8601 UTC text, tuples lists, nested records their own generated model,
and ``Shown`` gives the description and the public name, or hides the field. What the class
body declares is the API's own: a field of the record it redefines keeps the record's place
(members' names, null for those who may not see them); any other is added at the end
(``first`` moves named fields to the front, where the API has always had them). ``public``
turns a record into its response model (``from_attributes``).
"""

from __future__ import annotations

import functools
import operator
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, cast

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from kolam.registry.fields import RecordField, record_fields
from kolam.timeutil import iso

M = TypeVar("M", bound=BaseModel)

_MODELS: dict[type, type[BaseModel]] = {}
"""Each record dataclass's generated model, for the records nested in others."""


def _iso(value: Any) -> Any:
    return iso(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _shown_type(hint: Any) -> Any:
    """The response type of a record's field type."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, [_shown_type(a) for a in args])
    if origin is tuple:
        return list[_shown_type(args[0])]  # type: ignore[misc]
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        if hint not in _MODELS:
            raise TypeError(f"generate the response model of {hint.__name__} first")
        return _MODELS[hint]
    return hint


def _field(f: RecordField) -> tuple[Any, FieldInfo]:
    hint = _shown_type(f.type)
    if f.time:
        hint = typing.Annotated[str if f.type is int else str | None, BeforeValidator(_iso)]
    alias = AliasChoices(f.public, f.name) if f.public != f.name else None
    return hint, Field(description=f.doc, validation_alias=alias)


def public_of(record: type, *, first: tuple[str, ...] = ()) -> Callable[[type[M]], type[M]]:
    """A class decorator: the response model of ``record`` under the class's name."""
    def generate(cls: type[M]) -> type[M]:
        own: dict[str, tuple[Any, FieldInfo]] = {
            name: (info.annotation, info) for name, info in cls.model_fields.items()}
        fields = {f.public: own.pop(f.public) if f.public in own else _field(f)
                  for f in record_fields(record) if not f.hidden}
        fields |= own
        order = [*first, *(name for name in fields if name not in first)]
        model = create_model(cls.__name__, __config__=ConfigDict(from_attributes=True),
                             __doc__=cls.__doc__, __module__=cls.__module__,
                             **{name: fields[name] for name in order})  # type: ignore[call-overload]
        model.__qualname__ = cls.__qualname__
        _MODELS[record] = model
        return cast(type[M], model)
    return generate


class _With:
    """A record seen with some attributes replaced or added."""

    def __init__(self, record: object, extra: dict[str, Any]) -> None:
        self._record, self._extra = record, extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._record, name)


def public(record: object, model: type[M], **extra: Any) -> M:
    """A record as its response model; ``extra`` sets fields the record does not hold."""
    return model.model_validate(_With(record, extra) if extra else record, from_attributes=True)
