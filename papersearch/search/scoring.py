"""Scoring: a compiled query scored a term at a time over cached, scored postings.

Whoosh's matchers walk a query document by document through a tree of Python
objects, about a microsecond per node per document: a four-word Korean query
whose words are in most papers (``시각 언어 모델 평가``) took 90 ms at 5,487
papers, nearly all of it in ``whoosh/matching/binary.py`` and the coordination
matcher stepping through the union of common words.

:class:`Evaluator` computes the same scores the other way round. Each term's
postings are read and scored once per searcher by the searcher's own weighting
(Whoosh's BM25F scorer, so idf, field lengths and per-field ``B`` are Whoosh's),
and kept in a bounded cache; a phrase's matches come from Whoosh's own phrase
matcher, also once. A query is then a few numpy operations over arrays as long as
the index has documents (:data:`Dense`): a union adds a term's scores in at its
documents, an intersection ANDs masks, the soft AND of
:mod:`papersearch.search.coordination` ORs coverage bit masks, and the top hits come
from a partition, not a heap over every match. Scores are added in the same order
as by Whoosh, so they are the same floating-point numbers; at 54,870 papers this
took broad queries (모델, 언어 모델) from ~50 ms with Python dictionaries to ~4-8 ms.
The result is the same documents with the same scores as ``searcher.search``
(checked against it by the tests), in a fraction of the time, and an exact total.

Query types it does not know are evaluated by their own Whoosh matcher, so any
query still works.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.scoring import BM25FScorer, bm25

from papersearch.search.bm25f import FieldsTerm, normalized_tf, statistics
from papersearch.search.columns import PaperColumns, field_lengths
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.ranking import vote_factor

T = TypeVar("T")

LENGTHS_ARRAY_AFTER = 200
"""Postings of a term in a segment beyond which its field lengths come from an array."""

Scores = dict[int, float]
"""Global document number -> text score (before the vote factor)."""
Values = NDArray[np.float64]
Mask = NDArray[np.bool_]
Docs = NDArray[np.intp]
Dense = tuple[Values, Mask]
"""Text scores over every document of a searcher (0.0 where it does not match), and
which documents match."""
MAX_CACHED_MASKS = 16
"""Filter sets an evaluator keeps as masks."""

MAX_CACHED_POSTINGS = 4_000_000
"""Scored postings kept per searcher (12 bytes each: about 48 MB at most). The terms
of everyday queries (모델, 언어, model) are the long lists; at 54,870 papers the
longest holds about 40,000."""


class Postings:
    """One term's or phrase's matching documents (ascending) and their unboosted scores."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: array[int], scores: array[float]) -> None:
        self.docs = docs
        self.scores = scores

    def __len__(self) -> int:
        return len(self.docs)


EMPTY = Postings(array("i"), array("d"))


@dataclass(frozen=True)
class Ranked:
    """The outcome of evaluating a query: the top documents and how many matched."""

    top: list[tuple[int, float]]  # (global docnum, final score), best first
    total: int
    matched: Collection[int] = ()  # every matching document, ascending (what facets count)


class PostingsCache:
    """A least-recently-used map of scored postings, bounded by their total length."""

    def __init__(self, max_postings: int = MAX_CACHED_POSTINGS) -> None:
        self.max_postings = max_postings
        self.size = 0
        self._entries: OrderedDict[tuple[Any, ...], Postings] = OrderedDict()

    def peek(self, key: tuple[Any, ...]) -> Postings | None:
        """The entry for ``key`` if cached (not counted as a use)."""
        return self._entries.get(key)

    def get(self, key: tuple[Any, ...], compute: Callable[[], Postings]) -> Postings:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        postings = compute()
        if len(postings) <= self.max_postings:
            self._entries[key] = postings
            self.size += len(postings)
            while self.size > self.max_postings:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)
        return postings


