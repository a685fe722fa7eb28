"""PaperIndex: the public face of an index directory.

Opening, creating, adding digests, searching, fetching one paper and stats.
It holds no global state: every index object owns its Whoosh index and a
bounded pool of searchers (see `papersearch.search.pool`), each lent to one thread for
one operation because a Whoosh searcher reads files through shared handles and
is not safe to share; searchers of an older generation are closed as they come
back after another writer commits.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import pickle
import resource
import shutil
import stat
import struct
import threading
import uuid
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import index as windex
from whoosh.index import EmptyIndexError, Index

from papersearch import __version__
from papersearch.analysis import TextAnalyzer, normalize_text
from papersearch.analysis.lexicon import bundled as bundled_lexicon
from papersearch.arxiv import normalize_id
from papersearch.errors import (
    AddInterrupted,
    IndexCorruptError,
    IndexNotFoundError,
    IndexUnavailableError,
    IndexUntrustedError,
    IndexVersionError,
    PaperNotFoundError,
    PapersearchError,
)
from papersearch.locate import is_index
from papersearch.models import (
    AddReport,
    IndexStats,
    Paper,
    SearchOptions,
    SearchResult,
    SimilarResult,
    Suggestion,
)
from papersearch.schema import (
    KIND_DAY,
    KIND_META,
    KIND_PAPER,
    META_KEY,
    SCHEMA_VERSION,
    build_schema,
    day_of_key,
    paper_key,
)
from papersearch.search.alignment import FILE_NAME as ALIGNMENT_FILE
from papersearch.search.alignment import Alignment, stored_alignment
from papersearch.search.columns import paper_column
from papersearch.search.compiler import Plan, QueryCompiler, glossary_of, plan
from papersearch.search.expansion import Glossary, Loanwords
from papersearch.search.pool import Lease, SearcherPool
from papersearch.search.ranking import DEFAULT_RANKING, Ranking, VoteBlendedBM25F
from papersearch.search.scoring import Evaluator
from papersearch.search.searching import run_search

if TYPE_CHECKING:  # indexing, similar papers and spelling load on first use
    from papersearch.discovery.similar import SimilarBy
    from papersearch.discovery.spelling import Outcome, Speller
    from papersearch.discovery.vocabulary import Vocabulary
    from papersearch.ingest.indexing import PhaseCallback, ProgressCallback

# What Whoosh raises when index files are missing, truncated or garbled.
_CORRUPTION = (OSError, EOFError, struct.error, pickle.UnpicklingError, ValueError, KeyError,
               IndexError, zlib.error)


def _is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` is Whoosh reading damaged index files: one of ``_CORRUPTION``, or
    the bare Exception("Block tag error ...") its postings reader raises."""
    return isinstance(exc, _CORRUPTION) or (
        type(exc) is Exception and str(exc).startswith("Block tag error"))


# Operating-system errors that are not damage: the index is fine, the process or the
# machine is short of something, and a rebuild would not help.
_UNAVAILABLE = {errno.EMFILE, errno.ENFILE, errno.ENOSPC, errno.EDQUOT, errno.EACCES,
                errno.EPERM, errno.EROFS}


