"""Updating one section of ``benchmarks/RESULTS.md`` and leaving the others as they are."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(heading: str, body: str, path: Path = RESULTS) -> None:
    """Put ``## heading`` with ``body`` in place of that section (up to the next ``## ``
    heading), or at the end when the file has no such section."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    title = f"## {heading}\n"
    section = f"{title}\n{body.strip()}\n"
    found = text.find("\n" + title)
    start = 0 if text.startswith(title) else found + 1 if found >= 0 else -1
    if start < 0:
        path.write_text(text.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(title))
    rest = text[end + 1:] if end >= 0 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")
