"""SIGKILL while indexing the shared corpus: the index keeps a committed state and a rerun
completes it. Slow (about 20 s a kill); PAPERSEARCH_KILLS sets how many (default 20)."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papersearch import IndexNotFoundError, PaperIndex
from papersearch.ingest.digest import find_digests, parse_digest

from helpers import CORPUS_DAYS, CORPUS_PAPERS

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

KILLS = int(os.environ.get("PAPERSEARCH_KILLS", "20"))


def _command(corpus: Path, index: Path) -> list[str]:
    exe = shutil.which("papersearch")
    base = [exe] if exe else [sys.executable, "-m", "papersearch.cli"]
    return [*base, "index", str(corpus), "--index", str(index)]


def _no_process_mentions(text: str, wait: float = 5.0) -> bool:
    """True once no process's command line mentions ``text`` (waiting up to ``wait`` s)."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(
                        "utf-8", "replace"):
                    alive.append(proc.name)
            except OSError:
                continue
        if not alive or time.monotonic() > deadline:
            return not alive
        time.sleep(0.2)


def test_sigkill_at_random_moments(tmp_path: Path, corpus_dir: Path) -> None:
    ids_by_day: dict[str, set[str]] = {}
    for file in find_digests(corpus_dir):
        parsed = parse_digest(file)
        ids_by_day[parsed.day.isoformat()] = {e.arxiv_id for e in parsed.entries}
    rng = random.Random(20261123)
    index_dir = tmp_path / "ix"
    command = _command(corpus_dir, index_dir)
    outcomes = []
    for kill in range(KILLS):
        shutil.rmtree(index_dir, ignore_errors=True)
        moment = rng.uniform(0.2, 18.0)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(moment)
        finished_first = process.poll() is not None
        if not finished_first:
            process.send_signal(signal.SIGKILL)
        process.wait()
        assert _no_process_mentions(str(index_dir)), "analysis workers outlived their parent"

        # The index opens (unless nothing was created yet) and holds whole days only.
        try:
            with PaperIndex.open(index_dir) as index:
                days = [d.isoformat() for d in index.days()]
                papers = index.stats().papers
                expected = set().union(*(ids_by_day[d] for d in days)) if days else set()
                assert papers == len(expected), (kill, moment, len(days))
                for arxiv_id in sorted(expected)[:: max(1, len(expected) // 50)]:
                    assert index.get(arxiv_id) is not None
        except IndexNotFoundError:
            days, papers = [], 0
        outcomes.append((round(moment, 1), len(days), papers))

        # Running the same command again completes the corpus exactly.
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        with PaperIndex.open(index_dir) as index:
            stats = index.stats()
            assert (stats.papers, stats.days) == (CORPUS_PAPERS, CORPUS_DAYS), (kill, moment)
            assert index.search("", since=dt.date(2000, 1, 1), limit=1).total == CORPUS_PAPERS
    print("kill moment (s), committed days, papers:", outcomes)
    assert any(0 < days < CORPUS_DAYS for _, days, _ in outcomes)  # some kills hit mid-run
