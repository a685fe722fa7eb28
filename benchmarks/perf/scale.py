"""Deterministic scale-ups of the shared corpus for benchmarks: N copies of every day.

    python benchmarks/perf/scale.py 10 OUT_DIR

Copy 0 is the corpus as it is. Copy k shifts every date by k x 600 days and gives
every paper a fresh arXiv id (``{5000 + k}.{n:05d}``, n numbering the corpus's
distinct ids in first-seen order), so a paper listed on two days keeps one id
within its copy. Titles, authors, votes and summaries are reused unchanged.
The output is a ``YYYY/MM/DD.md`` tree; it is never committed.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "daily_papers_ko" / "paper_logs"
SHIFT_DAYS = 600
_HEADER = re.compile(r"## Daily Papers \((\d{4}-\d{2}-\d{2})\)")
_ARXIV = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")


def _day_files(corpus: Path) -> list[tuple[dt.date, str]]:
    days = []
    for path in sorted(corpus.rglob("*.md")):
        y, m, d = path.relative_to(corpus).with_suffix("").parts
        days.append((dt.date(int(y), int(m), int(d)), path.read_text(encoding="utf-8")))
    return days


def _copy(text: str, k: int, shift: dt.timedelta, numbers: dict[str, int]) -> str:
    """One day's text as copy ``k``: dates shifted, arXiv ids renumbered."""
    text = _HEADER.sub(
        lambda m: f"## Daily Papers ({dt.date.fromisoformat(m.group(1)) + shift})", text)
    return _ARXIV.sub(lambda m: f"arxiv.org/abs/{5000 + k}.{numbers[m.group(1)]:05d}", text)


def make_corpus(factor: int, out: Path, corpus: Path = CORPUS) -> list[Path]:
    """Write ``factor`` copies of ``corpus`` under ``out``; return the day files."""
    days = _day_files(corpus)
    numbers: dict[str, int] = {}
    for _, text in days:
        for arxiv_id in _ARXIV.findall(text):
            numbers.setdefault(arxiv_id, len(numbers))
    written = []
    for k in range(factor):
        shift = dt.timedelta(days=k * SHIFT_DAYS)
        for day, text in days:
            if k:
                text = _copy(text, k, shift, numbers)
            new_day = day + shift
            path = out / f"{new_day:%Y}" / f"{new_day:%m}" / f"{new_day:%d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    files = make_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(files)} day files in {sys.argv[2]}")
