"""Shared fixtures: the seeds, the shared corpus (skipped when absent), built indexes."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papersearch import PaperIndex

from helpers import CORPUS, SEEDS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaperIndex]:
    """An index of the two seed digests, shared read-only by the tests."""
    path = tmp_path_factory.mktemp("seed-index")
    index = PaperIndex.create(path)
    report = index.add(SEEDS)
    assert report.count("added") == 2
    yield index
    index.close()


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path
                 ) -> Iterator[PaperIndex]:
    """An index of the whole shared corpus (built once per session, ~25 s)."""
    path = tmp_path_factory.mktemp("corpus-index")
    index = PaperIndex.create(path)
    index.add(corpus_dir)
    yield index
    index.close()


DigestWriter = Callable[..., Path]


@pytest.fixture
def write_digest(tmp_path: Path) -> DigestWriter:
    """Write a small digest: ``write_digest("2024/01/02.md", text)`` (text is dedented)."""

    def write(relative: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / "digests" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return path

    return write
