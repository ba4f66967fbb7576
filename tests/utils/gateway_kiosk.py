"""The gateway's kiosk page in tests: the environment that turns it on, and a tablet that
logs in and posts the form over plain HTTP."""

from __future__ import annotations

import re
from functools import cache

import httpx

from kolam.security.auth import hash_password

PASSWORD = "kolam-1234"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def kiosk_env(port: int) -> dict[str, str]:
    return {"KOLAM_GATEWAY__KIOSK__LISTEN": f"127.0.0.1:{port}",
            "KOLAM_GATEWAY__KIOSK__PASSWORD_HASH": password_hash(),
            "KOLAM_GATEWAY__KIOSK__SITE_NAME": "Rutan Serang",
            "KOLAM_GATEWAY__KIOSK__PONDS": '{"kolam-1": "Kolam Satu"}'}


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field in the page"
    return found.group(1)


class Tablet:
    """A browser-less tablet on the site network."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.base, timeout=10.0)

    def login(self, username: str = "kiosk", password: str = PASSWORD) -> httpx.Response:
        form = self.http.get("/login", params={"next": "/kiosk/serang"})
        return self.http.post("/login", data={
            "username": username, "password": password, "next": "/kiosk/serang",
            "csrf": _field(form.text, "csrf")})

    def page(self) -> httpx.Response:
        return self.http.get("/kiosk/serang")

    def log(self, pond: str, kind: str, amount: str) -> httpx.Response:
        csrf = _field(self.page().text, "csrf")
        return self.http.post("/kiosk/serang/logs", data={
            "csrf": csrf, "pond": pond, "kind": kind, "amount": amount})

    def close(self) -> None:
        self.http.close()
