"""Mosquitto's ``$7$`` password hashes, made in Python, agree with ``mosquitto_passwd``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kolam.broker.passwd import (
    hash_password,
    new_password,
    parse_passwd,
    render_passwd,
    verify_password,
)


def test_hash_and_verify() -> None:
    password = new_password()
    digest = hash_password(password)
    assert digest.startswith("$7$101$")
    assert verify_password(digest, password)
    assert not verify_password(digest, password + "x")
    assert hash_password(password) != digest  # salted


@pytest.mark.parametrize("stored", ["", "plain", "$6$101$abc$def", "$7$x$AAAA$AAAA",
                                    "$7$101$!!$AAAA", "$7$0$AAAA$AAAA", "$7$101$AAAA"])
def test_malformed_hashes_never_match(stored: str) -> None:
    assert not verify_password(stored, "")


def test_same_hash_as_mosquitto_passwd(tmp_path: Path) -> None:
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed (the broker tests check the format)")
    path = tmp_path / "passwd"
    subprocess.run([tool, "-c", "-b", str(path), "alice", "s3cret pass"], check=True)
    stored = parse_passwd(path.read_text())["alice"]
    assert verify_password(stored, "s3cret pass")
    iterations, salt = stored.split("$")[2:4]
    import base64

    assert hash_password("s3cret pass", iterations=int(iterations),
                         salt=base64.b64decode(salt)) == stored


def test_password_file_lines() -> None:
    text = render_passwd([("serang.node-1", "$7$h1"), ("ingest", "$7$h2")])
    assert text == "serang.node-1:$7$h1\ningest:$7$h2\n"
    assert parse_passwd("# comment\n\n" + text) == {"serang.node-1": "$7$h1", "ingest": "$7$h2"}
    for bad in ("a:b", "a b", ""):
        with pytest.raises(ValueError, match="cannot appear"):
            render_passwd([(bad, "$7$h")])
