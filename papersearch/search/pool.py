"""A bounded set of searchers over one index, lent to one thread at a time.

Whoosh searchers read files through shared handles and are not safe to use from two
threads at once, so a searcher (with the :class:`~papersearch.search.scoring.Evaluator`
that caches its scored postings) is lent to one thread for one operation and given
back. Threads come and go (a web server's pool retires idle ones); searchers do not
follow them: at most ``size`` are open, every one of the index version last seen, and
a thread that finds them all lent waits for one. When a writer commits, searchers of
the older version are closed as they come back, so open files stay bounded by
``size`` times the files of one version.

Not ``Searcher.refresh()``: Whoosh 2.7's reader reuse keeps the segments a merge
replaced next to the merged one, so after another process's merging commit a refreshed
searcher counts documents twice. A new searcher is opened instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from papersearch.search.scoring import Evaluator


@dataclass
class Lease:
    """A searcher and its evaluator, lent to one thread."""

    searcher: Any
    evaluator: Evaluator
    generation: int


class SearcherPool:
    """At most ``size`` searchers of the latest index version, opened by ``open_searcher``
    (a function of nothing giving a Whoosh searcher) and lent one thread at a time."""

    def __init__(self, ix: Any, open_searcher: Callable[[], Any], size: int = 4) -> None:
        if size < 1:
            raise ValueError("a searcher pool needs at least one searcher")
        self._ix = ix
        self._open_searcher = open_searcher
        self.size = size
        self._idle: list[Lease] = []
        self._open = 0
        self._latest = -1
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def lease(self) -> Iterator[Lease]:
        """Lend a searcher of the latest index version for the ``with`` block."""
        lease = self._acquire()
        try:
            yield lease
        finally:
            self._release(lease)

    def _acquire(self) -> Lease:
        latest = self._ix.latest_generation()
        with self._cond:
            self._latest = max(self._latest, latest)
            while True:
                if self._closed:
                    raise RuntimeError("the index is closed")
                stale = [lease for lease in self._idle if lease.generation < self._latest]
                for lease in stale:
                    self._idle.remove(lease)
                    self._discard(lease)
                if self._idle:
                    return self._idle.pop()
                if self._open < self.size:
                    self._open += 1
                    break
                self._cond.wait()
        try:  # opening reads files: not under the lock
            searcher = self._open_searcher()
            generation = searcher.reader().generation()  # None: an index never committed
            lease = Lease(searcher, Evaluator(searcher), -1 if generation is None else generation)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise
        return lease

    def retire(self, lease: Lease) -> None:
        """Close ``lease``'s searcher when it comes back, whatever its version."""
        lease.generation = -2

    @property
    def latest(self) -> int:
        """The newest index version the pool has seen."""
        return self._latest

    def _release(self, lease: Lease) -> None:
        with self._cond:
            if self._closed or lease.generation < self._latest:
                self._discard(lease)
            else:
                self._idle.append(lease)
            self._cond.notify()

    def _discard(self, lease: Lease) -> None:
        """Close a searcher the pool no longer keeps (called holding the lock)."""
        self._open -= 1
        lease.searcher.close()

    @property
    def open(self) -> int:
        """How many searchers are open (lent or idle)."""
        return self._open

    def close(self) -> None:
        """Close the idle searchers now and the lent ones when they come back."""
        with self._cond:
            self._closed = True
            for lease in self._idle:
                self._discard(lease)
            self._idle.clear()
            self._cond.notify_all()
