"""Coordination: "most of the words", the soft AND that long queries need.

Whoosh's ``And`` demands every word and its ``Or`` ranks a paper with one rare
word above one with all the others; its ``Or(minmatch=...)`` is not implemented.
A query typed as a description (``대규모 언어 모델의 환각을 줄이는 방법``) has words
a relevant paper need not contain (``방법``, ``줄이``), so papersearch asks for
most of them instead: :class:`CoordinatedOr` matches papers with at least
``min_match`` of its clauses and scales a paper's summed score by the share of
clauses it matched, ``(matched / clauses) ** power``, so the complete matches
still come first.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher


class CoordinatedOr(wq.Or):  # type: ignore[misc]
    """Papers matching at least ``min_match`` of the subqueries, scored by coordination."""

    JOINT = " cOR "

    def __init__(self, subqueries: list[wq.Query], min_match: int, power: float = 1.0,
                 boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost)
        self.min_match = max(1, min(min_match, len(subqueries)))
        self.power = power

    def __repr__(self) -> str:
        return f"CoordinatedOr({self.subqueries!r}, min_match={self.min_match})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, CoordinatedOr) and self.subqueries == other.subqueries
                and self.min_match == other.min_match and self.power == other.power
                and self.boost == other.boost)

    def __hash__(self) -> int:
        return hash((tuple(self.subqueries), self.min_match, self.power))

    def normalize(self) -> wq.Query:
        # Never merged with or flattened into other ORs: the clause count is the point.
        return CoordinatedOr([q.normalize() for q in self.subqueries], self.min_match,
                             self.power, self.boost)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        children = [q.matcher(searcher, context) for q in self.subqueries]
        return CoordinatedMatcher(children, self.min_match, self.power, self.boost)


class CoordinatedMatcher(Matcher):  # type: ignore[misc]
    """An N-way union that only stops on documents at least ``min_match`` children match.

    It never steps through documents that cannot qualify: the earliest document
    that ``min_match`` children can share is the ``min_match``-th smallest of their
    current ids, so every child behind it skips straight there.
    """

    def __init__(self, children: list[Matcher], min_match: int, power: float = 1.0,
                 boost: float = 1.0) -> None:
        self._children = children
        self._total = len(children)
        self._min = min_match
        self._power = power
        self._boost = boost
        self._id: int | None = None
        self._settle()

    def _settle(self) -> None:
        """Move to the first document at or after the children's positions that qualifies."""
        while True:
            active = [c for c in self._children if c.is_active()]
            if len(active) < self._min:
                self._id = None
                return
            ids = sorted(c.id() for c in active)
            if ids[0] == ids[self._min - 1]:
                self._id = ids[0]
                return
            target = ids[self._min - 1]
            for child in active:
                if child.id() < target:
                    child.skip_to(target)

    def _current(self) -> list[Matcher]:
        return [c for c in self._children if c.is_active() and c.id() == self._id]

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
        for child in self._children:
            if child.is_active() and child.id() < target:
                child.skip_to(target)
        self._settle()
        return False

    def score(self) -> float:
        current = self._current()
        total = sum(c.score() for c in current)
        return float(total * self._boost * (len(current) / self._total) ** self._power)

    def weight(self) -> float:
        return float(sum(c.weight() for c in self._current()))

    def supports_block_quality(self) -> bool:
        return False

    def children(self) -> list[Matcher]:
        return list(self._children)

    def term_matchers(self) -> Any:
        for child in self._children:
            yield from child.term_matchers()

    def matching_terms(self, id: int | None = None) -> Any:
        for child in self._current():
            yield from child.matching_terms(child.id())

    def copy(self) -> CoordinatedMatcher:
        return CoordinatedMatcher([c.copy() for c in self._children], self._min,
                                  self._power, self._boost)

    def replace(self, minquality: float = 0) -> Matcher:
        if not self.is_active():
            return NullMatcher()
        return self

    def spans(self) -> list[Any]:
        return []
