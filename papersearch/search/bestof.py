"""Best of: alternatives that stand for one thing count about once, not once each.

A Korean word and its glossary translations (미세조정, finetun) are two ways of
saying one thing. Added up, as in an ``Or``, a word with a translation weighs
about twice a word without one. In a query that names its topic in English
(``LoRA로 효율적인 미세조정``) the topic word brings one term, so the generic
Korean words around it outweigh it: papers about efficient fine-tuning in general
come before the LoRA papers. In such a query (and in an English one) each word and its
translations are a :class:`BestOf`, which scores a document by its best alternative
plus ``tie`` times the others (Lucene's ``DisjunctionMaxQuery`` with a
tie-breaker; Whoosh's ``DisjunctionMax`` keeps the tie-breaker but never applies
it, hence this class and its matcher).
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import Matcher, ReadTooFar

from papersearch.search.unionmatch import ChildrenMatcher


def best_of(scores: list[float], tie: float) -> float:
    """The best of ``scores`` plus ``tie`` times the rest (0.0 for none)."""
    if not scores:
        return 0.0
    best = max(scores)
    return best + tie * (sum(scores) - best)


class BestOf(wq.DisjunctionMax):  # type: ignore[misc]
    """Documents matching any subquery, scored by :func:`best_of` of their scores."""

    def __init__(self, subqueries: list[wq.Query], tie: float, boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost, tiebreak=tie)

    @property
    def tie(self) -> float:
        return float(self.tiebreak)

    def __repr__(self) -> str:
        boost = f", boost={self.boost}" if self.boost != 1.0 else ""
        return f"BestOf({self.subqueries!r}, tie={self.tie}{boost})"

    def _key(self) -> tuple[Any, ...]:
        return (tuple(self.subqueries), self.tie, self.boost)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BestOf) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def normalize(self) -> wq.Query:
        # never merged into a plain union: the tie is the point
        return BestOf([q.normalize() for q in self.subqueries], self.tie, self.boost)

    def simplify(self, ixreader: Any) -> wq.Query:
        return BestOf([q.simplify(ixreader) for q in self.subqueries], self.tie,
                      self.boost).normalize()

    def apply(self, fn: Any) -> BestOf:
        return BestOf([fn(q) for q in self.subqueries], self.tie, self.boost)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        children = [q.matcher(searcher, context) for q in self.subqueries]
        return BestOfMatcher(children, self.tie, self.boost)


class BestOfMatcher(ChildrenMatcher):
    """An N-way union scoring each document by :func:`best_of` of its children's scores."""

    def __init__(self, children: list[Matcher], tie: float, boost: float = 1.0) -> None:
        super().__init__(children, boost)
        self._tie = tie

    def _current(self) -> list[Matcher]:
        at = self.id()
        return [c for c in self._children if c.is_active() and c.id() == at]

    def is_active(self) -> bool:
        return any(c.is_active() for c in self._children)

    def id(self) -> int:
        ids = [c.id() for c in self._children if c.is_active()]
        if not ids:
            raise ReadTooFar("inactive matcher")
        return int(min(ids))

    def reset(self) -> None:
        for child in self._children:
            child.reset()

    def next(self) -> bool:
        for child in self._current():
            child.next()
        return False

    def skip_to(self, target: int) -> bool:
        self._skip_children_to(target)
        return False

    def score(self) -> float:
        return float(best_of([c.score() for c in self._current()], self._tie) * self._boost)

    def copy(self) -> BestOfMatcher:
        return BestOfMatcher([c.copy() for c in self._children], self._tie, self._boost)
