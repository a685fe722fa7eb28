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
from whoosh.scoring import BM25F, BM25FScorer, bm25

from papersearch.search.bestof import BestOf
from papersearch.search.bm25f import FieldsTerm, normalized_tf, statistics
from papersearch.search.columns import PaperColumns
from papersearch.search.coordination import CoordinatedOr
from papersearch.search.postings import (
    Ids,
    field_lengths,
    segment_positions,
    segment_postings,
)
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
    """One term's or phrase's matching documents (ascending) and their unboosted scores
    (arrays of 32-bit ints and of doubles: ``array.array`` or numpy)."""

    __slots__ = ("docs", "scores")

    def __init__(self, docs: array[int] | Ids, scores: array[float] | Values) -> None:
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
        docs: list[Ids] = []
        scores: list[Values] = []
        weighting = self.searcher.weighting
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            if (fieldname, btext) not in reader:
                continue
            scorer = weighting.scorer(subsearcher, fieldname, btext)
            if not isinstance(scorer, BM25FScorer):  # another weighting: its own matchers
                return self._collect(wq.Term(fieldname, btext))
            # Whoosh's BM25FScorer.score (whoosh.scoring.bm25), the same expression on the
            # same numbers (global idf and average length, the segment's field lengths),
            # over the segment's postings at once.
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            ids, tf = segment_postings(reader, fieldname, btext)
            fl = self._lengths_of(subsearcher, offset, fieldname, ids)
            docs.append(ids + np.int32(offset))
            scores.append(bm25(idf, tf, fl, avgfl, b, k1))
        return _joined(docs, scores)

    def _lengths_of(self, subsearcher: Any, offset: int, fieldname: str, ids: Ids
                    ) -> Values:
        """The lengths of ``fieldname`` in the segment's documents ``ids``: from an array
        of the whole segment read once per searcher (:func:`field_lengths`) when the term
        is common there, else one ``doc_field_length`` call each."""
        if len(ids) < LENGTHS_ARRAY_AFTER:
            reader = subsearcher.reader()
            return np.array([reader.doc_field_length(int(d), fieldname, 1) for d in ids],
                            dtype=np.float64)
        key = ("lengths", offset, fieldname)
        lengths = self._derived.get(key)
        if lengths is None:
            lengths = self._derived[key] = np.frombuffer(
                field_lengths(subsearcher.reader(), fieldname), dtype=np.uint32)
        return lengths[ids].astype(np.float64)

    def fields_term(self, q: FieldsTerm) -> Postings:
        """A term's BM25F postings across fields (:mod:`papersearch.search.bm25f`), boost 1."""
        return self.cache.get(q.key(), lambda: self._read_fields_term(q))

    def _read_fields_term(self, q: FieldsTerm) -> Postings:
        # per field: (documents, term frequencies, field lengths) of every segment
        parts: list[list[tuple[Ids, Values, Values]]] = [[] for _ in q.fieldnames]
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            for i, name in enumerate(q.fieldnames):
                if (name, q.text) not in reader:
                    continue
                ids, tf = segment_postings(reader, name, q.text)
                parts[i].append((ids + np.int32(offset), tf,
                                 self._lengths_of(subsearcher, offset, name, ids)))
        in_field = [np.concatenate([p[0] for p in part]) if part else np.zeros(0, np.int32)
                    for part in parts]
        for name, docs in zip(q.fieldnames, in_field, strict=True):
            # which documents have the term in each field, for contains() (highlighting)
            self.cache.get(("docs", name, q.text), _postings_of(docs))
        union = np.unique(np.concatenate(in_field)) if any(len(d) for d in in_field) else None
        if union is None:
            return EMPTY
        stats = statistics(self.searcher, q, df=len(union))
        # the fields' normalized frequencies added in field order, as BM25F adds them
        pseudo = np.zeros(len(union))
        for i, part in enumerate(parts):
            boost, b, average = stats.fields[i]
            for ids, tf, field_length in part:
                at = np.searchsorted(union, ids)
                pseudo[at] += normalized_tf(tf, field_length, boost, b, average)
        scores = stats.score(pseudo)
        return Postings(union.astype(np.int32), scores)

    def phrase(self, q: wq.Phrase) -> Postings:
        """Where the phrase is, and its score there (boost 1), as Whoosh's phrase matcher
        finds and scores it (:meth:`_read_phrase`)."""
        key = ("phrase", q.fieldname, tuple(q.words), q.slop)
        return self.cache.get(key, lambda: self._read_phrase(q.fieldname, list(q.words),
                                                             q.slop))

    def _read_phrase(self, fieldname: str, words: list[str], slop: int) -> Postings:
        """Whoosh's ``Phrase`` (a ``SpanNear2``: the words in order, each 1 to ``slop``
        positions after the one before, scored as the sum of the words' scores),
        computed from the words' cached postings: only documents with every word have
        their positions read, block by block (:func:`segment_positions`).

        Whoosh's matcher took a cold ``확산 모델`` (its translation ``diffusion model``) 40
        of its 110 ms in the interpreter, stepping span objects document by document.
        Anything unusual (one word, a field without positions, another weighting) is
        left to Whoosh's own matcher.
        """
        plain = wq.Phrase(fieldname, words, slop=slop)
        schema = self.searcher.schema
        if fieldname not in schema:
            return EMPTY
        field = schema[fieldname]
        if (len(words) < 2 or not field.format or not field.format.supports("positions")
                or not isinstance(self.searcher.weighting, BM25F)):
            return self._collect(plain)
        try:
            btexts = [field.to_bytes(w) for w in words]
        except ValueError:
            return EMPTY
        postings = [self.term(fieldname, w) for w in words]
        candidates = np.asarray(postings[0].docs, dtype=np.int32)
        for other in postings[1:]:
            candidates = np.intersect1d(candidates, np.asarray(other.docs, dtype=np.int32),
                                        assume_unique=True)
        if not len(candidates):
            return EMPTY
        decode = field.format.decoder("positions")
        keep: list[Ids] = []
        for subsearcher, offset in self.searcher.leaf_searchers():
            reader = subsearcher.reader()
            local = candidates[(candidates >= offset)
                               & (candidates < offset + reader.doc_count_all())] - offset
            if not len(local):
                continue
            positions = [segment_positions(reader, fieldname, b, local, decode)
                         for b in btexts]
            near = [_in_order(each, slop) for each in zip(*positions, strict=True)]
            keep.append(local[np.asarray(near, dtype=bool)] + np.int32(offset))
        docs = np.concatenate(keep) if keep else np.zeros(0, dtype=np.int32)
        if not len(docs):
            return EMPTY
        parts = [np.asarray(p.scores)[np.searchsorted(np.asarray(p.docs), docs)]
                 for p in postings]
        return Postings(docs, _tree_sum(parts))

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
        values, present = self._empty()
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
        elif isinstance(q, BestOf):
            _add_dense(values, present, self._best_of(q), weight)
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
        sums, present = self._empty()
        # which clauses each document has, 64 clause bits a word
        words = max(1, (max((m.bit_length() for m in q.coverage), default=0) + 63) // 64)
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

    def _best_of(self, q: BestOf) -> Dense:
        """Each document's best child score plus the tie times the others'."""
        parts = [self.dense(child) for child in q.subqueries]
        if not parts:
            return self._empty()
        total, present = parts[0][0].copy(), parts[0][1].copy()
        best = parts[0][0].copy()
        for values, matched in parts[1:]:
            total += values
            present |= matched
            np.maximum(best, values, out=best)
        return best + q.tie * (total - best), present

    def _whoosh(self, q: wq.Query) -> Dense:
        """Any other query, by its own matcher (not cached)."""
        values, present = self._empty()
        _add_postings(values, present, self._collect(q), 1.0)
        return values, present

    def _empty(self) -> Dense:
        """No scores and no matches, over every document of the searcher."""
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


def _in_order(positions: tuple[list[int], ...], slop: int) -> bool:
    """Whether each word's positions continue a chain from the first word's, each word
    1 to ``slop`` positions after the previous one (Whoosh's ``SpanNear2`` with
    ``ordered=True, mindist=1``: a span grows from its first word to its last)."""
    ends = {(p, p) for p in positions[0]}
    for following in positions[1:]:
        ends = {(start, p) for start, end in ends for p in following if 1 <= p - end <= slop}
        if not ends:
            return False
    return True


def _tree_sum(parts: list[Values]) -> Values:
    """The sum of ``parts`` in the order Whoosh's binary tree of intersection matchers
    adds its children (halves, recursively), so the floats come out the same."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


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


def _postings_of(docs: Ids) -> Callable[[], Postings]:
    """A cache entry of documents alone (no scores)."""
    return lambda: Postings(docs, np.zeros(0))


def _joined(docs: list[Ids], scores: list[Values]) -> Postings:
    """One term's postings of several segments (each ascending, segments in order)."""
    if not docs:
        return EMPTY
    if len(docs) == 1:
        return Postings(docs[0], scores[0])
    return Postings(np.concatenate(docs), np.concatenate(scores))


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
