"""Every route of the OpenAPI document, for every role: who gets in, who is kept out,
and that dinas, kiosk and trainer users never see a member's name or registration number; and
that an admin of one site (``admin_a``) acts only on that site's users, keys, audit
entries and dead letters.

A new route must be added to ``ALLOWED`` (the test fails otherwise): deciding who may
use it is part of adding it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kolam.config import KolamConfig
from kolam.registry.repo import DeadLetterIn
from kolam.registry.users import Users
from kolam.security.auth import Role
from kolam.timeutil import now_ms
from tests.utils.auth import login
from tests.utils.farm import SECRETS, SITE_A, SITE_B, Farm, farm_app

PUBLIC = "public"
SIGNED = "signed"
"""Authenticated by the caller's signature, not a login (Meta's WhatsApp webhook): absent
(404) while its secret is not configured, as in this farm."""
ALL = frozenset({"admin", "officer", "dinas", "kiosk", "trainer"})
STAFF = frozenset({"admin", "officer", "dinas"})
WRITERS = frozenset({"admin", "officer"})
LOGGERS = frozenset({"admin", "officer", "kiosk"})
ADMIN = frozenset({"admin"})
BOOK_READERS = frozenset({"admin", "officer", "dinas", "trainer"})
BOOKKEEPERS = frozenset({"admin", "officer", "trainer"})
"""The team's business (issue #20): the UMKM trainers write it, the Dinas reads it."""
S = "/api/v1/sites/{site}"

