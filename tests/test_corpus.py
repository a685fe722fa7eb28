"""The whole shared corpus: every paper indexed and findable (skipped without the corpus)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersearch import PaperIndex
from papersearch.cli import main
from papersearch.ingest.digest import find_digests, parse_digest

from helpers import CORPUS_DAYS, CORPUS_PAPERS, SUPERSEDED

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def corpus_ids(corpus_dir: Path) -> set[str]:
    return {e.arxiv_id for f in find_digests(corpus_dir) for e in parse_digest(f).entries}


def test_stats_count_every_paper(corpus_index: PaperIndex) -> None:
    stats = corpus_index.stats()
    assert (stats.papers, stats.days) == (CORPUS_PAPERS, CORPUS_DAYS)
    assert str(stats.first_date) == "2023-11-20" and str(stats.last_date) == "2025-05-09"


def test_every_paper_is_findable_by_id(corpus_index: PaperIndex, corpus_dir: Path) -> None:
    ids = corpus_ids(corpus_dir)
    assert len(ids) == CORPUS_PAPERS
    missing = [i for i in sorted(ids) if corpus_index.get(i) is None]
    assert missing == []
    for arxiv_id in random.Random(7).sample(sorted(ids), 200):
        assert corpus_index.search(f"id:{arxiv_id}")[0].arxiv_id == arxiv_id


def test_cli_show_and_stats_on_the_corpus(corpus_index: PaperIndex) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["stats", "--json", "--index", str(corpus_index.path)])
    assert result.exit_code == 0 and json.loads(result.stdout)["papers"] == CORPUS_PAPERS
    for arxiv_id in ["2311.10122", "2410.09342", "2410.02884", "2505.04588"]:
        result = runner.invoke(main, ["show", arxiv_id, "--index", str(corpus_index.path)])
        assert result.exit_code == 0, result.stderr
        assert f"https://arxiv.org/abs/{arxiv_id}" in result.stdout


def test_paper_listed_twice_carries_both_dates(corpus_index: PaperIndex) -> None:
    paper = corpus_index.get("2410.09342")
    assert paper is not None
    assert [str(d) for d in paper.dates] == ["2024-10-16", "2024-10-18"]
    assert paper.title.startswith("LLMtimesMapReduce")  # the latest listing's spelling
    assert paper.other_titles == ["LLM×MapReduce: Simplified Long-Sequence Processing using "
                                  "Large Language Models"]
    assert corpus_index.search("LLM×MapReduce")[0].arxiv_id == "2410.09342"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("강화학습 보상 모델", None),
        ("GPT-4V", None),
        ("Video-LLaVA", "2311.10122"),
        ("LLaMA-Berry", "2410.02884"),
    ],
)
def test_queries_on_the_corpus(corpus_index: PaperIndex, query: str, expected: str | None
                               ) -> None:
    result = corpus_index.search(query, limit=10)
    assert len(result.hits) == 10 or expected is not None
    if expected:
        assert expected in [h.arxiv_id for h in result.hits[:3]]
    for hit in result:
        assert (hit.snippet and hit.snippet_highlights) or hit.title_highlights


def test_reingest_of_superseded_days_matches_a_fresh_build(
        tmp_path: Path, corpus_dir: Path, corpus_index: PaperIndex) -> None:
    superseded = sorted(SUPERSEDED.rglob("*.md"))
    assert len(superseded) == 3
    index = PaperIndex.create(tmp_path / "ix")
    first = index.add(superseded)
    assert first.count("added") == 3
    report = index.add(corpus_dir)
    assert report.count("updated") == 3 and report.count("added") == CORPUS_DAYS - 3
    assert report.papers_removed == 27  # the superseded versions' papers the final ones lack
    assert index.stats().papers == CORPUS_PAPERS
    for arxiv_id in sorted(corpus_ids(corpus_dir)):
        mine, fresh = index.get(arxiv_id), corpus_index.get(arxiv_id)
        assert mine is not None and fresh is not None
        assert (mine.votes, mine.dates, mine.title) == (fresh.votes, fresh.dates, fresh.title)
