"""Ranking: BM25F text scores blended with community votes.

The final score of a paper is::

    score = text_score * vote_factor
    vote_factor = 1 + vote_weight * min(1, log(1 + votes) / log(1 + VOTE_SATURATION))

``text_score`` is Whoosh's BM25F over title, summary and authors with the
field boosts below. ``vote_factor`` lies in ``[1, 1 + vote_weight]``: a paper with
0 or unknown votes keeps its text score, and a paper can overtake another only
if its text score is within a factor ``1 + vote_weight`` of it, so votes order
near-equal matches and never bury a clearly better one. The log damps the
long tail (median 8 votes, 99th percentile 69, maximum 291 in the corpus);
papers at ``VOTE_SATURATION`` votes or more get the full boost.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from whoosh.scoring import BM25F

DEFAULT_VOTE_WEIGHT = 0.2
VOTE_SATURATION = 100

# Field boosts for the text score: a word in the title says more than one in a bullet.
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "summary": 1.0, "authors": 1.5}

# BM25 parameters; title and authors are short fields, length matters less there.
BM25_K1 = 1.2
BM25_B = 0.75
FIELD_B = {"title_B": 0.5, "authors_B": 0.3}


def vote_factor(votes: int | None, vote_weight: float = DEFAULT_VOTE_WEIGHT) -> float:
    """The multiplier votes give a text score (1.0 for none or unknown votes)."""
    if not votes or votes <= 0 or vote_weight <= 0:
        return 1.0
    scaled = min(1.0, math.log1p(votes) / math.log1p(VOTE_SATURATION))
    return 1.0 + vote_weight * scaled


class VoteBlendedBM25F(BM25F):  # type: ignore[misc]
    """BM25F whose per-document final score is multiplied by :func:`vote_factor`.

    Create one per searcher: it keeps that searcher's votes column reader.
    """

    use_final = True

    def __init__(self, vote_weight: float = DEFAULT_VOTE_WEIGHT, **kwargs: Any) -> None:
        params: dict[str, Any] = {"B": BM25_B, "K1": BM25_K1, **FIELD_B, **kwargs}
        super().__init__(**params)
        self.vote_weight = vote_weight
        self._votes: Any = None
        self._votes_reader: Any = None

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        if self.vote_weight <= 0:
            return score
        # Whoosh calls this with the top searcher and global numbers when collecting,
        # but with a segment's searcher and local numbers when sorting by score:
        # the column must be the one of the reader it is called with.
        reader = searcher.reader()
        if self._votes_reader is not reader:
            self._votes, self._votes_reader = reader.column_reader("votes"), reader
        try:
            votes = self._votes[docnum]
        except (IndexError, struct.error):  # not a paper: day and meta documents have no votes
            votes = 0
        return score * vote_factor(votes, self.vote_weight)
