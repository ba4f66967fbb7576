"""Logging in, tokens, API keys and the command line that makes users."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kolam.config import KolamConfig
from kolam.registry.repo import Registry
from kolam.registry.users import Users
from kolam.security.auth import AuthError, Role, issue_token
from tests.utils.auth import PASSWORD, login
from tests.utils.farm import SITE_A, farm_app


def test_token_flow_and_errors(make_config: Callable[..., KolamConfig]) -> None:
    with farm_app(make_config) as farm:
        c = farm.client
        r = c.post("/api/v1/auth/token", data={"username": "officer", "password": PASSWORD})
        body = r.json()
        assert r.status_code == 200 and body["token_type"] == "bearer"
        assert body["expires_in"] == 12 * 3600
        me = c.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json() == {"username": "officer", "role": "officer", "sites": [SITE_A],
                             "all_sites": False}
        for user, pw in (("officer", "wrong password"), ("nobody", PASSWORD)):
            r = c.post("/api/v1/auth/token", data={"username": user, "password": pw})
            assert r.status_code == 401 and r.json()["detail"] == "wrong username or password"
        r = c.get("/api/v1/users/me")
        assert r.status_code == 401 and "auth/token" in r.json()["detail"]
        assert r.headers["WWW-Authenticate"] == "Bearer"
        r = c.get("/api/v1/users/me", headers={"Authorization": "Bearer not-a-jwt"})
        assert r.status_code == 401 and r.json()["detail"] == "invalid token"
        claims = Users(farm.registry.engine).start_session(
            Users(farm.registry.engine).get("officer"), 60)
        expired = issue_token(claims, c.app.state.secret_key, 60, int(time.time()) - 120)
        r = c.get("/api/v1/users/me", headers={"Authorization": f"Bearer {expired}"})
        assert r.status_code == 401 and "expired" in r.json()["detail"]
        forged = issue_token(claims, "another key of at least thirty-two bytes", 60,
                             int(time.time()))
        assert c.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"}
                     ).status_code == 401


def test_removed_user_loses_access_at_once(make_config: Callable[..., KolamConfig]) -> None:
    with farm_app(make_config) as farm:
        headers = farm.as_("dinas")
        assert farm.client.get("/api/v1/users/me", headers=headers).status_code == 200
        Users(farm.registry.engine).deactivate("dinas")
        assert farm.client.get("/api/v1/users/me", headers=headers).status_code == 401


def test_api_keys(make_config: Callable[..., KolamConfig]) -> None:
    with farm_app(make_config) as farm:
        c = farm.client
        r = c.post("/api/v1/users/dinas/api-keys", json={"name": "dashboard"},
                   headers=farm.as_("admin"))
        assert r.status_code == 201
        key = r.json()["key"]
        assert c.get("/api/v1/users/me", headers={"X-API-Key": key}).json()["username"] == "dinas"
        # As a bearer credential too (what Prometheus sends).
        assert c.get("/api/v1/users/me", headers={"Authorization": f"Bearer {key}"}
                     ).status_code == 200
        assert c.get("/api/v1/users/me", headers={"X-API-Key": key + "x"}).status_code == 401
        admin_key = Users(farm.registry.engine).add_api_key("admin", "prometheus")
        metrics = c.get("/metrics", headers={"X-API-Key": admin_key})
        assert metrics.status_code == 200 and "kolam_dead_letters" in metrics.text
        assert c.get("/metrics", headers={"X-API-Key": key}).status_code == 403


def test_admin_of_some_sites_cannot_make_wider_users(
        make_config: Callable[..., KolamConfig]) -> None:
    with farm_app(make_config) as farm:
        Users(farm.registry.engine).add("site-admin", Role.ADMIN, [SITE_A], PASSWORD)
        headers = login(farm.client, "site-admin")
        r = farm.client.post("/api/v1/users", headers=headers,
                             json={"username": "x", "role": "dinas", "password": PASSWORD})
        assert r.status_code == 403
        r = farm.client.post("/api/v1/users", headers=headers, json={
            "username": "x", "role": "officer", "sites": [SITE_A], "password": PASSWORD})
        assert r.status_code == 201
        r = farm.client.post("/api/v1/users", headers=farm.as_("admin"), json={
            "username": "y", "role": "kiosk", "sites": [], "password": PASSWORD})
        assert r.status_code == 422 and "exactly one --site" in r.json()["detail"]


def test_cli_users_add_reads_the_password_from_stdin(
        make_config: Callable[..., KolamConfig]) -> None:
    config = make_config()
    registry = Registry(config.registry_url)
    for site in ("serang", "lebak"):  # a user's sites must exist
        registry.ensure_pond(site, "kolam-1")
    registry.close()
    env = {"KOLAM_DATA_DIR": str(config.data_dir), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "kolam", "users", "add", "ibu-dinas", "--role", "dinas",
         "--site", "serang", "--site", "lebak"], input=PASSWORD + "\n", env=env,
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "ibu-dinas: dinas of lebak, serang" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "kolam", "users", "add", "k", "--role", "kiosk",
                          "--password", PASSWORD], env=env, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 1 and "exactly one --site" in bad.stderr
    registry = Registry(config.registry_url)
    try:
        user = Users(registry.engine).authenticate("ibu-dinas", PASSWORD)
        assert user.role is Role.DINAS and user.sites == {"serang", "lebak"}
    finally:
        registry.close()


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_short_passwords_are_refused(make_config: Callable[..., KolamConfig],
                                     password: str) -> None:
    registry = Registry(make_config().registry_url)
    try:
        with pytest.raises(Exception, match="at least 12"):
            Users(registry.engine).add("u", Role.ADMIN, (), password)
    finally:
        registry.close()


@pytest.mark.parametrize(("password", "why"), [
    ("12345678", "at least 12"), ("password", "at least 12"),
    ("password1234", "most common"), ("officer-x-password", "username")])
def test_the_api_applies_the_password_policy(make_config: Callable[..., KolamConfig],
                                             password: str, why: str) -> None:
    with farm_app(make_config) as farm:
        r = farm.client.post("/api/v1/users", headers=farm.as_("admin"), json={
            "username": "officer-x", "role": "officer", "sites": [SITE_A],
            "password": password})
        assert r.status_code == 422 and why in r.text, r.text


def _cli(config: KolamConfig, *args: str, stdin: str = "",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kolam", "users", *args], input=stdin, capture_output=True,
        text=True, timeout=60,
        env={"KOLAM_DATA_DIR": str(config.data_dir), "PATH": "/usr/bin:/bin", **(env or {})})


def test_cli_reads_the_password_from_a_file_or_the_environment(
        make_config: Callable[..., KolamConfig], tmp_path: Path) -> None:
    config = make_config()
    secret = tmp_path / "pw"
    secret.write_text("from a file, not ps\n")
    run = _cli(config, "add", "ani", "--role", "admin", "--password-file", str(secret))
    assert run.returncode == 0 and "warning" not in run.stderr, run.stderr
    run = _cli(config, "add", "budi", "--role", "admin",
               env={"KOLAM_USER_PASSWORD": "from the environment"})
    assert run.returncode == 0 and "warning" not in run.stderr, run.stderr
    run = _cli(config, "add", "citra", "--role", "admin", "--password", PASSWORD)
    assert run.returncode == 0 and "warning: --password shows the password" in run.stderr
    run = _cli(config, "add", "dewi", "--role", "admin", stdin="12345678\n")
    assert run.returncode == 1 and "at least 12 characters" in run.stderr
    registry = Registry(config.registry_url)
    try:
        users = Users(registry.engine)
        assert users.authenticate("ani", "from a file, not ps").username == "ani"
        assert users.authenticate("budi", "from the environment").username == "budi"
        assert users.find("dewi") is None
    finally:
        registry.close()


def test_cli_lists_and_revokes_api_keys(make_config: Callable[..., KolamConfig]) -> None:
    config = make_config()
    assert _cli(config, "add", "ops", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    made = _cli(config, "key", "ops", "--name", "scripts")  # the documented form
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("kolam_") and "kolam users key revoke ops 1" in made.stderr
    assert _cli(config, "key", "add", "ops", "--name", "grafana").returncode == 0
    listed = _cli(config, "key", "list", "ops").stdout.splitlines()
    assert [line.split("\t")[1::2] for line in listed] == [["scripts", "active"],
                                                          ["grafana", "active"]]
    assert key not in "\n".join(listed)
    revoked = _cli(config, "key", "revoke", "ops", "1")
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert _cli(config, "key", "revoke", "ops", "99").returncode == 1
    registry = Registry(config.registry_url)
    try:
        with pytest.raises(AuthError):
            Users(registry.engine).by_api_key(key)
    finally:
        registry.close()


def test_cli_logout_ends_every_login(make_config: Callable[..., KolamConfig]) -> None:
    with farm_app(make_config) as farm:
        headers = login(farm.client, "officer")
        run = _cli(farm.client.app.state.config, "logout", "officer")
        assert run.returncode == 0, run.stderr
        assert farm.client.get("/api/v1/users/me", headers=headers).status_code == 401