ALLOWED: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ALL,
    ("POST", "/api/v1/auth/logout-all"): ALL,
    ("GET", "/metrics"): ADMIN,  # or any client on the loopback interface
    ("GET", "/api/v1/deadletters"): ADMIN,
    ("GET", "/api/v1/users/me"): ALL,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{username}/api-keys"): ADMIN,
    ("GET", "/api/v1/users/{username}/api-keys"): ADMIN,
    ("DELETE", "/api/v1/users/{username}/api-keys/{key_id}"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/sites"): ALL,
    ("GET", S): ALL,
    ("GET", S + "/ponds"): ALL,
    ("GET", S + "/ponds/{pond}"): ALL,
    ("POST", "/api/v1/sites"): ADMIN,  # of every site, or a site admin for its own slug
    ("PATCH", S): ADMIN,
    ("POST", S + "/ponds"): ADMIN,
    ("PATCH", S + "/ponds/{pond}"): WRITERS,  # officers may edit their ponds (issue #19)
    ("GET", S + "/ponds/{pond}/series"): ALL,
    ("GET", S + "/ponds/{pond}/series.csv"): ALL,
    ("GET", S + "/ponds/{pond}/forecast"): ALL,
    ("GET", S + "/teams"): ALL,
    ("POST", S + "/teams"): WRITERS,
    ("GET", S + "/teams/{team}"): ALL,
    ("GET", S + "/teams/{team}/members"): STAFF,
    ("POST", S + "/teams/{team}/members"): WRITERS,
    ("GET", S + "/teams/{team}/kpis"): ALL,
    ("GET", S + "/members"): STAFF,
    ("GET", S + "/members/{member}"): STAFF,
    ("POST", S + "/members/{member}/status"): WRITERS,
    ("GET", S + "/members/{member}/skill-record"): STAFF,
    ("GET", S + "/members/{member}/skill-record.json"): STAFF,
    ("GET", S + "/ponds/{pond}/cycles"): ALL,
    ("POST", S + "/ponds/{pond}/cycles"): WRITERS,
    ("GET", S + "/cycles"): ALL,
    ("GET", S + "/cycles/{cycle}"): ALL,
    ("POST", S + "/cycles/{cycle}/end"): WRITERS,
    ("GET", S + "/cycles/{cycle}/logs"): ALL,
    ("POST", S + "/cycles/{cycle}/logs"): LOGGERS,
    ("GET", S + "/cycles/{cycle}/harvests"): ALL,
    ("POST", S + "/cycles/{cycle}/harvests"): WRITERS,
    ("GET", S + "/cycles/{cycle}/costs"): STAFF,
    ("POST", S + "/cycles/{cycle}/costs"): WRITERS,
    ("PATCH", S + "/cycles/{cycle}/logs/{log}"): WRITERS,
    ("DELETE", S + "/cycles/{cycle}/logs/{log}"): LOGGERS,  # the kiosk: its own, 30 min
    ("PATCH", S + "/cycles/{cycle}/harvests/{harvest}"): WRITERS,
    ("DELETE", S + "/cycles/{cycle}/harvests/{harvest}"): WRITERS,
    ("PATCH", S + "/cycles/{cycle}/costs/{cost}"): WRITERS,
    ("DELETE", S + "/cycles/{cycle}/costs/{cost}"): WRITERS,
    ("GET", S + "/cycles/{cycle}/kpis"): ALL,
    ("GET", S + "/reports/monthly"): STAFF,
    ("GET", S + "/reports/monthly.csv"): STAFF,
    ("GET", S + "/reports/monthly.html"): STAFF,
    ("GET", "/api/v1/reports/national"): STAFF,
    ("GET", "/api/v1/reports/national.csv"): STAFF,
    ("GET", "/api/v1/reports/national.html"): STAFF,
    ("GET", "/api/v1/alerts"): ALL,
    ("GET", S + "/alerts"): ALL,
    ("GET", S + "/alerts/{alert}"): ALL,
    ("GET", S + "/alerts/{alert}/notifications"): STAFF,
    # The Dinas too only with alerts.dinas_may_acknowledge (tests/api/pages/test_roles.py).
    ("POST", S + "/alerts/{alert}/ack"): WRITERS,
    ("GET", S + "/silences"): ALL,
    ("POST", S + "/silences"): WRITERS,
    ("DELETE", S + "/silences/{silence}"): WRITERS,
    ("GET", "/api/v1/webhooks/whatsapp"): SIGNED,
    ("POST", "/api/v1/webhooks/whatsapp"): SIGNED,
    # h9-control2 (#18): relay outputs. The kiosk switches only where kiosk_switch_sites
    # names the site (not in this farm).
    ("GET", S + "/ponds/{pond}/outputs"): ALL,
    ("GET", S + "/ponds/{pond}/outputs/history"): ALL,
    ("POST", S + "/ponds/{pond}/outputs/{device}/{output}"): WRITERS,
    # #18 items 3 and 4: back to automatic (the kiosk as for a switch), a node's interval.
    ("POST", S + "/ponds/{pond}/outputs/{device}/{output}/auto"): WRITERS,
    ("GET", S + "/ponds/{pond}/devices/{device}/interval"): ALL,
    ("POST", S + "/ponds/{pond}/devices/{device}/interval"): WRITERS,
    # round (#17 item 5): probe care; the trainees record it at the kiosk.
    ("GET", S + "/ponds/{pond}/maintenance"): ALL,
    ("POST", S + "/ponds/{pond}/maintenance"): LOGGERS,
    ("GET", S + "/ponds/{pond}/maintenance/due"): ALL,
    ("DELETE", S + "/ponds/{pond}/maintenance/{entry}"): WRITERS,
    # roster (#21): a user's own contacts (not the kiosk's), anyone's for an admin; the
    # roster read by the staff, changed by admins and officers.
    ("GET", "/api/v1/users/me/contacts"): STAFF,
    ("PUT", "/api/v1/users/me/contacts"): STAFF,
    ("GET", "/api/v1/users/{username}/contacts"): ADMIN,
    ("PUT", "/api/v1/users/{username}/contacts"): ADMIN,
    ("GET", S + "/roster"): STAFF,
    ("GET", S + "/roster/on-duty"): STAFF,
    ("POST", S + "/roster"): WRITERS,
    ("DELETE", S + "/roster/{shift}"): WRITERS,
    ("POST", "/api/v1/webhooks/telegram"): SIGNED,  # the ack button's taps
    ("POST", "/api/v1/webhooks/sms"): SIGNED,  # SMS gateways' delivery reports, by key
    # umkm (#20): the team's cash book and stock card.
    ("GET", S + "/teams/{team}/cashbook"): BOOK_READERS,
    ("POST", S + "/teams/{team}/cashbook"): BOOKKEEPERS,
    ("GET", S + "/teams/{team}/cashbook/summary"): BOOK_READERS,
    ("GET", S + "/teams/{team}/cashbook/months"): BOOK_READERS,
    ("GET", S + "/teams/{team}/cashbook/cycles"): BOOK_READERS,
    ("GET", S + "/teams/{team}/stock"): BOOK_READERS,
    ("GET", S + "/teams/{team}/stock/moves"): BOOK_READERS,
    ("POST", S + "/teams/{team}/stock"): BOOKKEEPERS,
    ("GET", S + "/teams/{team}/products"): BOOK_READERS,
    ("GET", S + "/teams/{team}/products/batches"): BOOK_READERS,
    ("POST", S + "/teams/{team}/products/batches"): BOOKKEEPERS,
}
LOOKED_UP = {("POST", S + "/ponds/{pond}/outputs/{device}/{output}/auto"),
             ("GET", S + "/ponds/{pond}/devices/{device}/interval")}
