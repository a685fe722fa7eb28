"""Facets: how the papers matching a search spread over months, authors and votes.

Counted over every match, not just the hits shown, from the per-searcher columns
of :mod:`papersearch.filtering`, so each count is what clicking that facet
(``since``/``until`` for a month, ``author``, ``min_votes``/``max_votes``) leaves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from papersearch.filtering import PaperColumns
from papersearch.models import FacetCount, Facets, VoteBucket

VOTE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 4), (5, 9), (10, 19), (20, 49), (50, None))
"""Vote ranges (inclusive; None: no upper bound), chosen from the corpus: about half
of its papers have fewer than 5 votes and one in a hundred has 50 or more."""

TOP_AUTHORS = 10


def count_facets(columns: PaperColumns, docs: Collection[int],
                 top_authors: int = TOP_AUTHORS) -> Facets:
    """Month, author (the ``top_authors`` most frequent) and vote-bucket counts of ``docs``."""
    months: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    buckets = [0] * len(VOTE_BUCKETS)
    unknown = 0
    votes = columns.votes()
    names = columns.authors() if top_authors > 0 else None
    for doc in docs:
        months.update(columns.listing_months(doc))
        if names is not None:
            authors.update(names[doc])
        value = votes[doc]
        if value is None or value < 0:
            unknown += 1
            continue
        for i, (low, high) in enumerate(VOTE_BUCKETS):
            if value >= low and (high is None or value <= high):
                buckets[i] += 1
                break
    vote_buckets = [
        VoteBucket(value=f"{low}+" if high is None else f"{low}-{high}", count=count,
                   min_votes=low, max_votes=high)
        for (low, high), count in zip(VOTE_BUCKETS, buckets, strict=True)
    ]
    return Facets(
        months=[FacetCount(value=m, count=c) for m, c in sorted(months.items(), reverse=True)],
        authors=[FacetCount(value=a, count=c) for a, c in
                 sorted(authors.items(), key=lambda item: (-item[1], item[0]))[:top_authors]],
        votes=vote_buckets,
        unknown_votes=unknown,
    )
