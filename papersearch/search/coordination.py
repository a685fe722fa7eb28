"""Coordination: "most of the query", the soft AND that long queries need.

Whoosh's ``And`` demands every word and its ``Or`` ranks a paper with one rare
word above one with all the others; its ``Or(minmatch=...)`` is not implemented.
A query typed as a description (``대규모 언어 모델의 환각을 줄이는 방법``) has words
a relevant paper need not contain (``방법``, ``줄이``), so papersearch asks for
most of it instead: :class:`CoordinatedOr` matches papers with at least
``min_match`` of its clauses and scales a paper's summed score by the share of
clauses it matched, ``(matched / clauses) ** power``, so the complete matches
still come first. (Weighting clauses by IDF instead, so common words could not
stand in for a rare one, was faster on some queries but scored lower on the
relevance benchmark: nDCG@10 0.727 against 0.749.)

A child may stand for several clauses (``coverage``, a bit mask): the glossary
translation of a multi-word term (``reward model`` for ``보상 모델``) is one
child covering both words, so it is matched once, not once per word, and a
paper with it counts as having both. A paper's matched clauses are the union
of its matching children's coverage.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import Matcher

from papersearch.search.unionmatch import ChildrenMatcher


class CoordinatedOr(wq.Or):  # type: ignore[misc]
    """Papers matching at least ``min_match`` of the clauses, scored by coordination."""

    JOINT = " cOR "

    def __init__(self, subqueries: list[wq.Query], min_match: int, power: float = 1.0,
                 boost: float = 1.0, coverage: list[int] | None = None) -> None:
        super().__init__(subqueries, boost=boost)
        self.coverage = coverage if coverage is not None else [
            1 << i for i in range(len(subqueries))]
        if len(self.coverage) != len(subqueries):
            raise ValueError("one coverage mask per subquery")
        self.clauses = clause_count(self.coverage)
        self.min_match = max(1, min(min_match, self.clauses))
        self.power = power

    def __repr__(self) -> str:
        return (f"CoordinatedOr({self.subqueries!r}, min_match={self.min_match}, "
                f"coverage={self.coverage})")

    def _key(self) -> tuple[Any, ...]:
        return (tuple(self.subqueries), self.min_match, self.power, self.boost,
                tuple(self.coverage))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CoordinatedOr) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def normalize(self) -> wq.Query:
        # Never merged with or flattened into other ORs: the clause count is the point.
        return CoordinatedOr([q.normalize() for q in self.subqueries], self.min_match,
                             self.power, self.boost, list(self.coverage))

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        children = [q.matcher(searcher, context) for q in self.subqueries]
        return CoordinatedMatcher(children, self.min_match, self.power, self.boost,
                                  self.coverage)


def clause_count(coverage: list[int]) -> int:
    """How many clauses the children's coverage masks stand for together."""
    covered = 0
    for mask in coverage:
        covered |= mask
    return bin(covered).count("1")


class CoordinatedMatcher(ChildrenMatcher):
    """An N-way union that only stops on documents that match enough of the clauses.

    It never steps through documents that cannot qualify: taking the children in
    order of their current document, the earliest document that can qualify is
    where their coverage first reaches ``min_match`` clauses, so every child
    behind it skips straight there.
    """

    def __init__(self, children: list[Matcher], min_match: int, power: float = 1.0,
                 boost: float = 1.0, coverage: list[int] | None = None) -> None:
        super().__init__(children, boost)
        self._coverage = coverage if coverage is not None else [
            1 << i for i in range(len(children))]
        self._total = clause_count(self._coverage) or 1
        self._min = min_match
        self._power = power
        self._id: int | None = None
        self._settle()

    def _settle(self) -> None:
        """Move to the first document at or after the children's positions that qualifies."""
        while True:
            pairs = zip(self._children, self._coverage, strict=True)
            active = sorted(((c.id(), mask) for c, mask in pairs if c.is_active()),
                            key=lambda item: item[0])
            covered, target = 0, None
            for docnum, mask in active:
                covered |= mask
                if bin(covered).count("1") >= self._min:
                    target = docnum
                    break
            if target is None:
                self._id = None
                return
            if active[0][0] == target:
                self._id = target
                return
            self._skip_children_to(target)

    def _current(self) -> list[Matcher]:
        return [c for c in self._children if c.is_active() and c.id() == self._id]

    def covered(self) -> int:
        """The mask of the clauses the current document matches."""
        mask = 0
        for child, coverage in zip(self._children, self._coverage, strict=True):
            if child.is_active() and child.id() == self._id:
                mask |= coverage
        return mask

    # -- the Matcher protocol ------------------------------------------------------

    def is_active(self) -> bool:
        return self._id is not None

    def reset(self) -> None:
        for child in self._children:
            child.reset()
        self._settle()

    def id(self) -> int:
        if self._id is None:
            raise ValueError("inactive matcher")
        return self._id

    def next(self) -> bool:
        for child in self._current():
            child.next()
        self._settle()
        return False

    def skip_to(self, target: int) -> bool:
        self._skip_children_to(target)
        self._settle()
        return False

    def score(self) -> float:
        total = sum(c.score() for c in self._current())
        share = bin(self.covered()).count("1") / self._total
        return float(total * self._boost * share ** self._power)

    def copy(self) -> CoordinatedMatcher:
        return CoordinatedMatcher([c.copy() for c in self._children], self._min,
                                  self._power, self._boost, self._coverage)
