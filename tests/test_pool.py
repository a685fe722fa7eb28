"""Searchers are shared by threads, bounded, and follow the index as writers commit."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from papersearch import PaperIndex
from papersearch.search.pool import SearcherPool

from helpers import SEEDS, synthetic_days


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def index(tmp_path: Path) -> PaperIndex:
    index = PaperIndex.create(tmp_path / "ix", searchers=2)
    index.add(SEEDS)
    return index


def test_threads_that_come_and_go_leave_no_searchers_behind(index: PaperIndex) -> None:
    # a web server's pool retires idle threads and starts new ones: searchers stay put
    files = []
    for _ in range(5):
        threads = [threading.Thread(target=lambda: index.search("확산 모델")) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert index.open_searchers <= 2
        files.append(open_files())
    assert files == [files[0]] * 5  # flat, not one searcher's files per thread ever run
    index.close()


def test_concurrent_searches_wait_for_a_searcher(index: PaperIndex) -> None:
    expected = [h.arxiv_id for h in index.search("확산 모델").hits]
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda _: [h.arxiv_id for h in index.search("확산 모델").hits],
                                range(48)))
    assert all(r == expected for r in results)
    assert index.open_searchers <= 2
    index.close()


def test_a_commit_retires_the_older_searchers(index: PaperIndex, tmp_path: Path) -> None:
    before = index.stats().papers
    with PaperIndex.open(index.path) as writer:  # another writer, another object
        writer.add(synthetic_days(1, tmp_path / "new")[0])
    assert index.stats().papers > before  # the next read sees the commit
    assert index.open_searchers == 1  # the older version's searcher was closed
    index.close()


def test_one_version_for_everything_read_in_a_block(index: PaperIndex, tmp_path: Path) -> None:
    with index.reading() as lease:
        papers = sum(1 for _ in lease.searcher.document_numbers(kind="paper"))
        with PaperIndex.open(index.path) as writer:
            writer.add(synthetic_days(1, tmp_path / "new")[0])
        assert sum(1 for _ in lease.searcher.document_numbers(kind="paper")) == papers
    index.close()


def test_a_pool_needs_a_searcher_and_refuses_after_close(index: PaperIndex) -> None:
    with pytest.raises(ValueError):
        SearcherPool(None, lambda: None, size=0)
    index.close()
    with pytest.raises(RuntimeError, match="closed"):
        index.search("확산")
