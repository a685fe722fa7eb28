"""Constants and small digest builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS_ROOT = ROOT.parent / "shared" / "corpus"
CORPUS = CORPUS_ROOT / "daily_papers_ko" / "paper_logs"
SUPERSEDED = CORPUS_ROOT / "daily_papers_ko_superseded"
CORPUS_PAPERS = 5487
CORPUS_DAYS = 357


def segment_files(index_dir: Path, suffix: str = "") -> list[Path]:
    """The files of an index's segments (not its table of contents or lock), or those
    ending in ``suffix`` (``.trm`` terms, ``.pst`` postings, ``.col`` columns)."""
    files = sorted(f for f in index_dir.iterdir() if f.name.startswith("MAIN_")
                   and not f.name.endswith("WRITELOCK") and f.name.endswith(suffix))
    assert files, f"no segment files ending {suffix!r} in {index_dir}"
    return files


def corpus_file(relative: str) -> Path:
    """A day file of the shared corpus, or skip the test when the corpus is absent."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return path


def entry(arxiv_id: str, title: str, bullets: list[str], votes: int | str | None = 5,
          authors: str = "Alice Kim, Bob Lee") -> str:
    """The Markdown of one digest entry, in the common format."""
    lines = [f"### [{title}](https://arxiv.org/abs/{arxiv_id})", "",
             f"![](https://example.org/{arxiv_id}.png)", ""]
    if votes is not None:
        lines += [f"Vote: {votes}", ""]
    lines += [f"Authors: {authors}", ""]
    lines += [f"- {b}" for b in bullets]
    return "\n".join(lines) + "\n\n"


def digest(day: str, *entries: str) -> str:
    return f"## Daily Papers ({day})\n\n" + "".join(entries)


def synthetic_days(count: int, folder: Path, start: int = 0) -> list[Path]:
    """``count`` new day files made from the seeds: fresh dates (2030-...) and arXiv ids."""
    import datetime as dt
    import re

    sources = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.md"))]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        day = dt.date(2030, 1, 1) + dt.timedelta(days=n)
        text = re.sub(r"## Daily Papers \(\d{4}-\d{2}-\d{2}\)", f"## Daily Papers ({day})",
                      sources[n % len(sources)])
        text = re.sub(r"arxiv\.org/abs/\d{4}\.(\d{5})", rf"arxiv.org/abs/9{n:03d}.\1", text)
        path = folder / f"{day}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
