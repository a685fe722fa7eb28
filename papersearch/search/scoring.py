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
matcher, also once. A query is then a few loops over those arrays: a union adds
into one dict, an intersection probes the smallest side, and the soft AND of
:mod:`papersearch.search.coordination` ORs coverage masks. The result is the same
documents with the same scores as ``searcher.search`` (checked against it by the
tests), in a fraction of the time, and an exact total.

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
    matched: Collection[int] = ()  # every matching document (what facets count)


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
        self._derived: dict[Any, Any] = {}

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
        acc: Scores = {}
        self._add(q, acc, 1.0)
        return acc

    def _add(self, q: wq.Query, acc: Scores, weight: float) -> None:
        """Add ``weight`` times ``q``'s score into ``acc`` for every document it matches."""
        weight *= q.boost
        if isinstance(q, wq.Term):
            _add_postings(acc, self.term(q.fieldname, q.text), weight)
        elif isinstance(q, FieldsTerm):
            _add_postings(acc, self.fields_term(q), weight)
        elif isinstance(q, wq.Phrase):
            _add_postings(acc, self.phrase(q), weight)
        elif isinstance(q, CoordinatedOr):
            _add_scores(acc, self._coordinated(q), weight)
        elif type(q) is wq.Or:  # plain unions (not DisjunctionMax, not minmatch)
            if q.minmatch or q.scale:
                _add_scores(acc, self._whoosh(q), weight)
                return
            for child in q.subqueries:
                self._add(child, acc, weight)
        elif type(q) is wq.And:
            _add_scores(acc, self._intersection(q.subqueries), weight)
        elif isinstance(q, wq.AndNot):
            _add_scores(acc, self._and_not(q), weight)
        elif isinstance(q, wq.AndMaybe):
            _add_scores(acc, self._and_maybe(q), weight)
        elif q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return
        else:
            _add_scores(acc, self._whoosh(q), weight)

    def _intersection(self, children: list[wq.Query]) -> Scores:
        parts = sorted((self.scores(c) for c in children), key=len)
        if not parts:
            return {}
        result = dict(parts[0])
        for part in parts[1:]:
            result = {d: s + part[d] for d, s in result.items() if d in part}
            if not result:
                break
        return result

    def _and_not(self, q: wq.AndNot) -> Scores:
        positive = self.scores(q.a)
        if not positive:
            return positive
        negative = self.scores(q.b)
        return {d: s for d, s in positive.items() if d not in negative}

    def _and_maybe(self, q: wq.AndMaybe) -> Scores:
        required = self.scores(q.a)
        if not required:
            return required
        optional = self.scores(q.b)
        return {d: s + optional.get(d, 0.0) for d, s in required.items()}

    def _coordinated(self, q: CoordinatedOr) -> Scores:
        """Documents with at least ``min_match`` clauses, summed and scaled by the share."""
        sums: Scores = {}
        masks: dict[int, int] = {}
        for child, mask in zip(q.subqueries, q.coverage, strict=True):
            for d, s in self.scores(child).items():
                if d in sums:
                    sums[d] += s
                    masks[d] |= mask
                else:
                    sums[d] = s
                    masks[d] = mask
        need, total, power = q.min_match, q.clauses or 1, q.power
        shares = [(k / total) ** power for k in range(total + 1)]
        result: Scores = {}
        for d, s in sums.items():
            matched = masks[d].bit_count()
            if matched >= need:
                result[d] = s * shares[matched]
        return result

    def _whoosh(self, q: wq.Query) -> Scores:
        """Any other query, by its own matcher (not cached)."""
        found = self._collect(q)
        return dict(zip(found.docs, found.scores, strict=True))

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
        return bool(self.scores(q))

    def top(self, q: wq.Query, limit: int, vote_weight: float,
            allowed: set[int] | None = None, sort: str = "relevance",
            exclude: Collection[int] = ()) -> Ranked:
        """The best ``limit`` documents of ``q`` among ``allowed`` (all when None), less
        those in ``exclude``.

        Scores are final (text score times vote factor). ``sort`` ``votes`` or ``date``
        orders by that column (newest, most voted first) and then by score. Ties go to
        the lower document number, as in Whoosh's collectors.
        """
        found = self.scores(q)
        if allowed is not None:
            found = {d: s for d, s in found.items() if d in allowed}
        if exclude:
            found = {d: s for d, s in found.items() if d not in exclude}
        limit = max(1, limit)
        if sort == "relevance":
            best = self._best(found, limit, vote_weight)
        else:
            column = self.columns.votes() if sort == "votes" else self.columns.last_dates()

            def key(item: tuple[int, float]) -> tuple[int, float, int]:
                value = column[item[0]]
                return (-(value if value is not None else -1), -item[1], item[0])

            final = self._final(found.items(), vote_weight)
            best = heapq.nsmallest(limit, final, key=key)
        return Ranked(top=best, total=len(found), matched=found.keys())

    def _final(self, items: Iterable[tuple[int, float]], vote_weight: float
               ) -> list[tuple[int, float]]:
        """``(docnum, text score)`` pairs with the score times the document's vote factor."""
        if vote_weight <= 0:
            return list(items)
        vote = self.columns.vote
        return [(d, s * vote_factor(vote(d), vote_weight)) for d, s in items]

    def _best(self, found: Scores, limit: int, vote_weight: float) -> list[tuple[int, float]]:
        """The top ``limit`` by final score, reading votes only for papers that could make it.

        The vote factor lies in [1, 1 + vote_weight]: once the best ``limit`` by text
        score give a ``limit``-th final score T, no paper with text score below
        T / (1 + vote_weight) can reach the top.
        """
        if vote_weight <= 0 or len(found) <= limit:
            return heapq.nsmallest(limit, self._final(found.items(), vote_weight),
                                   key=_by_score)
        leaders = self._final(heapq.nsmallest(limit, found.items(), key=_by_score),
                              vote_weight)
        threshold = min(s for _, s in leaders)
        bound = 1.0 + vote_weight
        contenders = [(d, s) for d, s in found.items() if s * bound >= threshold]
        return heapq.nsmallest(limit, self._final(contenders, vote_weight), key=_by_score)


def _postings_of(docs: array[int]) -> Callable[[], Postings]:
    """A cache entry of documents alone (no scores)."""
    return lambda: Postings(docs, array("d"))


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Best score first; ties to the lower document number."""
    return (-item[1], item[0])


def _add_postings(acc: Scores, postings: Postings, weight: float) -> None:
    get = acc.get
    if weight == 1.0:
        for d, s in zip(postings.docs, postings.scores, strict=True):
            acc[d] = get(d, 0.0) + s
    else:
        for d, s in zip(postings.docs, postings.scores, strict=True):
            acc[d] = get(d, 0.0) + s * weight


def _add_scores(acc: Scores, scores: Scores, weight: float) -> None:
    if not acc and weight == 1.0:
        acc.update(scores)
        return
    get = acc.get
    for d, s in scores.items():
        acc[d] = get(d, 0.0) + s * weight
