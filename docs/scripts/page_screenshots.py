"""Copy the key dashboard screenshots from a browser-test run into docs/img/pages/.

``pytest tests/browser`` saves every page at 1280×800 and 360×740 in test-artifacts/pages/;
this keeps the few the docs show, reduced to a 256-colour palette so each stays < 200 KB.
Run: .venv/bin/python docs/scripts/page_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test-artifacts" / "pages"
TARGET = ROOT / "docs" / "img" / "pages"
KEY = ("kiosk-desktop", "kiosk-phone", "pond-desktop", "overview-desktop", "alerts-desktop",
       "team-desktop", "national-desktop", "book-desktop", "stock-desktop", "products-desktop",
       # The team page's forms, from tests/browser/test_team_forms.py (issue #17 item 4).
       "form-stock-doubt", "form-cost-doubt", "form-measure",
       # Every other page docs/dashboard.md, gateway.md, probe-care.md and alerts.md show.
       "overview-tablet", "overview-phone", "alerts-phone", "chart-do", "chart-do-aerators",
       "pond-aerators", "kiosk-aerators", "gateway-kiosk", "kiosk-round-phone",
       "procedure-ph-phone", "roster-desktop")
MAX_BYTES = 200_000


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in KEY:
        image = Image.open(SOURCE / f"{name}.png").convert("RGB")
        out = TARGET / f"{name}.png"
        for colours in (256, 128, 64, 32):
            image.quantize(colours, dither=Image.Dither.NONE).save(out, optimize=True)
            if out.stat().st_size < MAX_BYTES:
                break
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