def _os_problem(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc`` that says the index is out of reach
    (not damaged), looking through the causes Whoosh wraps it in."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno in _UNAVAILABLE:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def unavailable(path: Path, error: OSError) -> IndexUnavailableError:
    """What to tell the user about an operating-system error on the index at ``path``."""
    name = Path(error.filename).name if error.filename else None
    if error.errno in {errno.EMFILE, errno.ENFILE}:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return IndexUnavailableError(path, f"too many open files (this process may open "
                                     f"{soft}); raise the limit, for example `ulimit -n 4096`, "
                                     "or let fewer searches run at once; the index is fine")
    if error.errno in {errno.ENOSPC, errno.EDQUOT}:
        return IndexUnavailableError(path, "no space left on the device holding it: free some "
                                     "and run the command again; what was committed is kept")
    return IndexUnavailableError(path, f"permission denied ({name or 'the index directory'}): "
                                 "give this user read and write access to the directory and "
                                 "its files; the index is fine")


# Column files every segment holding papers has (written for every paper, even empty),
# and the text fields whose lengths it stores.
PAPER_COLUMNS = ("votes", "first_date", "last_date", "words", "author_list")
LENGTH_FIELDS = ("title", "summary", "authors")


def _check_trust(path: Path) -> None:
    """Refuse an index that someone other than this user (or root) could have written."""
    me = os.getuid()
    for target in [path, *sorted(path.glob("_MAIN_*.toc"))]:
        info = target.stat()
        others = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if others or info.st_uid not in {me, 0}:
            who = ("group- or world-writable" if others
                   else f"owned by another user (uid {info.st_uid})")
            raise IndexUntrustedError(
                path, f"{target.name if target != path else 'its directory'} is {who}: "
                "opening an index runs code stored in it (Whoosh pickles the schema), so it "
                "must come from a trusted source; make it writable only by you (chmod -R "
                "go-w), or open it anyway with --trust-index (PaperIndex.open(..., "
                "trust=True)) if you share it knowingly")


def _cannot_replace(path: Path, error: OSError) -> IndexUnavailableError:
    """The rebuilt index could not take the old one's place (nothing was changed)."""
    return IndexUnavailableError(path, f"cannot replace it with the rebuilt index "
                                 f"({error.strerror or error}); the old index is unchanged: "
                                 "give this user write access to the directory that holds "
                                 "it and run the rebuild again")


def open_segments(ix: Any, searcher: Any) -> None:
    """Open now every file of ``searcher``'s segments that Whoosh would open on first use.

    Whoosh opens column, length and stored-field files lazily, and a writer in another
    process deletes the files of the segments it merges away: a searcher of the older
    version would then find a file gone (read as "no values", or a crash) in the middle
    of a search. Files opened now stay readable. A file missing now raises
    FileNotFoundError naming it: damage, or a merge that just happened (the caller
    retries with the newer version).
    """
    for leaf, _ in searcher.reader().leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        if segment is None:  # an empty index's reader has no segment
            continue
        if segment.is_compound():  # one file, read whole at open (papersearch writes none)
            continue
        segid = segment.segment_id()
        for ext in ("trm", "pst", "_stored.col") if leaf.doc_count_all() else ():
            if not ix.storage.file_exists(f"{segid}.{ext}"):
                raise FileNotFoundError(errno.ENOENT, "a segment file is missing",
                                        f"{segid}.{ext}")
        try:
            if leaf.doc_count_all():
                leaf.stored_fields(0)
            if leaf.doc_frequency("kind", KIND_PAPER):
                for name in PAPER_COLUMNS:
                    paper_column(leaf, name)  # raises when the file is missing
                for name in LENGTH_FIELDS:
                    leaf.doc_field_length(0, name)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
                raise FileNotFoundError(errno.ENOENT, "a segment file is missing",
                                        Path(exc.filename).name if exc.filename
                                        else f"{segid}.*") from exc
            raise


FEW_RESULTS = 3
"""A search with fewer hits than this (or relaxed, or with ignored words) gets a
did-you-mean suggestion, when one does better (:mod:`papersearch.discovery.spelling`)."""

SPELLED_WORDS = 8
"""Did-you-mean is tried for queries of at most this many words: a typo in a long
description hardly matters to its ranking, and correcting every word of a long query
costs a search per candidate."""

REBUILD_HINT = "rebuild it with: papersearch index --rebuild PATH..."

OPEN_ATTEMPTS = 3
"""Tries at opening a searcher while writers merge segments away."""

DEFAULT_SEARCHERS = 2
"""Searchers an index keeps open for concurrent reads (each about as many open files as
the index has segment files, and its own cache of scored postings)."""

T = TypeVar("T")


def _days(searcher: Any) -> list[dt.date]:
    """The digest days a searcher's index version holds, oldest first."""
    keys = [fields["key"] for fields in searcher.documents(kind=KIND_DAY)]
    return sorted(dt.date.fromisoformat(day_of_key(key)) for key in keys)


class PaperIndex:
    """A papersearch index on disk. Create with :meth:`create`, open with :meth:`open`.

    ``ranking`` holds the default ranking settings (see
    :class:`papersearch.search.ranking.Ranking`); ``vote_weight``, if given, replaces
    its weight of votes; ``lock_timeout`` is how many seconds ``add``
    waits for another writer before raising
    :class:`~papersearch.errors.IndexLockedError`; ``searchers`` is how many
    searchers it keeps open for concurrent reads (:mod:`papersearch.search.pool`; default
    :data:`DEFAULT_SEARCHERS`), however many threads use it.
    """

    def __init__(self, ix: Index, path: Path, *, ranking: Ranking = DEFAULT_RANKING,
                 vote_weight: float | None = None, lock_timeout: float = 10.0,
                 searchers: int | None = None) -> None:
        self._ix = ix
        self.path = path
        if vote_weight is not None:
            ranking = replace(ranking, vote_weight=vote_weight)
        self.ranking = ranking
        self.lock_timeout = lock_timeout
        self._compiler = QueryCompiler(ix.schema)
        self._pool = SearcherPool(ix, lambda: self._open_searcher(self.ranking),
                                  searchers or DEFAULT_SEARCHERS)
        # The vocabulary of the latest index version read, as (generation, vocabulary):
        # shared by all threads, read again only after a writer commits.
        self._vocabulary: tuple[int, Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()
        # The title words Korean words go with (search/alignment.py): read from the
        # index's file once, counted again after large adds.
        self._alignment: Alignment | None = None
        self._alignment_lock = threading.Lock()
        self._compiler.use_alignment(self._alignment_of)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, *, overwrite: bool = False,
               analyzer: TextAnalyzer | None = None, ranking: Ranking = DEFAULT_RANKING,
               vote_weight: float | None = None, lock_timeout: float = 10.0,
               searchers: int | None = None) -> PaperIndex:
        """Create an empty index at ``path`` (a directory, made if missing).

        Refuses to replace an existing index unless ``overwrite`` is true. ``analyzer``
        is the chain for titles and summaries (default: :func:`~papersearch.analysis.
        text_analyzer`; the relevance benchmark compares others); it is stored in the
        index, so every later open reads with it. The other settings are those of
        :meth:`open`.
        """
        path = Path(path)
        if is_index(path):
            if not overwrite:
                raise PapersearchError(f"index {path}: already exists; open it with "
                                       "PaperIndex.open, or pass overwrite=True to replace it")
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / ALIGNMENT_FILE).unlink(missing_ok=True)  # counted from another index
        index = cls(windex.create_in(str(path), build_schema(analyzer)), path,
                    ranking=ranking, vote_weight=vote_weight, lock_timeout=lock_timeout,
                    searchers=searchers)
        index._stamp()
        return index

    def _stamp(self) -> None:
        """Write the meta document: which papersearch, schema and lexicon built this index,
        and the lexicon as the index's analyzer reads it (see :class:`Loanwords`)."""
        loanwords = self._compiler.loanwords()
        writer = self._ix.writer(timeout=self.lock_timeout, compound=False)
        writer.update_document(key=META_KEY, kind=KIND_META, version=__version__,
                               schema_version=SCHEMA_VERSION,
                               lexicon=bundled_lexicon().digest,
                               record=loanwords.to_json())
        writer.commit()

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, trust: bool = False,
             ranking: Ranking = DEFAULT_RANKING, vote_weight: float | None = None,
             lock_timeout: float = 10.0, searchers: int | None = None) -> PaperIndex:
        """Open the index at ``path``; with ``create=True`` make it if there is none.

        ``ranking`` (and ``vote_weight``, its weight of votes) rank every search of this
        object; ``add`` waits up to ``lock_timeout`` seconds for another writer;
        ``searchers`` bounds the Whoosh searchers threads share (default
        :data:`DEFAULT_SEARCHERS`).

        Opening an index runs code from it (Whoosh stores the schema pickled), so an
        index must come from a trusted source: one that other users can write to (its
        directory or table of contents group- or world-writable, or owned by someone
        else) is refused with IndexUntrustedError unless ``trust`` is true.

        Raises IndexNotFoundError, IndexVersionError (built by an incompatible
        papersearch), IndexCorruptError or IndexUnavailableError, each saying how to
        recover.
        """
        path = Path(path)
        if not is_index(path):
            if create:
                return cls.create(path, ranking=ranking, vote_weight=vote_weight,
                                  lock_timeout=lock_timeout, searchers=searchers)
            raise IndexNotFoundError(path, "no index here; build one with: "
                                     "papersearch index PATH... (or PaperIndex.create)")
        if not trust:
            _check_trust(path)
        try:
            ix = windex.open_dir(str(path))
        except EmptyIndexError as exc:
            raise IndexNotFoundError(path, f"no index here ({exc})") from exc
        except (AttributeError, ImportError, ModuleNotFoundError, TypeError) as exc:
            raise IndexVersionError(path, "made by an incompatible papersearch version "
                                    f"({exc}); {REBUILD_HINT}") from exc
        except OSError as exc:
            problem = _os_problem(exc)
            if problem is not None:
                raise unavailable(path, problem) from exc
            raise IndexCorruptError(path, f"cannot read the index ({exc}); {REBUILD_HINT}") from exc
        except Exception as exc:  # a truncated TOC raises struct/pickle errors
            raise IndexCorruptError(path, f"damaged ({type(exc).__name__}: {exc}); "
                                    f"{REBUILD_HINT}") from exc
        index = cls(ix, path, ranking=ranking, vote_weight=vote_weight,
                    lock_timeout=lock_timeout, searchers=searchers)
        index._check_version()
        return index

    @classmethod
    def rebuild(cls, path: str | Path, sources: str | Path | Sequence[str | Path], *,
                strict: bool = False, progress: ProgressCallback | None = None,
                workers: int | None = None, analyzer: TextAnalyzer | None = None,
                ranking: Ranking = DEFAULT_RANKING, lock_timeout: float = 10.0,
                phase: PhaseCallback | None = None) -> tuple[PaperIndex, AddReport]:
        """Build a fresh index from ``sources`` and put it in place of the one at ``path``.

        The new index is built beside the old one and swapped in only when
        complete, so a failure (or a damaged old index) loses nothing: the old
        directory stays as it was until the new one is ready.
        """
        path = Path(path)
        for leftover in [*path.parent.glob(f".{path.name}.rebuild*"),
                         *path.parent.glob(f".{path.name}.old*")]:
            shutil.rmtree(leftover, ignore_errors=True)  # an earlier run's; may stay
        tag = uuid.uuid4().hex[:8]
        staging = path.with_name(f".{path.name}.rebuild-{tag}")
        retired = path.with_name(f".{path.name}.old-{tag}")
        fresh = cls.create(staging, analyzer=analyzer, lock_timeout=lock_timeout)
        try:
            report = fresh.add(sources, strict=strict, progress=progress, workers=workers,
                               phase=phase)
        except BaseException as exc:
            fresh.close()
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, AddInterrupted):  # the half-built index is gone, not kept
                raise AddInterrupted(AddReport(), kept=False) from exc
            raise
        fresh.close()
        # The swap: all or nothing. The old index moves aside, the new one takes its
        # name, and only then is the old one deleted; if that last step fails, the new
        # index is in place and the next rebuild removes the leftover.
        try:
            if path.exists():
                path.rename(retired)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise _cannot_replace(path, exc) from exc
        try:
            staging.rename(path)
        except OSError as exc:
            if retired.exists():
                retired.rename(path)
            shutil.rmtree(staging, ignore_errors=True)
            raise _cannot_replace(path, exc) from exc
        shutil.rmtree(retired, ignore_errors=True)
        return cls.open(path, ranking=ranking, lock_timeout=lock_timeout), report

    def _check_version(self) -> None:
        meta, count = self._read(lambda lease: (lease.searcher.document(key=META_KEY),
                                                lease.searcher.doc_count_all()))
        if meta is None and count == 0:
            # create() was killed between making the empty index and stamping it.
            self._stamp()
            return
        if meta is None:
            raise IndexVersionError(self.path, f"not a papersearch index; {REBUILD_HINT}")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexVersionError(
                self.path, f"built by papersearch {meta.get('version')} (schema "
                f"{meta.get('schema_version')}); this is papersearch {__version__} (schema "
                f"{SCHEMA_VERSION}); {REBUILD_HINT}")
        if meta.get("lexicon") != bundled_lexicon().digest:
            raise IndexVersionError(
                self.path, f"built with another loanword lexicon ({meta.get('lexicon')}; "
                f"this papersearch has {bundled_lexicon().digest}), so its terms differ "
                f"from what queries look for; {REBUILD_HINT}")
        # The table as this index's analyzer read it, if this papersearch wrote it (an index
        # created before the table was kept, or by another version, analyzes it again).
        if meta.get("record") and meta.get("version") == __version__:
            try:
                self._compiler.use_loanwords(Loanwords.from_json(meta["record"]))
            except ValueError as exc:
                raise self._corrupt(exc) from exc

    # -- reading ---------------------------------------------------------------------

    def _open_searcher(self, ranking: Ranking) -> Any:
        """A searcher of the latest version with every file open (:func:`open_segments`),
        tried again when a writer's merge removed a file between reading the table of
        contents and opening it."""
        for attempt in range(OPEN_ATTEMPTS):
            searcher = self._ix.searcher(weighting=VoteBlendedBM25F(ranking))
            try:
                open_segments(self._ix, searcher)
                return searcher
            except FileNotFoundError:
                generation = searcher.reader().generation()
                searcher.close()
                if attempt + 1 == OPEN_ATTEMPTS or self._ix.latest_generation() == generation:
                    raise  # the same version is missing a file: damage
        raise AssertionError("unreachable")

    @contextmanager
    def reading(self) -> Iterator[Lease]:
        """A searcher of the latest index version and its evaluator, lent to this thread
        for the ``with`` block: one index version for everything read inside it.

        For tools and tests that need Whoosh's searcher itself; the library's own reads
        go through it too. Damage found inside becomes IndexCorruptError; too many open
        files, no space or no permission, IndexUnavailableError.
        """
        try:
            with self._pool.lease() as lease:
                yield lease
        except PapersearchError:
            raise
        except Exception as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> Exception:
        """The papersearch error for an exception met reading or writing the index (the
        exception itself when it is neither damage nor a resource problem)."""
        problem = _os_problem(exc)
        if problem is not None:
            return unavailable(self.path, problem)
        if _is_corruption(exc):
            return self._corrupt(exc)
        return exc

    def warm(self) -> None:
        """Read now what the first searches would read: a searcher, the columns, the
        vocabulary and its corrections table (for a server, before the first request)."""
        def read(lease: Lease) -> None:
            lease.evaluator.columns.votes()
            lease.evaluator.columns.authors()
            self._vocabulary_of(lease.searcher).near("모델")
        self._read(read)

    @property
    def open_searchers(self) -> int:
        """How many searchers this index has open, lent or idle (at most ``searchers``)."""
        return self._pool.open

    def plan(self, query: str, *, lease: Lease, ranking: Ranking | None = None) -> Plan:
        """How ``query`` is compiled for the searcher of ``lease`` (:meth:`reading`): its
        clauses, optional intent words, translations; ``strict()`` and ``partial()`` give
        the Whoosh queries a search evaluates. For tools and tests."""
        return plan(self._compiler, query, ranking or self.ranking, self.glossary(lease))

    def glossary(self, lease: Lease) -> Glossary:
        """The translations queries use (the mined glossary and the loanword lexicon), for
        the index version of ``lease`` (:meth:`reading`); kept as long as its searcher."""
        return glossary_of(lease.searcher, lease.evaluator, self._compiler)

    def _read(self, fn: Callable[[Lease], T]) -> T:
        """Run ``fn`` with a lent searcher (see :meth:`reading`); again with a newer one
        if a writer's merge removed a file the older one needed."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                with self.reading() as lease:
                    try:
                        return fn(lease)
                    except FileNotFoundError:
                        if (attempt + 1 < OPEN_ATTEMPTS
                                and self._ix.latest_generation() > lease.generation):
                            self._pool.retire(lease)
                            continue
                        raise
            except IndexCorruptError:
                if attempt + 1 < OPEN_ATTEMPTS and self._newer_than_open():
                    continue
                raise
        raise AssertionError("unreachable")

    def _newer_than_open(self) -> bool:
        """Whether a writer committed since the pool's searchers were opened."""
        return bool(self._ix.latest_generation() > self._pool.latest)

    def _corrupt(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(self.path, f"damaged or unreadable ({type(exc).__name__}: "
                                 f"{exc}); {REBUILD_HINT}")

    def search(self, query: str, options: SearchOptions | None = None, *,
               ranking: Ranking | None = None, **fields: Any) -> SearchResult:
        """Search papers; hits come ranked, each with a highlighted snippet.

        ``options`` (:class:`~papersearch.models.SearchOptions`) or its fields as keyword
        arguments (``index.search("확산 모델", limit=5, sort="votes")``; keywords
        override ``options``) say how many hits, in which order, filtered how, explained
        or not. A field it does not know or a bad value raises ``ValueError`` (pydantic's
        ValidationError). ``ranking`` replaces the index's ranking settings for this
        search (for tuning). Raises QueryError for a query it cannot serve. When the
        query finds little, ``did_you_mean`` suggests a corrected query that finds more
        (:mod:`papersearch.discovery.spelling`).
        """
        if fields:
            base = options.model_dump(exclude_unset=True) if options is not None else {}
            options = SearchOptions(**{**base, **fields})
        elif options is None:
            options = SearchOptions()
        settings = ranking or self.ranking
        if options.vote_weight is not None:
            settings = replace(settings, vote_weight=options.vote_weight)
        result: SearchResult = self._read(
            lambda lease: self._run(lease, query, options, settings))
        if options.did_you_mean and len(query.split()) <= SPELLED_WORDS and (
                result.total < FEW_RESULTS or result.relaxed or result.ignored_terms):
            counting = options.model_copy(update={"limit": 1, "offset": 0, "explain": False,
                                                  "facets": False})

            def outcome(lease: Lease, text: str) -> Outcome:
                found = self._run(lease, text, counting, settings)
                return (not found.relaxed and not found.ignored_terms, found.total)

            current = (not result.relaxed and not result.ignored_terms, result.total)
            suggestion = self._read(lambda lease: self._speller(lease.searcher).suggest(
                query, current, lambda text: outcome(lease, text)))
            if suggestion is not None:
                from papersearch.discovery.spelling import confident_correction

                result = result.model_copy(update={"did_you_mean": suggestion})
                if options.correct and result.total == 0 and not result.hits \
                        and confident_correction(query, suggestion):
                    corrected: SearchResult = self._read(
                        lambda lease: self._run(lease, suggestion, options, settings))
                    if corrected.total:  # (a page past its end is still its page)
                        result = corrected.model_copy(update={"corrected_from": query})
        return result

    def _run(self, lease: Lease, query: str, options: SearchOptions, ranking: Ranking
             ) -> SearchResult:
        """One search with a lent searcher, or with one of its own for other ranking
        settings than the index's (the searcher's weighting scores the postings)."""
        if ranking != lease.searcher.weighting.ranking:
            with self._open_searcher(ranking) as own:
                return run_search(own, self._compiler, query, options, ranking, Evaluator(own))
        return run_search(lease.searcher, self._compiler, query, options, ranking,
                          lease.evaluator)

    def similar(self, arxiv_id: str, limit: int = 10, *, by: SimilarBy = "text"
                ) -> SimilarResult:
        """The ``limit`` papers most like the paper ``arxiv_id``, best first.

        Found by the paper's key Korean and English terms and their glossary
        translations (:mod:`papersearch.discovery.similar`); ``by="title"`` uses only its title's
        words. Raises PaperNotFoundError for a paper the index does not hold.
        """
        from papersearch.discovery.similar import find_similar

        wanted = normalize_id(arxiv_id) or arxiv_id.strip().lower()
        result: SimilarResult | None = self._read(lambda lease: find_similar(
            lease.searcher, lease.evaluator, self._compiler, wanted, limit, self.ranking, by))
        if result is None:
            raise PaperNotFoundError(arxiv_id)
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Words of the index that start with ``prefix`` (Korean or English), most used first.

        For a search box: called on every keystroke, it answers from an in-memory
        vocabulary (read on the first call after each change to the index). A
        Korean syllable still being typed counts (``강화하`` suggests ``강화학습``).
        Only the last word of ``prefix`` is completed; the words before it are kept, and
        rank the completions by the papers that have them too
        (:mod:`papersearch.discovery.suggestions`).
        """
        from papersearch.discovery.suggestions import suggest

        head, _, last = normalize_text(prefix).rpartition(" ")
        if not last.strip():
            return []

        def run(lease: Lease) -> list[Suggestion]:
            def matching(text: str) -> Collection[int] | None:
                query = plan(self._compiler, text, self.ranking, self.glossary(lease)).strict()
                return None if query is None else lease.evaluator.scores(query).keys()

            return suggest(self._vocabulary_of(lease.searcher), lease.searcher.reader(),
                           lease.evaluator.derived("suggest-heads", dict), head.strip(), last,
                           limit, matching, self._known_word)

        return self._read(run)

    def _known_word(self, word: str) -> bool:
        """Whether MeCab (with the loanword lexicon) reads ``word`` as one word it knows,
        possibly with noun suffixes (학습자 = 학습 + 자): not pieces of a word it chopped."""
        found = list(self._compiler.tokenizer().morphemes(word))
        return bool(found) and not found[0][1].startswith("UNKNOWN") and all(
            feature.startswith("XSN") for _, feature, _, _ in found[1:])

    def _vocabulary_of(self, searcher: Any) -> Vocabulary:
        """The vocabulary of ``searcher``'s index version, read once and shared by threads
        (from the file the index keeps of it, see :func:`~papersearch.discovery.vocabulary.
        stored_vocabulary`)."""
        from papersearch.discovery.vocabulary import stored_vocabulary

        reader = searcher.reader()
        generation = reader.generation()
        cached = self._vocabulary
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._vocabulary_lock:
            cached = self._vocabulary
            if cached is None or cached[0] != generation:
                cached = (generation, stored_vocabulary(self.path, reader))
                self._vocabulary = cached
            return cached[1]

    def _keep_vocabulary(self, report: AddReport, phase: PhaseCallback | None = None
                         ) -> None:
        """After an add that changed at least a tenth of the papers (a first build, a
        large batch), write the new version's vocabulary file now, so the first
        did-you-mean or suggest of the next process loads it (a few ms) instead of
        reading it from the index (~0.4 s at 5,487 papers). After a smaller add, where
        reading it could take longer than the add itself, the first reader writes it.

        Best effort: the add has committed, so anything failing here (a writer that merged
        the new version away meanwhile, a full disk) leaves the file to the first reader
        rather than turning a successful add into an error."""
        changed = report.papers_added + report.papers_updated + report.papers_removed
        if not changed:
            return
        try:
            self._read(lambda lease: self._keep_vocabulary_of(lease.searcher, changed, phase))
        except KeyboardInterrupt as exc:
            raise AddInterrupted(report) from exc
        except Exception:  # a cache: the add has committed, and the first reader writes it
            pass

    def _keep_vocabulary_of(self, searcher: Any, changed: int,
                            phase: PhaseCallback | None = None) -> None:
        if changed * 10 >= searcher.reader().doc_frequency("kind", KIND_PAPER):
            if phase is not None:  # a few seconds at 50,000 papers: say what it is
                phase("keeping the vocabulary and the title words Korean words go with")
            self._vocabulary_of(searcher)  # loads or reads the vocabulary, and keeps it
            with self._alignment_lock:
                self._alignment = stored_alignment(self.path, searcher.reader(),
                                                   refresh=True)

    def _alignment_of(self, reader: Any) -> Alignment:
        """The title words Korean words go with, for queries (:mod:`papersearch.search.
        alignment`): from the index's file, read once and shared by threads; counted
        and written if there is none (a first query after a small first add)."""
        cached = self._alignment
        if cached is not None:
            return cached
        with self._alignment_lock:
            if self._alignment is None:
                self._alignment = stored_alignment(self.path, reader)
            return self._alignment

    def _speller(self, searcher: Any) -> Speller:
        from papersearch.discovery.spelling import Speller

        return Speller(self._vocabulary_of(searcher), self._compiler.tokenizer())

    def get(self, arxiv_id: str) -> Paper | None:
        """The paper with this arXiv id, or None (as ``dict.get``). Any form people paste
        is read (``2401.12070``, ``2401.12070v2``, ``arXiv:2401.12070``, an abs or pdf
        URL), here and in :meth:`paper` and :meth:`similar` alike."""
        wanted = normalize_id(arxiv_id) or arxiv_id.strip().lower()
        fields = self._read(lambda lease: lease.searcher.document(key=paper_key(wanted)))
        return Paper.model_validate_json(fields["record"]) if fields else None

    def paper(self, arxiv_id: str) -> Paper:
        """The paper with this arXiv id; PaperNotFoundError if the index does not hold it
        (the one not-found error of :meth:`paper` and :meth:`similar`, the CLI and the
        API)."""
        found = self.get(arxiv_id)
        if found is None:
            raise PaperNotFoundError(arxiv_id)
        return found

    def days(self) -> list[dt.date]:
        """Every digest day the index holds, oldest first."""
        return self._read(lambda lease: _days(lease.searcher))

    def stats(self) -> IndexStats:
        """Paper and day counts, the date range and the size on disk, all of one index
        version (what one searcher sees)."""

        def collect(lease: Lease) -> IndexStats:
            searcher = lease.searcher
            days = _days(searcher)
            papers = sum(1 for _ in searcher.document_numbers(kind=KIND_PAPER))
            meta = searcher.document(key=META_KEY) or {}
            size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
            return IndexStats(
                path=str(self.path), papers=papers, days=len(days),
                first_date=days[0] if days else None, last_date=days[-1] if days else None,
                size_bytes=size, papersearch_version=str(meta.get("version", "?")),
                schema_version=int(meta.get("schema_version", 0)),
            )
        return self._read(collect)

    # -- writing ---------------------------------------------------------------------

    def add(self, paths: str | Path | Sequence[str | Path], *, strict: bool = False,
            progress: ProgressCallback | None = None, workers: int | None = None,
            commit_every: int | None = None, prune: bool = False,
            phase: PhaseCallback | None = None) -> AddReport:
        """Add digest files, or folders of them; returns what was added, updated, skipped, failed.

        Idempotent: unchanged files are skipped; a changed day file replaces
        that day's entries. Broken entries are reported (file and line) and
        skipped unless ``strict``, which raises DigestError before writing.
        ``workers`` processes analyze text beside the writer (default: 2 for a
        large add from a single-threaded program, else none). ``commit_every`` files
        are written per commit (default :data:`~papersearch.ingest.indexing.
        COMMIT_EVERY`): a failure or a kill keeps every batch committed before it.
        ``prune`` then removes the days whose files are gone from the folders in
        ``paths`` (each with status ``removed``), and their papers no other day lists:
        after ``git pull`` in a checkout of the digests, the index matches it again.
        ``phase`` receives a line naming each phase as it starts. Interrupted (Ctrl+C),
        it raises :class:`~papersearch.errors.AddInterrupted` with what was committed.
        """
        from papersearch.ingest.indexing import add_digests, prune_days

        if isinstance(paths, (str, Path)):
            paths = [paths]
        try:
            report = add_digests(self._ix, list(paths), strict=strict,
                                 lock_timeout=self.lock_timeout, progress=progress,
                                 workers=workers, phase=phase,
                                 **({"commit_every": commit_every} if commit_every else {}))
            if prune:
                read = [f.day for f in report.files
                        if f.day is not None and f.status != "failed"]
                report = report.followed_by(prune_days(
                    self._ix, [Path(p) for p in paths], lock_timeout=self.lock_timeout,
                    present=read))
            self._keep_vocabulary(report, phase)
            return report
        except PapersearchError:
            raise
        except Exception as exc:
            raise self._translate(exc) from exc

    # -- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Close every searcher this object opened (those lent out as they come back)
        and the index."""
        self._pool.close()
        self._vocabulary = None
        self._ix.close()

    def __enter__(self) -> PaperIndex:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PaperIndex({str(self.path)!r})"