"""An empty body is a whole request here: allowed in, then no such relay or node (404)."""
MISSING_ID = 999_999  # alert, silence and key ids: the role check comes before the lookup
QUERY = {"metric": "do_mgl", "month": "2026-01"}
CALLERS = ("anonymous", "admin", "officer", "dinas", "kiosk", "officer_b", "admin_a",
           "trainer")
GLOBAL_ONLY = {("GET", "/metrics")}
"""For an admin of every site only (or a scraper on this machine)."""
ENDS_LOGIN = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/logout-all")}
"""Sent last, with a login of their own, so the caller's other requests stay logged in."""


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    from kolam.config import load_config

    data = tmp_path_factory.mktemp("iso") / "data"

    def make(**overrides: object) -> KolamConfig:
        return load_config(None, data_dir=data, **overrides)

    with farm_app(make) as f:
        f.registry.add_dead_letters([
            DeadLetterIn(f"kolam/v1/{site}/kolam-1/node-1/telemetry", "bad_json", "x",
                         f"{{{SECRETS[site][1]}", now_ms()) for site in (SITE_A, SITE_B)]
            + [DeadLetterIn("not/a/kolam/topic", "bad_topic", "x", "{}", now_ms())])
        yield f


def _routes(farm: Farm) -> list[tuple[str, str]]:
    spec = farm.client.get("/openapi.json").json()
    return sorted((method.upper(), path) for path, ops in spec["paths"].items()
                  for method in ops)


def test_every_route_has_a_decision(farm: Farm) -> None:
    assert set(_routes(farm)) == set(ALLOWED)


def _url(farm: Farm, path: str) -> str:
    ids = farm.ids[SITE_A]
    return path.format(site=SITE_A, pond="kolam-1", team=ids["team"], member=ids["member"],
                       cycle=ids["cycle"], username="officer", alert=MISSING_ID,
                       silence=MISSING_ID, key_id=MISSING_ID, log=MISSING_ID,
                       harvest=MISSING_ID, cost=MISSING_ID, device="relay-1", shift=MISSING_ID,
                       entry=MISSING_ID,
                       output="aerator-1")


def _expected(method: str, path: str, caller: str) -> set[int]:
    allowed = ALLOWED[(method, path)]
    if allowed == PUBLIC:
        return {200, 422}  # the token route without a form is a 422
    if allowed == SIGNED:
        return {404}
    if caller == "anonymous":
        return {401}
    role = {"officer_b": "officer", "admin_a": "admin"}.get(caller, caller)
    assert isinstance(allowed, frozenset)
    if role not in allowed or (caller == "officer_b" and path.startswith(S)):
        return {403}
    if caller == "admin_a" and (method, path) in GLOBAL_ONLY:
        return {403}
    if (method, path) in ENDS_LOGIN:
        return {204}
    if "{alert}" in path or "{silence}" in path or "{key_id}" in path or "{shift}" in path \
            or (method, path) in LOOKED_UP:
        return {404}  # allowed in, then no such record
    return {200} if method == "GET" else {422}  # empty bodies: allowed, then refused


