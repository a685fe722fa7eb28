"""The term-at-a-time evaluator finds what Whoosh's own collector finds, with the same scores.

Every search goes through :class:`papersearch.search.scoring.Evaluator`; these tests
hold it to Whoosh's ``searcher.search`` on the same compiled queries: the same
papers in the same order, the same scores (to rounding), the same totals, with
filters and every sort, on the corpus, the seeds, and an index of several
segments with replaced papers.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq
from whoosh import sorting

from papersearch import PaperIndex
from papersearch.search.bestof import BestOf
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.postings import segment_postings
from papersearch.search.querytree import walk
from papersearch.search.scoring import EMPTY, Evaluator, Postings, PostingsCache

from helpers import ROOT, digest, entry

QUERIES_TSV = ROOT / "benchmarks" / "relevance" / "queries.tsv"
EXTRA = ["확산 모델", "GPT-4V", "LLM 추론 가속", "rectified flow", "-트랜스포머 어텐션",
         "\"diffusion model\"", "title:비디오 생성", "강화학습 OR 보상", "LoRA NOT 양자화",
         "시각 언어 모델 평가", "arxiv:2401.12070", "텍스트-이미지"]


def benchmark_queries() -> list[str]:
    lines = QUERIES_TSV.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[2] for line in lines if line and not line.startswith("#")]


def _sortedby(sort: str) -> Any:
    if sort == "relevance":
        return None
    column = "votes" if sort == "votes" else "last_date"
    return sorting.MultiFacet([sorting.FieldFacet(column, reverse=True), sorting.ScoreFacet()])


def whoosh_top(searcher: Any, q: wq.Query, limit: int, allowed: set[int] | None,
               sort: str) -> tuple[list[tuple[int, float]], int]:
    """The reference: Whoosh's collector (it applies the vote factor in ``final``).

    Unlimited, then cut: with a limit, Whoosh's collector prunes union branches
    whose raw maximum is below the current top's final (vote-blended) score, so
    it misses documents the votes would lift and counts only what it visited.
    """
    results = searcher.search(q, filter=allowed, limit=None, sortedby=_sortedby(sort),
                              terms=False)
    top = []
    for hit in results[:limit]:
        raw = hit.score
        top.append((hit.docnum, -float(raw[-1]) if isinstance(raw, tuple) else float(raw)))
    return top, len(results)


def assert_same(index: PaperIndex, text: str, sort: str = "relevance",
                since: dt.date | None = None, min_votes: int | None = None,
                limit: int = 20) -> int:
    """Compare evaluator and Whoosh on ``text``'s strict and partial queries; the total."""
    with index.reading() as lease:
        return _assert_same(index, lease, text, sort, since, min_votes, limit)


def _assert_same(index: PaperIndex, lease: Any, text: str, sort: str, since: dt.date | None,
                 min_votes: int | None, limit: int) -> int:
    searcher, evaluator = lease.searcher, lease.evaluator
    compiled = index.plan(text, lease=lease)
    allowed = evaluator.columns.matching(since, None, min_votes)
    if allowed is not None and not allowed:
        return 0
    total = 0
    for q in (compiled.strict(), compiled.partial()):
        if q is None:
            continue
        expected, expected_total = whoosh_top(searcher, q, limit, allowed, sort)
        got = evaluator.top(q, limit, index.ranking.vote_weight, allowed, sort)
        context = f"{text!r} sort={sort} since={since} min_votes={min_votes}: {q}"
        assert got.total == expected_total, context
        assert len(got.top) == len(expected), context
        for (doc, score), (want_doc, want_score) in zip(got.top, expected, strict=True):
            assert math.isclose(score, want_score, rel_tol=1e-9, abs_tol=1e-12), context
            if doc != want_doc:  # only a tie may come out in another order
                assert math.isclose(dict(expected).get(doc, math.inf), score,
                                    rel_tol=1e-9), context
        total += got.total
    return total


def test_same_as_whoosh_on_the_benchmark_queries(corpus_index: PaperIndex) -> None:
    queries = benchmark_queries() + EXTRA
    assert len(queries) >= 70
    found = sum(assert_same(corpus_index, q) > 0 for q in queries)
    assert found >= len(queries) - 2  # nearly every query finds papers: a real comparison


def test_same_as_whoosh_where_translations_count_about_once(corpus_index: PaperIndex
                                                            ) -> None:
    # Whoosh's own DisjunctionMax ignores its tie-breaker: BestOf has its own matcher.
    for query in ("LoRA로 효율적인 미세조정", "DPO 선호도 학습", "MoE 전문가 라우팅"):
        with corpus_index.reading() as lease:
            plan = corpus_index.plan(query, lease=lease)
        assert any(isinstance(part, BestOf) for clause in plan.clauses
                   for part in walk(clause.query))
        assert assert_same(corpus_index, query) > 0


