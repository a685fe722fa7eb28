"""The relevance benchmark's own pieces: its metrics and its judged data."""

from __future__ import annotations

import math
import sys

import pytest

from helpers import CORPUS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks" / "relevance"))
from run import TYPES, load_qrels, load_queries, mrr, ndcg, recall


def test_ndcg_recall_mrr_by_hand() -> None:
    judged = {"a": 2, "b": 1, "c": 0, "d": 1}
    # ideal order a, b, d: gains 3, 1, 1
    ideal = 3 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg(["a", "b", "d"], judged) == pytest.approx(1.0)
    assert ndcg(["c", "a"], judged) == pytest.approx((3 / math.log2(3)) / ideal)
    assert ndcg(["x", "y"], judged) == 0.0
    assert recall(["a", "c", "x"], judged) == pytest.approx(1 / 3)
    assert mrr(["c", "x", "d"], judged) == pytest.approx(1 / 3)
    assert mrr(["c"], judged) == 0.0


def test_queries_and_judgments_are_complete() -> None:
    queries, qrels = load_queries(), load_qrels()
    assert len(queries) >= 60 and len({q.qid for q in queries}) == len(queries)
    assert {q.type for q in queries} == set(TYPES)
    for q in queries:
        grades = qrels[q.qid]
        assert any(g > 0 for g in grades.values()), q  # every query has a relevant paper
        assert set(grades.values()) <= {0, 1, 2}
    assert set(qrels) <= {q.qid for q in queries}


def test_judged_ids_are_corpus_papers() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    from papersearch.ingest.digest import find_digests, parse_digest

    ids = {e.arxiv_id for f in find_digests(CORPUS) for e in parse_digest(f).entries}
    judged = {i for grades in load_qrels().values() for i in grades}
    assert judged <= ids


def test_the_files_hold_ids_not_corpus_text() -> None:
    folder = ROOT / "benchmarks" / "relevance"
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        _qid, arxiv_id, grade = line.split("\t")
        assert len(arxiv_id) <= 10 and grade.isdigit()
    assert all(len(q.text) < 80 for q in load_queries())  # queries, not copied bullets
