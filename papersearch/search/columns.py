"""Columns: per-searcher arrays of votes, dates and authors, for filters, facets and ranking.

Whoosh turns a filter query into a set of document numbers on every search by
walking posting lists in Python: a date range over hundreds of day terms took
~150 ms a search at 5,487 papers. Instead, each searcher reads the votes and the
first and last listing dates of every document once (a few ms), and a filter is
a comprehension over those arrays, cached per searcher.
"""

from __future__ import annotations

import datetime as dt
import errno
import struct
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq

from papersearch.schema import KIND_PAPER, day_number, month_of

_MAX_CACHED = 64


def vote_at(column: Any, docnum: int) -> int:
    """The votes a segment's ``votes`` column reader holds for its document ``docnum``:
    -1 for unknown, and for day and meta documents, which have no votes."""
    try:
        return int(column[docnum])
    except (IndexError, struct.error):
        return -1


def column_values(reader: Any, name: str) -> Iterator[tuple[int, Any]]:
    """(global document number, value) for every value of the column ``name``.

    Read segment by segment: a segment's column stops at its last value (one holding
    only the meta document has none), so a column joined over segments would shift.
    A segment holding papers has every paper column (``PaperIndex`` opens them all with
    the searcher); not ``has_column``, which asks the file system and says no once a
    writer's merge has deleted a file this searcher still has open.
    """
    if not reader.doc_count_all():
        return
    for leaf, offset in reader.leaf_readers():
        if leaf.doc_frequency("kind", KIND_PAPER):
            for i, value in enumerate(paper_column(leaf, name)):
                yield offset + i, value


def paper_column(leaf: Any, name: str) -> Any:
    """The column ``name`` of a segment that holds papers (every such segment has it).

    Whoosh answers a column whose file is gone with default values; here that is an
    error (FileNotFoundError naming the file): the index was damaged, or a writer's merge
    removed the file after this searcher was opened (``PaperIndex`` then retries with
    the newer version).
    """
    if not leaf.has_column(name):
        segment = leaf.segment()
        label = f"{segment.segment_id()}.{name}.col" if segment is not None else name
        raise FileNotFoundError(errno.ENOENT, "a column file is missing", label)
    return leaf.column_reader(name)




