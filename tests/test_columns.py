"""Per-searcher columns (search/columns.py) and the facets counted from them
(search/facets.py), each checked against a brute-force pass over the papers' records."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from papersearch import Paper, PaperIndex
from papersearch.search.facets import VOTE_BUCKETS, count_facets
from papersearch.search.postings import field_lengths

from helpers import SEEDS, synthetic_days


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PaperIndex]:
    """The seeds (2024) and 40 days made from them (2030-01-01 .. 2030-02-09)."""
    root = tmp_path_factory.mktemp("columns")
    with PaperIndex.create(root / "ix") as built:
        built.add([SEEDS, *synthetic_days(40, root / "days")])
        yield built


def papers_by_docnum(index: PaperIndex) -> dict[int, Paper]:
    with index.reading() as lease:
        numbers = list(lease.searcher.document_numbers(kind="paper"))
        ids = {n: lease.searcher.stored_fields(n)["arxiv_id"] for n in numbers}
    found = {n: index.get(arxiv_id) for n, arxiv_id in ids.items()}
    return {n: p for n, p in found.items() if p is not None}


FILTERS = [
    {"since": dt.date(2030, 1, 10)},
    {"until": dt.date(2030, 1, 5)},
    {"since": dt.date(2030, 1, 20), "until": dt.date(2030, 2, 3)},
    {"since": dt.date(2024, 1, 1), "until": dt.date(2024, 12, 31)},
    {"min_votes": 20},
    {"max_votes": 3},
    {"min_votes": 5, "max_votes": 9},
    {"author": "dorsa sadigh"},  # any case
    {"since": dt.date(2030, 1, 15), "min_votes": 10},
]


def expected(papers: dict[int, Paper], since: dt.date | None = None,
             until: dt.date | None = None, min_votes: int | None = None,
             max_votes: int | None = None, author: str | None = None) -> set[int]:
    def keep(p: Paper) -> bool:
        if (since or until) and not any((since is None or d >= since)
                                        and (until is None or d <= until) for d in p.dates):
            return False
        if (min_votes is not None or max_votes is not None) and p.votes is None:
            return False
        if min_votes is not None and p.votes is not None and p.votes < min_votes:
            return False
        if max_votes is not None and p.votes is not None and p.votes > max_votes:
            return False
        return author is None or author.casefold() in {a.casefold() for a in p.authors}

    return {n for n, p in papers.items() if keep(p)}


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
def test_matching_equals_brute_force(index: PaperIndex, filters: dict[str, object]) -> None:
    papers = papers_by_docnum(index)
    with index.reading() as lease:
        got = lease.evaluator.columns.matching(
            filters.get("since"), filters.get("until"), filters.get("min_votes"),  # type: ignore[arg-type]
            filters.get("max_votes"), filters.get("author"))  # type: ignore[arg-type]
    want = expected(papers, **filters)  # type: ignore[arg-type]
    assert got == want
    assert 0 < len(want) < len(papers)  # each filter keeps some papers, not all


def test_no_filter_is_none(index: PaperIndex) -> None:
    with index.reading() as lease:
        assert lease.evaluator.columns.matching(None, None, None) is None


def test_facets_equal_brute_force(index: PaperIndex) -> None:
    papers = papers_by_docnum(index)
    docs = [n for n, p in papers.items() if p.votes is None or p.votes % 2 == 0]
    with index.reading() as lease:
        facets = count_facets(lease.evaluator.columns, docs, top_authors=5)
    months = Counter(m for n in docs for m in {d.strftime("%Y-%m") for d in papers[n].dates})
    assert {f.value: f.count for f in facets.months} == dict(months)
    assert [f.value for f in facets.months] == sorted(months, reverse=True)  # newest first
    authors = Counter(a for n in docs for a in papers[n].authors)
    assert len(facets.authors) == 5
    top = max(authors.values())
    assert facets.authors[0].count == top and all(
        authors[f.value] == f.count for f in facets.authors)
    assert facets.unknown_votes == sum(1 for n in docs if papers[n].votes is None)
    for bucket, (low, high) in zip(facets.votes, VOTE_BUCKETS, strict=True):
        assert bucket.count == sum(
            1 for n in docs if papers[n].votes is not None and papers[n].votes >= low  # type: ignore[operator]
            and (high is None or papers[n].votes <= high))  # type: ignore[operator]
    assert sum(b.count for b in facets.votes) + facets.unknown_votes == len(docs)


def test_search_filters_use_the_same_columns(index: PaperIndex, tmp_path: Path) -> None:
    papers = papers_by_docnum(index)
    want = {papers[n].arxiv_id for n in expected(papers, since=dt.date(2030, 1, 20))}
    result = index.search("", since=dt.date(2030, 1, 20), limit=1000)
    assert {h.arxiv_id for h in result.hits} == want


class _PublicReader:
    """A segment reader with only Whoosh's public calls (what another codec offers)."""

    def __init__(self, leaf: object) -> None:
        self.doc_count_all = leaf.doc_count_all  # type: ignore[attr-defined]
        self.doc_field_length = leaf.doc_field_length  # type: ignore[attr-defined]


def test_field_lengths_read_whole_agree_with_whoosh_document_by_document(
        index: PaperIndex) -> None:
    """The bulk read of a segment's length column gives what doc_field_length gives for
    every document (papers, days, the meta document), and so does the public fallback."""
    checked = 0
    with index.reading() as lease:
        leaves = [leaf.reader() for leaf, _ in lease.searcher.leaf_searchers()]
        assert len(leaves) > 1  # several segments, one of them small
        for leaf in leaves:
            for name in ("title", "summary", "authors", "kind"):
                want = [leaf.doc_field_length(d, name, 0) or 0
                        for d in range(leaf.doc_count_all())]
                assert list(field_lengths(leaf, name)) == want
                assert list(field_lengths(_PublicReader(leaf), name)) == want
                checked += sum(1 for n in want if n)
    assert checked > 1000
