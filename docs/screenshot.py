"""Retake docs/screenshot.png from a running ``papersearch serve`` (the corpus indexed).

    papersearch serve --index /tmp/corpus-index --port 8765 &
    python docs/screenshot.py http://127.0.0.1:8765
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parent / "screenshot.png"


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base}/?q={quote('확산 모델로 이미지 편집')}")
        page.wait_for_selector("[data-testid=hit]")
        page.click("[data-testid=query]")
        page.keyboard.press("End")
        page.keyboard.press("Backspace")  # "편집" -> "편": suggestions for the half-typed word
        page.wait_for_timeout(200)
        page.wait_for_selector("[data-testid=suggestion]")
        page.screenshot(path=str(OUT))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