class Listing:
    """A value list per document (months, authors) as integer ids in one flat array:
    document ``d`` has ``sizes[d]`` values, following those of the documents before it;
    id ``i`` is ``names[i]``, and ids follow the names' sorted order."""

    __slots__ = ("ids", "names", "sizes")

    def __init__(self, names: list[str], ids: NDArray[np.int64],
                 sizes: NDArray[np.int64]) -> None:
        self.names = names
        self.ids = ids
        self.sizes = sizes  # values per document

    @classmethod
    def of(cls, values: list[tuple[str, ...]]) -> Listing:
        names = sorted({v for row in values for v in row})
        number = {name: i for i, name in enumerate(names)}
        ids = np.fromiter((number[v] for row in values for v in row), dtype=np.int64)
        sizes = np.fromiter((len(row) for row in values), dtype=np.int64, count=len(values))
        return cls(names, ids, sizes)

    def counts(self, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
        """How many of the documents in ``mask`` have each value, by id."""
        return np.bincount(self.ids[np.repeat(mask, self.sizes)], minlength=len(self.names))


class FacetTable:
    """What facets count, over every document of a searcher (see :meth:`PaperColumns.
    facet_table`); votes are -1 where unknown or not a paper."""

    __slots__ = ("authors", "months", "votes")

    def __init__(self, months: Listing, authors: Listing, votes: NDArray[np.int64]) -> None:
        self.months = months
        self.authors = authors
        self.votes = votes


class PaperColumns:
    """Votes and listing dates by global document number, for one searcher.

    The arrays are read on first use (a query with no filter never needs them).
    ``votes`` is -1 for unknown votes; every array holds None for documents that
    are not papers.
    """

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        self._arrays: tuple[frozenset[int], list[int | None], list[int | None],
                            list[int | None]] | None = None
        self._cache: dict[tuple[Any, ...], set[int]] = {}  # Whoosh takes a set, not frozenset
        self._votes_column: Any = None
        self._authors: list[tuple[str, ...]] | None = None
        self._months: list[tuple[str, ...]] | None = None
        self._facet_table: FacetTable | None = None

    def _load(self) -> tuple[frozenset[int], list[int | None], list[int | None],
                             list[int | None]]:
        if self._arrays is not None:
            return self._arrays
        reader = self._searcher.reader()
        count = reader.doc_count_all()
        papers = frozenset(self._searcher.docs_for_query(wq.Term("kind", KIND_PAPER)))

        def column(name: str) -> list[int | None]:
            values: list[int | None] = [None] * count
            for doc, value in column_values(reader, name):
                if doc in papers:
                    values[doc] = value
            return values

        self._arrays = (papers, column("votes"), column("first_date"), column("last_date"))
        return self._arrays

    def vote(self, docnum: int) -> int:
        """One document's votes (-1: unknown or not a paper), without loading every column.

        Ranking needs the votes of a few dozen candidates; reading whole columns
        costs ~10 ms per 5,000 papers, which a cold ``papersearch query`` would pay.
        """
        if self._arrays is not None:
            value = self._arrays[1][docnum]
            return value if value is not None else -1
        if self._votes_column is None:
            # each segment's column (or None for one without papers), and its offset
            self._votes_column = [
                (offset, paper_column(leaf, "votes")
                 if leaf.doc_frequency("kind", KIND_PAPER) else None)
                for leaf, offset in self._searcher.reader().leaf_readers()]
        offset, column = self._votes_column[
            bisect_right([o for o, _ in self._votes_column], docnum) - 1]
        return vote_at(column, docnum - offset) if column is not None else -1

    def votes(self) -> list[int | None]:
        """Votes by global document number (-1: unknown; None: not a paper)."""
        return self._load()[1]

    def last_dates(self) -> list[int | None]:
        """Last listing day (YYYYMMDD) by global document number (None: not a paper)."""
        return self._load()[3]

    def authors(self) -> list[tuple[str, ...]]:
        """Author names by global document number (empty for other documents).

        Read from the ``author_list`` column on first use: facets and the author
        filter need them for every matching paper, a stored-fields read each.
        """
        if self._authors is None:
            reader = self._searcher.reader()
            authors: list[tuple[str, ...]] = [()] * reader.doc_count_all()
            for doc, value in column_values(reader, "author_list"):
                if value:
                    authors[doc] = tuple(value.decode("utf-8").split("\n"))
            self._authors = authors
        return self._authors

    def months(self) -> list[tuple[str, ...]]:
        """The months (``YYYY-MM``) each paper was listed in, by global document number.

        Computed for every paper on first use, so that counting months over a
        search's matches is one pass with no string building.
        """
        if self._months is None:
            papers, _, firsts, lasts = self._load()
            months: list[tuple[str, ...]] = [()] * len(firsts)
            for doc in papers:
                first, last = firsts[doc], lasts[doc]
                if first is None or last is None:
                    continue
                if first // 100 == last // 100:
                    months[doc] = (month_of(first),)
                else:
                    months[doc] = tuple(sorted({month_of(int(d.replace("-", "")))
                                                for d in self._dates(doc)}))
            self._months = months
        return self._months

    def facet_table(self) -> FacetTable:
        """Months, authors and votes of every document as flat arrays, for counting
        facets over thousands of matches in C (built on first use)."""
        if self._facet_table is None:
            votes = np.array([v if v is not None else -1 for v in self.votes()],
                             dtype=np.int64)
            self._facet_table = FacetTable(Listing.of(self.months()),
                                           Listing.of(self.authors()), votes)
        return self._facet_table

    def matching(self, since: dt.date | None, until: dt.date | None,
                 min_votes: int | None, max_votes: int | None = None,
                 author: str | None = None) -> set[int] | None:
        """Papers listed on a day in [since, until], with votes in [min_votes, max_votes]
        and, given ``author``, by that author (exact name, any case); None: all papers.

        A vote bound excludes papers of unknown votes.
        """
        if since is None and until is None and min_votes is None and max_votes is None \
                and author is None:
            return None
        key = (since, until, min_votes, max_votes, author and author.casefold())
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        papers, all_votes, firsts, lasts = self._load()
        low = day_number(since) if since else 0
        high = day_number(until) if until else 99999999
        floor = min_votes if min_votes is not None else (0 if max_votes is not None else -2)
        ceiling = max_votes if max_votes is not None else 2**31
        wanted = author.strip().casefold() if author is not None else None
        names = self.authors() if wanted is not None else None
        chosen = []
        for doc in papers:
            votes, first, last = all_votes[doc], firsts[doc], lasts[doc]
            if votes is None or not floor <= votes <= ceiling or first is None or last is None:
                continue
            if last < low or first > high:
                continue
            if first < low and last > high and not self._listed_within(doc, low, high):
                continue  # listed before and after the range, but not within it
            if names is not None and not any(n.casefold() == wanted for n in names[doc]):
                continue
            chosen.append(doc)
        result = set(chosen)  # shared through the cache: never mutated
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _dates(self, doc: int) -> list[str]:
        dates = str(self._searcher.stored_fields(doc).get("dates", ""))
        return [d for d in dates.split(",") if d]

    def _listed_within(self, doc: int, low: int, high: int) -> bool:
        return any(low <= int(d.replace("-", "")) <= high for d in self._dates(doc))
