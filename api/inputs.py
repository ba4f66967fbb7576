"""Input the JSON standard does not allow is refused with 422, and every 422 is valid JSON.

Python's ``json`` module accepts ``NaN``, ``Infinity`` and numbers such as ``1e999``
(parsed as infinity), and lone UTF-16 surrogates such as ``"\\ud800"`` that no UTF-8 text,
database or CSV can hold. Found by the probe of issue #15: a lone surrogate in any string
gave a 500 when the record was stored, and a NaN in an invalid body gave a 500 because
FastAPI's 422 answer echoes the input and cannot serialise it.

``StrictJson`` checks every JSON request body once, before the application parses it, so
the rule holds for every route, present and future; ``validation_error`` makes the 422
answer itself JSON-safe whatever the input was.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SURROGATE = re.compile("[\ud800-\udfff]")
Loc = tuple[str | int, ...]


class _Refused(ValueError):
    def __init__(self, kind: str, msg: str, loc: Loc = ()) -> None:
        super().__init__(msg)
        self.kind, self.msg, self.loc = kind, msg, loc


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("finite_number", f"{text} is too large for a number")
    return value


def _constant(text: str) -> float:
    raise _Refused("finite_number", f"{text} is not a number JSON allows")


def check_json(body: bytes) -> None:
    """Raise ``_Refused`` for non-finite numbers or lone surrogates; pass anything else.

    A body that is not JSON at all is left to FastAPI, whose 422 already says so.
    """
    try:
        value = json.loads(body, parse_float=_finite, parse_constant=_constant)
    except _Refused:
        raise
    except (ValueError, RecursionError):
        return
    stack: list[tuple[Loc, Any]] = [((), value)]
    while stack:  # iterative: a deeply nested body must not exhaust the stack
        loc, item = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                raise _Refused("string_unicode", "a lone UTF-16 surrogate is not text", loc)
        elif isinstance(item, dict):
            for k, v in item.items():
                if SURROGATE.search(k):
                    raise _Refused("string_unicode", "a lone UTF-16 surrogate is not text", loc)
                stack.append(((*loc, k), v))
        elif isinstance(item, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(item))


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI would parse this body as JSON: a JSON type, or none at all."""
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (media.startswith(b"application/")
                                                     and media.endswith(b"+json"))
    return True


class StrictJson:
    """Refuse JSON bodies with NaN, Infinity, overflowing numbers or lone surrogates (422).

    The body is read whole (the outer ``BodyLimit`` bounds it to 1 MiB), checked, and
    handed on unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_json(body)
        except _Refused as exc:
            detail = [{"type": exc.kind, "loc": ["body", *exc.loc], "msg": exc.msg}]
            await JSONResponse({"detail": detail}, status_code=422)(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body,
                                        "more_body": False}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


def _json_safe(value: Any) -> Any:
    """``value`` with non-finite floats as text and lone surrogates escaped."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str) and SURROGATE.search(value):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_json_safe(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 answer, made JSON-safe (the input it echoes may hold NaN or worse)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))},
                        status_code=422)