@pytest.mark.parametrize("caller", CALLERS)
def test_roles_and_sites(farm: Farm, caller: str) -> None:
    failures = []
    for method, path in sorted(ALLOWED, key=lambda route: route in ENDS_LOGIN):
        headers = farm.as_(caller)
        if (method, path) in ENDS_LOGIN and caller != "anonymous":
            headers = login(farm.client, caller)
        r = farm.client.request(method, _url(farm, path), params=QUERY,
                                json={} if method == "POST" else None, headers=headers)
        if r.status_code not in _expected(method, path, caller):
            failures.append(f"{method} {path}: {r.status_code} {r.text[:120]}")
        if caller in ("dinas", "kiosk", "officer_b", "trainer"):
            for secret in SECRETS[SITE_A] + SECRETS[SITE_B]:
                if secret in r.text:
                    failures.append(f"{method} {path} shows {secret!r} to {caller}")
        if caller in ("officer", "admin_a") and r.status_code == 200:
            for secret in SECRETS[SITE_B]:
                if secret in r.text:
                    failures.append(f"{method} {path} shows site B's {secret!r}")
    if caller != "anonymous":  # logout-all above ended every login of the caller
        farm.headers[caller] = login(farm.client, caller)
    assert failures == []


def test_site_list_shows_only_the_users_sites(farm: Farm) -> None:
    def slugs(caller: str) -> list[str]:
        return [s["slug"] for s in farm.client.get("/api/v1/sites",
                                                   headers=farm.as_(caller)).json()]

    assert slugs("admin") == sorted([SITE_A, SITE_B])
    assert slugs("officer_b") == [SITE_B]
    assert slugs("dinas") == [SITE_A]


def test_records_of_another_site_are_not_found_under_yours(farm: Farm) -> None:
    # Site A's cycle id asked for under site B, by site B's officer: no such cycle there.
    cycle_a = farm.ids[SITE_A]["cycle"]
    if cycle_a == farm.ids[SITE_B]["cycle"]:
        pytest.skip("ids coincide")
    r = farm.client.get(f"/api/v1/sites/{SITE_B}/cycles/{cycle_a}",
                        headers=farm.as_("officer_b"))
    assert r.status_code == 404
    member_a = farm.ids[SITE_A]["member"]
    r = farm.client.get(f"/api/v1/sites/{SITE_B}/members/{member_a}/skill-record",
                        headers=farm.as_("officer_b"))
    assert r.status_code == 404 and SECRETS[SITE_A][0] not in r.text


def test_officers_do_see_names(farm: Farm) -> None:
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/members", headers=farm.as_("officer"))
    assert r.json()[0]["full_name"] == SECRETS[SITE_A][0]
    r = farm.client.get(f"/api/v1/sites/{SITE_A}/members", headers=farm.as_("dinas"))
    assert r.json()[0]["full_name"] is None and r.json()[0]["alias"] == "Anggota 1"


# --- an admin of one site ------------------------------------------------------------------

GOOD_PASSWORD = "a new and long password"


