"""Facets: how the papers matching a search spread over months, authors and votes.

Counted over every match, not just the hits shown, from the per-searcher columns
of :mod:`papersearch.search.columns`, so each count is what clicking that facet
(``since``/``until`` for a month, ``author``, ``min_votes``/``max_votes``) leaves.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection
from itertools import chain

from papersearch.models import FacetCount, Facets, VoteBucket
from papersearch.search.columns import PaperColumns

VOTE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 4), (5, 9), (10, 19), (20, 49), (50, None))
"""Vote ranges (inclusive; None: no upper bound), chosen from the corpus: about half
of its papers have fewer than 5 votes and one in a hundred has 50 or more."""

TOP_AUTHORS = 10


def count_facets(columns: PaperColumns, docs: Collection[int],
                 top_authors: int = TOP_AUTHORS) -> Facets:
    """Month, author (the ``top_authors`` most frequent) and vote-bucket counts of ``docs``."""
    month_lists = columns.months()
    months = Counter(chain.from_iterable(month_lists[d] for d in docs))
    authors: Counter[str] = Counter()
    if top_authors > 0:
        names = columns.authors()
        authors = Counter(chain.from_iterable(names[d] for d in docs))
    votes = columns.votes()
    by_votes = Counter(votes[d] for d in docs)
    unknown = sum(n for v, n in by_votes.items() if v is None or v < 0)
    vote_buckets = [
        VoteBucket(value=f"{low}+" if high is None else f"{low}-{high}",
                   count=sum(n for v, n in by_votes.items()
                             if v is not None and v >= low and (high is None or v <= high)),
                   min_votes=low, max_votes=high)
        for low, high in VOTE_BUCKETS
    ]
    return Facets(
        months=[FacetCount(value=m, count=c) for m, c in sorted(months.items(), reverse=True)],
        authors=[FacetCount(value=a, count=c) for a, c in _most_common(authors, top_authors)],
        votes=vote_buckets,
        unknown_votes=unknown,
    )


def _most_common(counts: Counter[str], n: int) -> list[tuple[str, int]]:
    """The ``n`` highest counts, ties by name: a cut at the n-th count, then a small sort
    (a broad query's matches have some 20,000 authors)."""
    if n <= 0 or not counts:
        return []
    cut = heapq.nlargest(n, counts.values())[-1]
    return sorted(((k, c) for k, c in counts.items() if c >= cut),
                  key=lambda item: (-item[1], item[0]))[:n]
