"""The kiosk page the gateway serves loads neither the registry, the store nor numpy: it
runs inside the gateway's process, which must stay under issue #18's 80 MB."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "numpy", "influxdb_client", "api.pages", "api.deps")


def test_the_gateways_kiosk_page_is_light() -> None:
    code = ("import sys, gateway.main, api.site_kiosk\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == ""
