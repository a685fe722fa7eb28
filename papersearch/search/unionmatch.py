"""N-way unions of child matchers: the parts of Whoosh's Matcher protocol they share.

Whoosh builds unions as binary trees, whose scores can only add or take the larger of
two. The soft AND of :mod:`papersearch.search.coordination` and the best-of of
:mod:`papersearch.search.bestof` need every child at a document at once; each walks its
children its own way (:meth:`ChildrenMatcher._current`) and scores them its own way, and
inherits the rest from here.
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import Matcher, NullMatcher


class ChildrenMatcher(Matcher):  # type: ignore[misc]
    """A matcher over ``children`` whose score, times ``boost``, comes from those of them
    at the current document (:meth:`_current`). No block quality: it never skips."""

    def __init__(self, children: list[Matcher], boost: float = 1.0) -> None:
        self._children = children
        self._boost = boost

    def _current(self) -> list[Matcher]:
        """The children at the current document."""
        raise NotImplementedError

    def _skip_children_to(self, target: int) -> None:
        """Move every child behind ``target`` to it (or past it)."""
        for child in self._children:
            if child.is_active() and child.id() < target:
                child.skip_to(target)

    def weight(self) -> float:
        """The children's term weights at the current document, added up (Whoosh asks
        for it; no score here is made from it)."""
        return float(sum(c.weight() for c in self._current()))

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        """An upper bound of any score to come: the children's bounds added up."""
        return float(sum(c.max_quality() for c in self._children if c.is_active())
                     * self._boost)

    def children(self) -> list[Matcher]:
        return list(self._children)

    def term_matchers(self) -> Any:
        for child in self._children:
            yield from child.term_matchers()

    def matching_terms(self, id: int | None = None) -> Any:
        for child in self._current():
            yield from child.matching_terms(child.id())

    def replace(self, minquality: float = 0) -> Matcher:
        if not self.is_active():
            return NullMatcher()
        return self

    def spans(self) -> list[Any]:
        return []
