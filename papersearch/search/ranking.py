"""Ranking: BM25F text scores blended with community votes.

The final score of a paper is::

    score = text_score * vote_factor
    vote_factor = 1 + vote_weight * min(1, log(1 + votes) / log(1 + VOTE_SATURATION))

``text_score`` is Whoosh's BM25F over title, summary and authors with the
field boosts below. ``vote_factor`` lies in ``[1, 1 + vote_weight]``: a paper with
0 votes keeps its text score, and a paper can overtake another only
if its text score is within a factor ``1 + vote_weight`` of it, so votes order
near-equal matches and never bury a clearly better one. The log damps the
long tail (median 8 votes, 99th percentile 69, maximum 291 in the corpus);
papers at ``VOTE_SATURATION`` votes or more get the full boost. A paper whose digest
gave no votes (``Vote: -``, no Vote line: 117 papers, most of November and December
2023) counts as a typical one, :data:`UNKNOWN_VOTES`, not as one nobody voted for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer

from papersearch.search.bm25f import FieldsTerm
from papersearch.search.columns import vote_at

DEFAULT_VOTE_WEIGHT = 0.3
VOTE_SATURATION = 100
UNKNOWN_VOTES = 8
"""The votes a paper of unknown votes counts as: the corpus median. Counted as 0, the
papers of the early digests, which gave no votes, ranked below their peers on every
query (nDCG@10 on the author queries 0.981, against 0.986 counted as the median)."""


@dataclass(frozen=True)
class Ranking:
    """Every knob of ranking in one value, with the defaults the relevance benchmark chose.

    - ``title_boost``/``summary_boost``/``authors_boost``: BM25F field weights. A
      title is the paper's own one line on its topic; 3.0 (2.0 before the mixed-query
      and loanword-alignment changes) scored 0.762 nDCG@10 on the benchmark against
      0.757 at 2.0, 0.761 at 2.5 and 0.764 at 4.0; every query type as high as at 2.0
      or higher but English (0.850 against 0.851).
    - ``k1``, ``b``, ``title_b``, ``authors_b``: BM25 term saturation and length
      normalization (per field for the short title and author fields). ``authors_b``
      is 0: being one of thirty authors is being an author. At 0.3 a long author list
      lowered the name's score by as much as the topic word scored, so among one
      person's papers the shortest author lists came first (``Wenhu Chen 벤치마크``).
    - ``authors_k1`` (the saturation of the authors field, :meth:`k1_of`) is 0, which
      makes ``authors_b`` moot (BM25 at ``k1`` 0 is idf alone): a name
      word counts once however often it is in the list. A second Chen among the authors
      does not make a paper more Wenhu Chen's, but at ``k1`` 1.2 it added 37% to
      ``chen`` and to the name phrase, more than the topic word scored in most papers,
      so papers with two Chens came first. 0 scored ``Wenhu Chen 벤치마크`` 0.922 against
      0.818 and the author queries 0.981 against 0.975; ``Ziwei Liu 비디오 생성`` lost
      (0.865 against 0.904), the other Lius having put its best papers first by luck.
    - ``vote_weight``: how much votes can lift a text score (see :func:`vote_factor`).
    - ``match_ratio``: the share of a query's words (top-level clauses) a paper must
      have when the query has three or more; 1.0 is a strict AND (see
      :mod:`papersearch.search.coordination`).
    - ``coord_power``: how hard a paper missing some of those words is pushed down.
    - ``expansion_weight``: the weight of a glossary translation relative to the
      user's own word (0 turns expansion off).
    - ``variant_weight``: the weight of another spelling of a word reached through its
      translation (라벨 -> label -> 레이블), relative to a translation.
    - ``name_weight``: the weight, relative to the authors field, of two query words
      found side by side in one author's name (``Song Han``), on top of the words.
    - ``intent_weight``: the weight of a query's intent words (``이용한``, ``방법``,
      :mod:`papersearch.search.intent`), which add to a score but are never required.
    - ``partial_power``: how hard coverage orders the papers that match only part of
      the query, shown after the full matches (0: by their summed scores alone).
    - ``bm25f``: score a word once across title and summary (:mod:`papersearch.search.bm25f`:
      one idf, one saturation), not once per field.
    - ``aligned``: a Korean word also finds the English title word it goes with in the
      index's papers (:mod:`papersearch.search.alignment`), as a translation.
    - ``mixed_tie``: in a query that names its topic in English (a Latin-letter word
      that is not part of a person's name: ``LoRA로 효율적인 미세조정``, and English
      queries too), every word and its translations count as one piece of evidence (a
      Korean word and its English, an English word and its Korean): a paper gets the best
      of their scores plus this share of the others (:mod:`papersearch.search.bestof`).
      1.0 adds them up, as all-Korean queries do. Added up, the generic Korean words
      (미세조정 and finetun) outweighed the English word that names the topic (LoRA).
      The translation of a run of words (``reward model`` -> 보상 모델) weighs this
      share too; added in full, English queries scored 0.847 against 0.866.
    - ``adjacency``: score a word that analyzes to several terms (``강화학습``) higher
      where those terms stand side by side. Off: on the relevance benchmark it did not
      help (nDCG@10 a little lower with it) and its phrase matching is the costliest
      part of such queries.

    ``vote_weight`` 0.3: on the benchmark's curve (``benchmarks/RESULTS.md``) nDCG@10
    goes 0.734 (no votes), 0.748 (0.3), 0.755 (0.5), 0.734 (1.0). The gain is nearly
    all on known-item queries (the papers people remember are the popular ones);
    Korean and mixed queries are best at 0.1 to 0.2 and lose from 0.5 on, so 0.3 takes
    most of the gain and keeps votes a tie-breaker (within 30%).

    ``intent_weight`` 0.75: nDCG@10 0.758 (0.25), 0.761 (0.5), 0.762 (0.75), 0.762
    (1.0). Lower weights help Korean queries (0.721 at 0.5, 0.704 at 1.0) and cost
    short mixed ones, whose goal word is part of the topic (``CoT 길이 줄이기``: 0.741 at
    1.0, 0.557 at 0.5); 0.75 keeps most of the one and loses little of the other. (Until
    the weight reached the title+summary term, every setting scored as 1.0 does.)

    ``description_votes`` 3.0 over ``description_words`` (5, 8): a query of six words or
    more (its required words, the top-level clauses the user typed, found in the index or
    not; not its intent words or exclusions; a quoted phrase or an OR group is one) describes
    one paper (``스스로 점수를 매겨 보상을 주며 나아지는 언어 모델``), and
    the papers people half remember are the popular ones, while such a description
    matches many papers in part: votes weigh 0.3 up to five words, then more with each
    word, 0.9 from eight. On the benchmark's known-item queries (4 to 10 words, most 6 or
    more) nDCG@10 went 0.693 -> 0.719 (all 0.780 -> 0.788), every other type (5 words or
    fewer) unchanged; twice the weight gave 0.694, two and a half 0.708, four and six
    times 0.718. A flat weight of 1.0 for every query had cost the topical ones (Korean
    0.684, mixed 0.725).

    ``match_ratio`` 0.75: 0.5 scored 0.011 higher on the benchmark, but it lets two
    words of four match, and its warm p95 latency was 26% higher; strict AND scored
    0.711.
    """

    title_boost: float = 3.0
    summary_boost: float = 1.0
    authors_boost: float = 1.5
    k1: float = 1.2
    b: float = 0.75
    title_b: float = 0.5
    authors_b: float = 0.0
    authors_k1: float = 0.0
    vote_weight: float = DEFAULT_VOTE_WEIGHT
    match_ratio: float = 0.75
    coord_power: float = 1.0
    expansion_weight: float = 0.5
    adjacency: bool = False
    variant_weight: float = 0.5
    name_weight: float = 1.0
    intent_weight: float = 0.75
    partial_power: float = 1.0
    bm25f: bool = True
    aligned: bool = True
    mixed_tie: float = 0.3
    description_words: tuple[int, int] = (5, 8)
    description_votes: float = 3.0

    def boost(self, fieldname: str) -> float:
        """The BM25F weight of a text field (1.0 for any other)."""
        return float(getattr(self, f"{fieldname}_boost", 1.0))

    def b_of(self, fieldname: str) -> float:
        """The BM25 length normalization of a field."""
        return float(getattr(self, f"{fieldname}_b", self.b))

    def k1_of(self, fieldname: str) -> float:
        """The BM25 term saturation of a field scored on its own."""
        return float(getattr(self, f"{fieldname}_k1", self.k1))

    def fields_term(self, text: str, fieldnames: Sequence[str], weight: float = 1.0
                    ) -> FieldsTerm:
        """``text`` in ``fieldnames``, scored by BM25F as one term, each field at its
        boost times ``weight``."""
        return FieldsTerm(text, [(f, self.boost(f) * weight) for f in fieldnames],
                          [self.b_of(f) for f in fieldnames], self.k1)

    def for_words(self, words: int) -> Ranking:
        """These settings for a query of ``words`` words (top-level clauses): past the
        first of ``description_words``, the weight of votes grows, up to
        ``description_votes`` times at the second (see the class docstring)."""
        start, full = self.description_words
        if words <= start or self.description_votes == 1.0 or self.vote_weight <= 0:
            return self
        share = min(1.0, (words - start) / max(1, full - start))
        return replace(self, vote_weight=self.vote_weight
                       * (1.0 + (self.description_votes - 1.0) * share))

    def min_match(self, clauses: int) -> int:
        """How many of ``clauses`` top-level clauses a paper must match."""
        if clauses < 3:
            return clauses
        return max(2, min(clauses, math.ceil(self.match_ratio * clauses - 1e-9)))


DEFAULT_RANKING = Ranking()


def vote_factor(votes: int | None, vote_weight: float = DEFAULT_VOTE_WEIGHT) -> float:
    """The multiplier votes give a text score: 1.0 for none, that of :data:`UNKNOWN_VOTES`
    for unknown votes (None, or -1 as the votes column has it)."""
    if votes is None or votes < 0:
        votes = UNKNOWN_VOTES
    if votes <= 0 or vote_weight <= 0:
        return 1.0
    scaled = min(1.0, math.log1p(votes) / math.log1p(VOTE_SATURATION))
    return 1.0 + vote_weight * scaled


class VoteBlendedBM25F(BM25F):  # type: ignore[misc]
    """BM25F whose per-document final score is multiplied by :func:`vote_factor`.

    Create one per searcher: it keeps that searcher's votes column reader.
    """

    use_final = True

    def __init__(self, ranking: Ranking = DEFAULT_RANKING) -> None:
        super().__init__(B=ranking.b, K1=ranking.k1, title_B=ranking.title_b,
                         authors_B=ranking.authors_b)
        self.ranking = ranking
        self.vote_weight = ranking.vote_weight
        self._votes: Any = None
        self._votes_reader: Any = None

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        """Whoosh's BM25F scorer, with the field's own saturation (``Ranking.k1_of``)."""
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return BM25FScorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B),
                           self.ranking.k1_of(fieldname), qf=qf)

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        if self.vote_weight <= 0:
            return score
        # Whoosh calls this with the top searcher and global numbers when collecting,
        # but with a segment's searcher and local numbers when sorting by score:
        # the column must be the one of the reader it is called with.
        reader = searcher.reader()
        if self._votes_reader is not reader:
            self._votes, self._votes_reader = reader.column_reader("votes"), reader
        return score * vote_factor(vote_at(self._votes, docnum), self.vote_weight)