@pytest.mark.parametrize("sort", ["votes", "date"])
def test_same_as_whoosh_sorted_and_filtered(corpus_index: PaperIndex, sort: str) -> None:
    for q in ["확산 모델", "LLM 추론 가속", "vision language model", "강화학습 보상 모델",
              "Yann LeCun", "코드 생성"]:
        assert assert_same(corpus_index, q, sort=sort) > 0
        assert_same(corpus_index, q, sort=sort, since=dt.date(2024, 3, 1), min_votes=10)
    assert_same(corpus_index, "확산 모델", since=dt.date(2024, 3, 1), min_votes=20)


def test_same_as_whoosh_with_segments_and_replaced_papers(tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    folder.mkdir()

    def day(name: str, *entries: str) -> Path:
        path = folder / f"{name}.md"
        path.write_text(digest(name, *entries), encoding="utf-8")
        return path

    first = [entry(f"2401.{i:05d}", f"Diffusion model study {i}",
                   [f"확산 모델로 이미지를 생성하는 연구 {i}", "대형 언어 모델(LLM)을 평가"],
                   votes=i) for i in range(1, 9)]
    second = [entry(f"2402.{i:05d}", f"Language model agents {i}",
                    ["언어 모델 에이전트의 도구 사용", "확산 모델과 비교"], votes=20 - i)
              for i in range(1, 7)]
    with PaperIndex.create(tmp_path / "index") as index:
        index.add(day("2024-01-01", *first))
        index.add(day("2024-01-02", *second))
        # the first day again with one paper changed and two gone: deletions in a segment
        changed = [*first[:5], entry("2401.00006", "Video diffusion",
                                     ["확산 모델로 비디오 생성"], votes=50)]
        index.add(day("2024-01-01", *changed))
        with index.reading() as lease:
            assert len(lease.searcher.reader().leaf_readers()) >= 2
            assert lease.searcher.reader().has_deletions()
        for q in ["확산 모델", "모델", "언어 모델 에이전트", "diffusion", "비디오", "-에이전트 모델",
                  '"확산 모델"', '"language model agents"']:
            for sort in ("relevance", "votes", "date"):
                assert assert_same(index, q, sort=sort, limit=5) > 0
        result = index.search("확산 모델", limit=20)
        assert result.total == 12  # 6 + 6 papers, every one about 확산 모델
        assert {h.arxiv_id for h in result.hits}.isdisjoint({"2401.00007", "2401.00008"})
        changed_hit = next(h for h in result.hits if h.arxiv_id == "2401.00006")
        assert changed_hit.votes == 50  # the new version: 50 votes, "diffusion" in its title
        assert changed_hit.title == "Video diffusion"


def test_same_as_whoosh_on_the_seeds(seed_index: PaperIndex) -> None:
    for q in ["확산 모델", "ControlNet", "GPT-4V 평가", "에이전트", "LLM"]:
        assert assert_same(seed_index, q) > 0


def test_queries_it_does_not_know_fall_back_to_whoosh(seed_index: PaperIndex) -> None:
    with seed_index.reading() as lease:
        for q in [wq.Prefix("summary", "모"), wq.DisjunctionMax([wq.Term("title", "diffus"),
                                                                 wq.Term("summary", "확산")])]:
            expected, total = whoosh_top(lease.searcher, q, 50, None, "relevance")
            got = lease.evaluator.top(q, 50, seed_index.ranking.vote_weight)
            assert total > 0 and got.total == total
            assert [d for d, _ in got.top] == [d for d, _ in expected]


def test_postings_cache_is_bounded_and_least_recently_used() -> None:
    from array import array

    def postings(n: int) -> Postings:
        return Postings(array("i", range(n)), array("d", [1.0] * n))

    cache = PostingsCache(max_postings=10)
    calls: list[str] = []

    def make(name: str, n: int) -> Any:
        return lambda: calls.append(name) or postings(n)

    cache.get(("a",), make("a", 4))
    cache.get(("b",), make("b", 4))
    cache.get(("a",), make("a", 4))  # a hit: a is now the most recent
    cache.get(("c",), make("c", 4))  # 12 > 10: b, the least recent, goes
    assert calls == ["a", "b", "c"]
    assert cache.peek(("b",)) is None and cache.peek(("a",)) is not None
    assert cache.size == 8
    big = cache.get(("huge",), make("huge", 11))  # larger than the cache: not kept
    assert len(big) == 11 and cache.peek(("huge",)) is None and cache.size == 8
    assert len(EMPTY) == 0


def test_evaluator_contains_reads_the_cache(seed_index: PaperIndex) -> None:
    with seed_index.reading() as lease:
        _check_contains(lease.searcher)


def _check_contains(searcher: Any) -> None:
    evaluator = Evaluator(searcher)
    assert evaluator.contains("summary", "확산", 0)  # not cached yet: cannot say no
    postings = evaluator.term("summary", "확산")
    assert len(postings) > 0
    docs = set(postings.docs)
    for docnum in range(searcher.reader().doc_count_all()):
        assert evaluator.contains("summary", "확산", docnum) == (docnum in docs)


def test_searches_in_threads_share_nothing(seed_index: PaperIndex) -> None:
    from concurrent.futures import ThreadPoolExecutor

    expected = [h.arxiv_id for h in seed_index.search("확산 모델").hits]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [h.arxiv_id for h in
                                           seed_index.search("확산 모델").hits], range(16)))
    assert expected and all(r == expected for r in results)



