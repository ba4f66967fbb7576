"""Schemathesis over the OpenAPI document, in process: every operation with generated
parameters and bodies, as an admin, as an admin of site A only, and as a kiosk and dinas
user.

Asserted for every response: no 5xx, nothing a kiosk or dinas user receives contains a
member's full name or registration number (``SECRETS``, seeded by the farm), and the
admin of site A never receives site B's, never succeeds in changing a user or key
outside its site, and never gets the global admin's or site B's users listed. Each case
is sent as generated (random ids: the not-found and validation paths), and with the
path's ids replaced by real ones so the restricted calls reach real teams, members,
cycles and users rather than stopping at a 404; the site admin's calls are also sent
aimed at the global admin and at site B.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.utils.farm import SECRETS, SITE_A, SITE_B, Farm, module_farm

LEAKS = [text for pair in SECRETS.values() for text in pair]
RESTRICTED = ("kiosk", "dinas")
SITE_ADMIN = "admin_a"
OUTSIDE = ("admin", "officer_b")
"""Users the admin of site A may not act on."""
ENDS_LOGIN = ("/api/v1/auth/logout", "/api/v1/auth/logout-all")
"""Not fuzzed: they would end the logins the other cases use (tests/api/test_credentials.py
covers them; they take no parameters or body)."""
EXAMPLES = 12
"""Per operation, positive and negative cases mixed; ~50 operations, each sent 4 times."""


@pytest.fixture(scope="module")
def fuzz_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with module_farm(tmp_path_factory.mktemp("fuzz") / "data") as farm:
        yield farm


def _real_path(farm: Farm, generated: dict[str, Any]) -> dict[str, Any]:
    ids = farm.ids[SITE_A]
    real = {"site": SITE_A, "pond": "kolam-1", "team": ids["team"], "member": ids["member"],
            "cycle": ids["cycle"], "username": "officer", "alert": 1, "silence": 1}
    return {name: real.get(name, value) for name, value in generated.items()}


def _call(case: Any, farm: Farm, role: str, seen: Counter[tuple[str, int]]) -> Any:
    response = case.call(headers=farm.as_(role))
    seen[role, response.status_code] += 1
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} as {role}: {response.status_code}\n"
        f"{response.text[:500]}")
    return response


def _check_site_admin(case: Any, farm: Farm, seen: Counter[tuple[str, int]]) -> None:
    """As the admin of site A: its own site's calls, then the same aimed outside it."""
    aims: list[dict[str, Any]] = [{}]
    if "site" in case.path_parameters:
        aims.append({"site": SITE_B})
    if "username" in case.path_parameters:
        aims += [{"username": name} for name in OUTSIDE]
    base = dict(case.path_parameters)
    for aim in aims:
        case.path_parameters = base | aim
        response = _call(case, farm, SITE_ADMIN, seen)
        where = f"{case.method} {case.formatted_path} as {SITE_ADMIN}"
        for secret in SECRETS[SITE_B]:
            assert secret not in response.text, f"{where} leaked {secret!r}"
        if aim:  # refused, whichever way (403, or a malformed case's 4xx first)
            assert not 200 <= response.status_code < 300, f"{where}: {response.text}"
        if case.method == "GET" and case.path == "/api/v1/users" and response.status_code == 200:
            assert not {u["username"] for u in response.json()} & {*OUTSIDE}, where
        if isinstance(case.body, dict) and case.path == "/api/v1/users" and \
                case.method == "POST" and response.status_code == 201:
            wanted = set(case.body.get("sites") or [])
            assert wanted and wanted <= {SITE_A}, f"{where} made {case.body}"
            assert case.body.get("username") not in OUTSIDE, f"{where} changed {case.body}"
    case.path_parameters = base


def _check(case: Any, farm: Farm, seen: Counter[tuple[str, int]]) -> None:
    _call(case, farm, "admin", seen)
    if case.path_parameters:
        case.path_parameters = _real_path(farm, case.path_parameters)
        _call(case, farm, "admin", seen)
    for role in RESTRICTED:
        text = _call(case, farm, role, seen).text
        for secret in LEAKS:
            assert secret not in text, f"{case.method} {case.formatted_path} leaked to {role}"
    _check_site_admin(case, farm, seen)


def test_no_errors_no_leaks(fuzz_farm: Farm) -> None:
    # Schemathesis' own pytest plugin (``from_fixture``) does not work with pytest 9 yet,
    # so each operation's strategy is driven by Hypothesis here directly.
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_farm.client.app)
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if op.path not in ENDS_LOGIN]
    assert len(operations) > 40  # the whole API, not an empty document
    seen: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            _check(case, fuzz_farm, seen)

        run()
    # The restricted roles really read data (not only 403s and 404s), so the leak check
    # above looked at real responses.
    assert seen["kiosk", 200] > 50 and seen["dinas", 200] > 50, seen
    assert seen[SITE_ADMIN, 200] > 50 and seen[SITE_ADMIN, 403] > 50, seen


def _hostile(body: Any) -> list[str]:
    """The body as JSON text with, in turn, its first string a lone surrogate and its first
    number NaN and 1e999: what Python's json module accepts but no store can hold."""
    text = json.dumps(body)
    variants = []
    string = re.search(r'(?<=: )"(?:[^"\\]|\\.)*"', text)
    if string:
        variants.append(text[:string.start()] + '"\\ud800"' + text[string.end():])
    number = re.search(r"(?<=: )-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[,}\]])", text)
    if number:
        for bad in ("NaN", "1e999"):
            variants.append(text[:number.start()] + bad + text[number.end():])
    return variants


def test_hostile_json_bodies_are_json_422s(fuzz_farm: Farm) -> None:
    """Every operation with a JSON body: one hostile value in an otherwise valid body is a
    422 whose answer is strict JSON (issue #15: these were 500s)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_farm.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    sent: Counter[int] = Counter()
    for operation in operations:
        if not operation.body:
            continue

        @given(case=operation.as_strategy(GenerationMode.POSITIVE))
        @settings(max_examples=3, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            if case.path_parameters:
                case.path_parameters = _real_path(fuzz_farm, case.path_parameters)
            for text in _hostile(case.body):
                r = fuzz_farm.client.request(
                    case.method, case.formatted_path, content=text,
                    headers={**fuzz_farm.as_("admin"), "Content-Type": "application/json"})
                sent[r.status_code] += 1
                assert r.status_code == 422, (case.method, case.formatted_path, text, r.text)
                json.loads(r.text, parse_constant=_refuse_constant)

        run()
    assert sent[422] > 30, sent  # the bodies really had strings and numbers to spoil


def _refuse_constant(constant: str) -> None:
    raise AssertionError(f"{constant} in a response")