def test_site_admin_cannot_take_over_wider_users(farm: Farm) -> None:
    """The probe's escalation: the admin of one site minted a key for the global admin
    and reset its password. Now it acts only on users whose sites are within its own."""
    c, headers = farm.client, farm.as_("admin_a")
    for target in ("admin", "officer_b"):
        r = c.post(f"/api/v1/users/{target}/api-keys", json={"name": "x"}, headers=headers)
        assert r.status_code == 403, (target, r.text)
        assert c.get(f"/api/v1/users/{target}/api-keys", headers=headers).status_code == 403
        r = c.delete(f"/api/v1/users/{target}/api-keys/1", headers=headers)
        assert r.status_code == 403
    # Re-making the global admin as an officer of the admin's own site (a password reset).
    r = c.post("/api/v1/users", headers=headers, json={
        "username": "admin", "role": "officer", "sites": [SITE_A], "password": GOOD_PASSWORD})
    assert r.status_code == 403
    assert Users(farm.registry.engine).get("admin").all_sites
    assert c.get("/api/v1/users/me", headers=farm.as_("admin")).status_code == 200
    for body in ({"username": "new-b", "role": "officer", "sites": [SITE_B]},
                 {"username": "new-dinas", "role": "dinas", "sites": []},
                 {"username": "new-admin", "role": "admin", "sites": [SITE_A, SITE_B]}):
        assert c.post("/api/v1/users", headers=headers, json=body).status_code == 403, body
    # A user of a name it does not know: the same 403, so names outside stay unknown.
    r = c.get("/api/v1/users/nobody-at-all/api-keys", headers=headers)
    assert r.status_code == 403
    assert c.get("/api/v1/users/nobody-at-all/api-keys",
                 headers=farm.as_("admin")).status_code == 404


def test_site_admin_acts_on_its_own_sites_users(farm: Farm) -> None:
    c, headers = farm.client, farm.as_("admin_a")
    r = c.post("/api/v1/users", headers=headers, json={
        "username": "officer-a2", "role": "officer", "sites": [SITE_A],
        "password": GOOD_PASSWORD})
    assert r.status_code == 201
    r = c.post("/api/v1/users/officer-a2/api-keys", json={"name": "tablet"}, headers=headers)
    assert r.status_code == 201
    key_id = r.json()["id"]
    r = c.delete(f"/api/v1/users/officer-a2/api-keys/{key_id}", headers=headers)
    assert r.status_code == 200 and r.json()["revoked"] is True


def test_site_admin_lists_only_its_users(farm: Farm) -> None:
    Users(farm.registry.engine).add("dinas-ab", Role.DINAS, [SITE_A, SITE_B], GOOD_PASSWORD)
    listed = {u["username"] for u in farm.client.get(
        "/api/v1/users", headers=farm.as_("admin_a")).json()}
    assert {"officer", "dinas", "kiosk", "admin_a"} <= listed
    assert not listed & {"admin", "officer_b", "dinas-ab"}
    everyone = {u["username"] for u in farm.client.get(
        "/api/v1/users", headers=farm.as_("admin")).json()}
    assert {"admin", "officer_b", "dinas-ab"} <= everyone


def test_site_admin_reads_only_its_sites_audit_and_dead_letters(farm: Farm) -> None:
    c, headers = farm.client, farm.as_("admin_a")
    c.get(f"/api/v1/sites/{SITE_B}/members", headers=farm.as_("officer_b"))  # audited, B
    c.get(f"/api/v1/sites/{SITE_A}/members", headers=farm.as_("officer"))  # audited, A
    entries = c.get("/api/v1/audit", headers=headers).json()
    assert entries and {e["site"] for e in entries} == {SITE_A}
    assert c.get(f"/api/v1/audit?site={SITE_B}", headers=headers).status_code == 403
    every = {e["site"] for e in c.get("/api/v1/audit", headers=farm.as_("admin")).json()}
    assert {SITE_A, SITE_B, None} <= every
    page = c.get("/api/v1/deadletters", headers=headers).json()
    assert [d["topic"].split("/")[2] for d in page["items"]] == [SITE_A]
    assert page["total_by_reason"] == {"bad_json": 1}
    page = c.get("/api/v1/deadletters", headers=farm.as_("admin")).json()
    assert len(page["items"]) == 3 and page["total_by_reason"] == {"bad_json": 2,
                                                                    "bad_topic": 1}
    assert c.get("/metrics", headers=headers).status_code == 403
