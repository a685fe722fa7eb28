"""BM25F: one term scored across the fields of a paper, not once per field.

Whoosh's ``BM25F`` weighting scores each field on its own (its own document
frequency, its own saturation) and a query adds the fields up. A word in a paper's
title *and* summary is then counted twice, each time nearly at full strength, and a
common word (``LLM``: in 11% of titles but 32% of summaries) weighs twice as much in
the sparse title field as in the summary. The paper that merely names ``DPO`` in its
title outranks the one that is about it.

:class:`FieldsTerm` is the term as BM25F means it (Robertson and Zaragoza, 2009):
the fields' term frequencies, each normalized by its field's length and weighted by
its boost, are added into one frequency, saturated once, and weighed by one inverse
document frequency, that of the papers having the term in any of the fields::

    tf~   = sum over fields f of  w_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    score = idf * tf~ * (k1 + 1) / (tf~ + k1)
    idf   = log(N / (df + 1)) + 1           (Whoosh's idf, df over the fields' union)

:class:`papersearch.search.scoring.Evaluator` scores it natively from the postings; its
Whoosh matcher (:class:`FieldsTermMatcher`) computes the same numbers document by
document, so the two can be held to each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Number = TypeVar("Number", float, "NDArray[np.float64]")
"""One value, or an array of them (the evaluator scores a term's postings at once)."""


class FieldsTerm(wq.Query):  # type: ignore[misc]
    """One term in several fields, scored by BM25F as one (see the module docstring).

    ``fields`` are ``(fieldname, boost)`` pairs; ``b`` gives each field's length
    normalization and ``k1`` the saturation (:class:`papersearch.search.ranking.Ranking`).
    """

    def __init__(self, text: str, fields: Sequence[tuple[str, float]],
                 b: Sequence[float], k1: float, boost: float = 1.0) -> None:
        self.text = text
        self.fields = tuple(fields)
        self.b = tuple(b)
        self.k1 = k1
        self.boost = boost
        if len(self.b) != len(self.fields):
            raise ValueError("one b per field")

    @property
    def fieldnames(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    def key(self) -> tuple[Any, ...]:
        """What determines the unboosted scores (the evaluator's cache key)."""
        return ("fields", self.text, self.fields, self.b, self.k1)

    def __repr__(self) -> str:
        return f"FieldsTerm({self.text!r}, {self.fields!r}, boost={self.boost})"

    def __str__(self) -> str:
        return "(" + "|".join(self.fieldnames) + f"):{self.text}"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FieldsTerm) and self.key() == other.key()
                and self.boost == other.boost)

    def __hash__(self) -> int:
        return hash((self.key(), self.boost))

    def is_leaf(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        for name in self.fieldnames:
            yield name, self.text

    def leaves(self) -> Iterator[wq.Query]:
        yield self

    def estimate_size(self, ixreader: Any) -> int:
        return sum(int(ixreader.doc_frequency(name, self.text)) for name in self.fieldnames)

    def normalize(self) -> wq.Query:
        return self

    def with_boost(self, boost: float) -> FieldsTerm:
        return FieldsTerm(self.text, self.fields, self.b, self.k1, boost)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        stats = statistics(searcher.get_parent(), self)
        parts = []
        for (name, _), weight_b in zip(self.fields, stats.fields, strict=True):
            if (name, self.text) in searcher.reader():
                parts.append((name, weight_b, searcher.reader().postings(name, self.text)))
        if not parts:
            return NullMatcher()
        return FieldsTermMatcher(searcher, parts, stats, self.boost)


class Statistics:
    """The collection statistics one FieldsTerm is scored with."""

    __slots__ = ("fields", "idf", "k1")

    def __init__(self, idf: float, fields: list[tuple[float, float, float]], k1: float) -> None:
        self.idf = idf
        self.fields = fields  # per field: (boost, b, average length)
        self.k1 = k1

    def score(self, pseudo_tf: Number) -> Number:
        """BM25 of the fields' combined, normalized and weighted term frequency (of one
        document, or of an array of them)."""
        return self.idf * pseudo_tf * (self.k1 + 1) / (pseudo_tf + self.k1)


def statistics(searcher: Any, q: FieldsTerm, df: int | None = None) -> Statistics:
    """The idf over the union of the fields (``df`` if known, else counted from the
    postings), and each field's boost, ``b`` and average length, from the top searcher."""
    reader = searcher.reader()
    if df is None:
        docs: set[int] = set()
        for name in q.fieldnames:
            if (name, q.text) in reader:
                docs.update(reader.postings(name, q.text).all_ids())
        df = len(docs)
    idf = math.log(reader.doc_count_all() / (df + 1)) + 1
    fields = [(boost, b, searcher.avg_field_length(name) or 1.0)
              for (name, boost), b in zip(q.fields, q.b, strict=True)]
    return Statistics(idf, fields, q.k1)


def normalized_tf(tf: Number, length: Number, boost: float, b: float, average: float
                  ) -> Number:
    """One field's contribution to the combined term frequency."""
    return boost * tf / ((1 - b) + b * length / average)


class FieldsTermMatcher(Matcher):  # type: ignore[misc]
    """The union of a term's postings in several fields, scored by BM25F per document."""

    def __init__(self, searcher: Any, parts: list[tuple[str, tuple[float, float, float], Any]],
                 stats: Statistics, boost: float) -> None:
        self._searcher = searcher
        self._parts = parts
        self._stats = stats
        self._boost = boost

    def _active(self) -> list[tuple[str, tuple[float, float, float], Any]]:
        return [p for p in self._parts if p[2].is_active()]

    def is_active(self) -> bool:
        return bool(self._active())

    def id(self) -> int:
        return int(min(m.id() for _, _, m in self._active()))

    def next(self) -> bool:
        current = self.id()
        for _, _, m in self._active():
            if m.id() == current:
                m.next()
        return False

    def skip_to(self, target: int) -> bool:
        for _, _, m in self._active():
            if m.id() < target:
                m.skip_to(target)
        return False

    def reset(self) -> None:
        for _, _, m in self._parts:
            m.reset()

    def weight(self) -> float:
        current = self.id()
        return float(sum(m.weight() for _, _, m in self._active() if m.id() == current))

    def score(self) -> float:
        current = self.id()
        pseudo = 0.0
        for name, (boost, b, average), m in self._active():
            if m.id() == current:
                length = self._searcher.doc_field_length(current, name, 1)
                pseudo += normalized_tf(m.weight(), length, boost, b, average)
        return self._stats.score(pseudo) * self._boost

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return self._stats.idf * (self._stats.k1 + 1) * self._boost

    def copy(self) -> FieldsTermMatcher:
        return FieldsTermMatcher(self._searcher, [(n, w, m.copy()) for n, w, m in self._parts],
                                 self._stats, self._boost)

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def term_matchers(self) -> Iterator[Matcher]:
        for _, _, m in self._parts:
            yield from m.term_matchers()

    def matching_terms(self, id: int | None = None) -> Iterator[tuple[str, Any]]:
        current = self.id() if id is None else id
        for name, _, m in self._active():
            if m.id() == current:
                yield name, m.term()[1] if hasattr(m, "term") else None

    def spans(self) -> list[Any]:
        return []
