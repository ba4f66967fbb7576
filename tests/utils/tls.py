"""A throw-away certificate authority and a broker certificate, made with the openssl CLI."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True)
class CertAuthority:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def _run(args: list[str], cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr[-1000:]}")


def make_ca(workdir: Path, name: str = "Kolam test CA") -> CertAuthority:
    """A CA, and a certificate it signed for 127.0.0.1 / localhost."""
    workdir.mkdir(parents=True, exist_ok=True)
    _run(["req", "-x509", *_EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
          "-subj", f"/CN={name}"], workdir)
    _run(["req", *_EC, "-keyout", "server.key", "-out", "server.csr",
          "-subj", "/CN=localhost"], workdir)
    (workdir / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
          "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext"], workdir)
    return CertAuthority(workdir / "ca.crt", workdir / "server.crt", workdir / "server.key")