class Evaluator:
    """Evaluates queries against one searcher; keeps that searcher's scored postings.

    Not thread-safe: like the searcher, one per thread (:class:`~papersearch.PaperIndex`
    keeps one beside each thread's searcher).
    """

    def __init__(self, searcher: Any, columns: PaperColumns | None = None,
                 max_postings: int = MAX_CACHED_POSTINGS) -> None:
        self.searcher = searcher
        self.columns = columns or PaperColumns(searcher)
        self.cache = PostingsCache(max_postings)
        self._reader = searcher.reader()
        self._size = self._reader.doc_count_all()
        self._derived: dict[Any, Any] = {}
        self._masks: dict[int, tuple[Collection[int], Mask]] = {}

    def derived(self, name: str, make: Callable[[], T]) -> T:
        """A value computed once per searcher (this evaluator's index version), such as the
        glossary lookups of :mod:`papersearch.search.expansion`."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = make()
        return found

    # -- leaves ------------------------------------------------------------------------

    def term(self, fieldname: str, text: Any) -> Postings:
        """A term's postings scored by the searcher's weighting (boost 1)."""
        return self.cache.get(("term", fieldname, text), lambda: self._read_term(fieldname, text))

    def _read_term(self, fieldname: str, text: Any) -> Postings:
        schema = self.searcher.schema
        if fieldname not in schema:
            return EMPTY
        try:
            btext = schema[fieldname].to_bytes(text)
        except ValueError:
            return EMPTY
        if (fieldname, btext) not in self._reader:
            return EMPTY
        docs, scores = array("i"), array("d")
        weighting = self.searcher.weighting
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            if (fieldname, btext) not in reader:
                continue
            scorer = weighting.scorer(subsearcher, fieldname, btext)
            if not isinstance(scorer, BM25FScorer):  # another weighting: its own matchers
                return self._collect(wq.Term(fieldname, btext))
            # Whoosh's BM25FScorer.score, inlined: the same function on the same numbers
            # (global idf and average length, the segment's field lengths), without
            # three Python calls a posting.
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            length = self._lengths(subsearcher, offset, fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            while matcher.is_active():
                docnum = matcher.id()
                docs.append(docnum + offset)
                scores.append(bm25(idf, matcher.weight(), length(docnum, fieldname, 1),
                                   avgfl, b, k1))
                matcher.next()
        return Postings(docs, scores)

    def _lengths(self, subsearcher: Any, offset: int, fieldname: str, text: Any
                 ) -> Callable[[int, str, int], int]:
        """``doc_field_length`` of one segment, as an array read once per searcher when
        the term is common there (a call a posting cost half of reading a common term;
        the array costs one pass over the segment's documents)."""
        if subsearcher.reader().doc_frequency(fieldname, text) < LENGTHS_ARRAY_AFTER:
            return subsearcher.doc_field_length  # type: ignore[no-any-return]
        key = ("lengths", offset, fieldname)
        lengths = self._derived.get(key)
        if lengths is None:
            lengths = self._derived[key] = field_lengths(subsearcher.reader(), fieldname)
        return lambda docnum, _fieldname, _default: int(lengths[docnum])

    def fields_term(self, q: FieldsTerm) -> Postings:
        """A term's BM25F postings across fields (:mod:`papersearch.search.bm25f`), boost 1."""
        return self.cache.get(q.key(), lambda: self._read_fields_term(q))

    def _read_fields_term(self, q: FieldsTerm) -> Postings:
        found: dict[int, list[tuple[int, float, float]]] = {}
        in_field: list[array[int]] = [array("i") for _ in q.fieldnames]
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            for i, name in enumerate(q.fieldnames):
                if (name, q.text) not in reader:
                    continue
                length = self._lengths(subsearcher, offset, name, q.text)
                matcher = reader.postings(name, q.text)
                while matcher.is_active():
                    docnum = matcher.id()
                    found.setdefault(docnum + offset, []).append(
                        (i, matcher.weight(), length(docnum, name, 1)))
                    in_field[i].append(docnum + offset)
                    matcher.next()
        for name, docs in zip(q.fieldnames, in_field, strict=True):
            # which documents have the term in each field, for contains() (highlighting)
            self.cache.get(("docs", name, q.text), _postings_of(docs))
        if not found:
            return EMPTY
        stats = statistics(self.searcher, q, df=len(found))
        docs, scores = array("i"), array("d")
        for docnum in sorted(found):
            pseudo = 0.0
            for i, tf, field_length in found[docnum]:
                boost, b, average = stats.fields[i]
                pseudo += normalized_tf(tf, field_length, boost, b, average)
            docs.append(docnum)
            scores.append(stats.score(pseudo))
        return Postings(docs, scores)

    def phrase(self, q: wq.Phrase) -> Postings:
        """Where Whoosh's phrase matcher finds the phrase, and its score there (boost 1).

        (Checking positions only in the documents the cached term postings share was
        slower on a cold searcher: it reads and scores both terms' whole postings.)
        """
        key = ("phrase", q.fieldname, tuple(q.words), q.slop)
        plain = wq.Phrase(q.fieldname, list(q.words), slop=q.slop)
        return self.cache.get(key, lambda: self._collect(plain))

    def _collect(self, q: wq.Query) -> Postings:
        """Every document ``q``'s own Whoosh matcher matches, segment by segment, as the
        collector would, with its score."""
        docs, scores = array("i"), array("d")
        context = self.searcher.context()
        for subsearcher, offset in self.searcher.leaf_searchers():
            matcher = q.matcher(subsearcher, context)
            while matcher.is_active():
                docs.append(matcher.id() + offset)
                scores.append(matcher.score())
                matcher.next()
        return Postings(docs, scores)

    # -- nodes -------------------------------------------------------------------------

    def scores(self, q: wq.Query) -> Scores:
        """The documents ``q`` matches and their text scores."""
        values, present = self.dense(q)
        docs = np.flatnonzero(present)
        return dict(zip(docs.tolist(), values[docs].tolist(), strict=True))

    def dense(self, q: wq.Query) -> Dense:
        """``q``'s text scores as an array over every document of the searcher, and which
        documents it matches (the scores of the others are 0.0)."""
        values = np.zeros(self._size)
        present = np.zeros(self._size, dtype=bool)
        self._add(q, values, present, 1.0)
        return values, present

    def _add(self, q: wq.Query, values: Values, present: Mask, weight: float) -> None:
        """Add ``weight`` times ``q``'s score into ``values`` for every document it
        matches, and mark those in ``present``."""
        weight *= q.boost
        if isinstance(q, wq.Term):
            _add_postings(values, present, self.term(q.fieldname, q.text), weight)
        elif isinstance(q, FieldsTerm):
            _add_postings(values, present, self.fields_term(q), weight)
        elif isinstance(q, wq.Phrase):
            _add_postings(values, present, self.phrase(q), weight)
        elif isinstance(q, CoordinatedOr):
            _add_dense(values, present, self._coordinated(q), weight)
        elif type(q) is wq.Or:  # plain unions (not DisjunctionMax, not minmatch)
            if q.minmatch or q.scale:
                _add_dense(values, present, self._whoosh(q), weight)
                return
            for child in q.subqueries:
                self._add(child, values, present, weight)
        elif type(q) is wq.And:
            _add_dense(values, present, self._intersection(q.subqueries), weight)
        elif isinstance(q, wq.AndNot):
            _add_dense(values, present, self._and_not(q), weight)
        elif isinstance(q, wq.AndMaybe):
            _add_dense(values, present, self._and_maybe(q), weight)
        elif q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return
        else:
            _add_dense(values, present, self._whoosh(q), weight)

    def _intersection(self, children: list[wq.Query]) -> Dense:
        """Documents every child matches, their scores added smallest child first."""
        parts = sorted((self.dense(c) for c in children),
                       key=lambda part: int(np.count_nonzero(part[1])))
        if not parts:
            return self._empty()
        values, present = parts[0][0].copy(), parts[0][1].copy()
        for part_values, part_present in parts[1:]:
            present &= part_present
            if not present.any():
                break
            values += part_values
        values[~present] = 0.0
        return values, present

    def _and_not(self, q: wq.AndNot) -> Dense:
        values, present = self.dense(q.a)
        if not present.any():
            return values, present
        _, negative = self.dense(q.b)
        present &= ~negative
        values[negative] = 0.0
        return values, present

    def _and_maybe(self, q: wq.AndMaybe) -> Dense:
        values, present = self.dense(q.a)
        if not present.any():
            return values, present
        optional, _ = self.dense(q.b)
        values += optional  # 0.0 where the optional part does not match
        values[~present] = 0.0
        return values, present

    def _coordinated(self, q: CoordinatedOr) -> Dense:
        """Documents with at least ``min_match`` clauses, summed and scaled by the share."""
        sums = np.zeros(self._size)
        present = np.zeros(self._size, dtype=bool)
        # which clauses each document has, 64 clauses a word of bits
        words = (max(1, q.clauses) + 63) // 64
        masks = [np.zeros(self._size, dtype=np.uint64) for _ in range(words)]
        for child, mask in zip(q.subqueries, q.coverage, strict=True):
            values, matched = self.dense(child)
            docs = np.flatnonzero(matched)
            sums[docs] += values[docs]
            present[docs] = True
            for i in range(words):
                bits = (mask >> (64 * i)) & 0xFFFFFFFFFFFFFFFF
                if bits:
                    masks[i][docs] |= np.uint64(bits)
        need, total, power = q.min_match, q.clauses or 1, q.power
        shares = np.array([(k / total) ** power for k in range(total + 1)])
        counts = sum(np.bitwise_count(m).astype(np.int64) for m in masks)
        present &= counts >= need
        values = np.where(present, sums * shares[np.minimum(counts, total)], 0.0)
        return values, present

    def _whoosh(self, q: wq.Query) -> Dense:
        """Any other query, by its own matcher (not cached)."""
        values, present = self._empty()
        _add_postings(values, present, self._collect(q), 1.0)
        return values, present

    def _empty(self) -> Dense:
        return np.zeros(self._size), np.zeros(self._size, dtype=bool)

    def _mask(self, docs: Collection[int]) -> Mask:
        """``docs`` as a mask over the searcher's documents (a filter's set, remembered
        while it is the columns' cached set)."""
        if isinstance(docs, np.ndarray):
            mask = np.zeros(self._size, dtype=bool)
            mask[docs] = True
            return mask
        found = self._masks.get(id(docs))
        if found is not None and found[0] is docs:
            return found[1]
        mask = np.zeros(self._size, dtype=bool)
        if docs:
            mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        if len(self._masks) >= MAX_CACHED_MASKS:
            self._masks.clear()
        self._masks[id(docs)] = (docs, mask)
        return mask

    def contains(self, fieldname: str, text: str, docnum: int) -> bool:
        """Whether a document has a term, from the cached postings; True when not cached
        (the caller then reads the postings itself)."""
        postings = (self.cache.peek(("term", fieldname, text))
                    or self.cache.peek(("docs", fieldname, text)))
        if postings is None:
            return True
        docs = postings.docs
        i = bisect_left(docs, docnum)
        return i < len(docs) and docs[i] == docnum

    # -- the top of a search -------------------------------------------------------------

    def matches_anything(self, q: wq.Query) -> bool:
        """Whether ``q`` matches any document (from postings alone where it can)."""
        if isinstance(q, wq.Term):
            return len(self.term(q.fieldname, q.text)) > 0
        if isinstance(q, FieldsTerm):
            return len(self.fields_term(q)) > 0
        if type(q) is wq.Or and not (q.minmatch or q.scale):
            return any(self.matches_anything(child) for child in q.subqueries)
        return bool(self.dense(q)[1].any())

    def top(self, q: wq.Query, limit: int, vote_weight: float,
            allowed: Collection[int] | None = None, sort: str = "relevance",
            exclude: Collection[int] = ()) -> Ranked:
        """The best ``limit`` documents of ``q`` among ``allowed`` (all when None), less
        those in ``exclude``.

        Scores are final (text score times vote factor). ``sort`` ``votes`` or ``date``
        orders by that column (newest, most voted first) and then by score. Ties go to
        the lower document number, as in Whoosh's collectors.
        """
        values, present = self.dense(q)
        if allowed is not None:
            present &= self._mask(allowed)
        if len(exclude):
            present &= ~self._mask(exclude)
        docs = np.flatnonzero(present)
        found = values[docs]
        limit = max(1, limit)
        if sort == "relevance":
            best = self._best(docs, found, limit, vote_weight)
        else:
            column = self.columns.votes() if sort == "votes" else self.columns.last_dates()

            def key(item: tuple[int, float]) -> tuple[int, float, int]:
                value = column[item[0]]
                return (-(value if value is not None else -1), -item[1], item[0])

            final = self._final(zip(docs.tolist(), found.tolist(), strict=True), vote_weight)
            best = heapq.nsmallest(limit, final, key=key)
        return Ranked(top=best, total=len(docs), matched=docs)

    def _final(self, items: Iterable[tuple[int, float]], vote_weight: float
               ) -> list[tuple[int, float]]:
        """``(docnum, text score)`` pairs with the score times the document's vote factor."""
        if vote_weight <= 0:
            return list(items)
        vote = self.columns.vote
        return [(d, s * vote_factor(vote(d), vote_weight)) for d, s in items]

    def _best(self, docs: Docs, found: Values, limit: int, vote_weight: float
              ) -> list[tuple[int, float]]:
        """The top ``limit`` by final score, reading votes only for papers that could make it.

        The vote factor lies in [1, 1 + vote_weight]: once the best ``limit`` by text
        score give a ``limit``-th final score T, no paper with text score below
        T / (1 + vote_weight) can reach the top.
        """
        if len(docs) <= limit:
            pairs = zip(docs.tolist(), found.tolist(), strict=True)
            return heapq.nsmallest(limit, self._final(pairs, vote_weight), key=_by_score)
        lead = _top_indices(docs, found, limit)
        leaders = self._final(zip(docs[lead].tolist(), found[lead].tolist(), strict=True),
                              vote_weight)
        if vote_weight <= 0:
            return leaders
        threshold = min(s for _, s in leaders)
        bound = 1.0 + vote_weight
        keep = np.flatnonzero(found * bound >= threshold)
        contenders = zip(docs[keep].tolist(), found[keep].tolist(), strict=True)
        return heapq.nsmallest(limit, self._final(contenders, vote_weight), key=_by_score)


def _top_indices(docs: Docs, found: Values, limit: int) -> Docs:
    """Where the best ``limit`` scores of ``found`` are, best first, ties to the lower
    document number (what ``heapq.nsmallest`` with :func:`_by_score` picks)."""
    count = len(found)
    if count > limit:
        cut = np.partition(found, count - limit)[count - limit]
        candidates = np.flatnonzero(found >= cut)
    else:
        candidates = np.arange(count)
    order = np.lexsort((docs[candidates], -found[candidates]))
    result: Docs = candidates[order[:limit]]
    return result


def _postings_of(docs: array[int]) -> Callable[[], Postings]:
    """A cache entry of documents alone (no scores)."""
    return lambda: Postings(docs, array("d"))


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Best score first; ties to the lower document number."""
    return (-item[1], item[0])


def _add_postings(values: Values, present: Mask, postings: Postings, weight: float) -> None:
    """``values[d] += score * weight`` for each of the postings (in one pass, in C: the
    documents of one postings list are distinct)."""
    if not len(postings):
        return
    docs = np.frombuffer(postings.docs, dtype=np.int32)
    scores = np.frombuffer(postings.scores, dtype=np.float64)
    if weight == 1.0:
        values[docs] += scores
    else:
        values[docs] += scores * weight
    present[docs] = True


def _add_dense(values: Values, present: Mask, other: Dense, weight: float) -> None:
    other_values, other_present = other
    docs = np.flatnonzero(other_present)
    if weight == 1.0:
        values[docs] += other_values[docs]
    else:
        values[docs] += other_values[docs] * weight
    present[docs] = True