def _walked(reader: Any, fieldname: str, text: str) -> tuple[list[int], list[float]]:
    """A term's postings by Whoosh's matcher protocol, one posting at a time."""
    ids, weights = [], []
    matcher = reader.postings(fieldname, text)
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_postings_read_by_whole_blocks_equal_the_matcher_walk(corpus_index: PaperIndex) -> None:
    """Common terms span many blocks of 128 postings; rare ones part of one."""
    checked = 0
    with corpus_index.reading() as lease:
        for leaf, _ in lease.searcher.leaf_searchers():
            reader = leaf.reader()
            for fieldname, text in [("summary", "모델"), ("summary", "확산"), ("title", "diffus"),
                                    ("title", "model"), ("summary", "binocular"),
                                    ("authors", "liu"), ("summary", "할루시네이션")]:
                if (fieldname, text) not in reader:
                    continue
                ids, weights = segment_postings(reader, fieldname, text)
                assert (ids.tolist(), weights.tolist()) == _walked(reader, fieldname, text)
                checked += len(ids)
    assert checked > 5_000


def test_postings_of_a_segment_with_deletions_leave_the_deleted_out(tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    folder.mkdir()
    papers = [entry(f"2401.{i:05d}", f"Diffusion model {i}", ["확산 모델 연구"], votes=i)
              for i in range(1, 300)]
    (folder / "2024-01-01.md").write_text(digest("2024-01-01", *papers), encoding="utf-8")
    with PaperIndex.create(tmp_path / "ix") as index:
        index.add(folder)
        (folder / "2024-01-01.md").write_text(digest("2024-01-01", *papers[::2]),
                                              encoding="utf-8")
        index.add(folder)  # half the papers gone: deletions, until a merge
        with index.reading() as lease:
            for leaf, _ in lease.searcher.leaf_searchers():
                reader = leaf.reader()
                if ("summary", "확산") in reader:
                    ids, weights = segment_postings(reader, "summary", "확산")
                    assert (ids.tolist(), weights.tolist()) == _walked(reader, "summary", "확산")
            assert index.search("확산", limit=1).total == 150


def _whoosh_matches(searcher: Any, q: wq.Query) -> dict[int, float]:
    """Every document Whoosh's own matcher for ``q`` matches, and its score."""
    found = {}
    for leaf, offset in searcher.leaf_searchers():
        matcher = q.matcher(leaf, leaf.context())
        while matcher.is_active():
            found[matcher.id() + offset] = matcher.score()
            matcher.next()
    return found


@pytest.mark.parametrize("slop", [1, 2])
def test_phrases_are_found_and_scored_as_whoosh_does(corpus_index: PaperIndex,
                                                     slop: int) -> None:
    phrases = [("summary", ["확산", "모델"]), ("title", ["diffus", "model"]),
               ("summary", ["대규모", "언어", "모델"]), ("title", ["larg", "languag", "model"]),
               ("summary", ["강화", "학습", "보상", "모델"]), ("summary", ["모델", "모델"]),
               ("title", ["vision", "languag", "action", "model"]),
               ("summary", ["없는", "단어", "조합"])]
    checked = 0
    with corpus_index.reading() as lease:
        for fieldname, words in phrases:
            q = wq.Phrase(fieldname, words, slop=slop)
            want = _whoosh_matches(lease.searcher, q)
            got = lease.evaluator.phrase(q)
            assert got.docs.tolist() == sorted(want), (fieldname, words)
            assert got.scores.tolist() == [want[d] for d in sorted(want)], (fieldname, words)
            checked += len(want)
    assert checked > 1000


def test_coverage_bits_past_the_64th_clause_count_as_whoosh_counts_them(
        seed_index: PaperIndex) -> None:
    """Clause masks are Python ints of any width; the evaluator keeps them in 64-bit words."""
    with seed_index.reading() as lease:
        for coverage in ([1, 1 << 64], [1 << 63, 1 << 64], [1 << 70, (1 << 70) | 2]):
            q = CoordinatedOr([wq.Term("summary", "모델"), wq.Term("summary", "확산")], 2,
                              coverage=coverage)
            want = _whoosh_matches(lease.searcher, q)
            got = lease.evaluator.scores(q)
            assert want and sorted(got) == sorted(want), coverage
            assert all(math.isclose(got[d], want[d], rel_tol=1e-12) for d in want), coverage
