"""PaperIndex: the public face of an index directory.

Opening, creating, adding digests, searching, fetching one paper and stats.
It holds no global state: every index object owns its Whoosh index and one
searcher per thread (Whoosh searchers read files through shared handles and
are not safe to share between threads), refreshed when another writer commits.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from whoosh import index as windex
from whoosh.index import EmptyIndexError, Index

from papersearch import __version__
from papersearch.analysis import normalize_text
from papersearch.errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    PaperNotFoundError,
    PapersearchError,
)
from papersearch.evaluation import Evaluator
from papersearch.lexicon import bundled as bundled_lexicon
from papersearch.models import (
    AddReport,
    IndexStats,
    Paper,
    SearchResult,
    SimilarResult,
    Suggestion,
)
from papersearch.ranking import DEFAULT_RANKING, Ranking, VoteBlendedBM25F
from papersearch.schema import (
    KIND_DAY,
    KIND_META,
    KIND_PAPER,
    META_KEY,
    SCHEMA_VERSION,
    build_schema,
    paper_key,
)
from papersearch.searching import (
    ARXIV_ID,
    SORT_ORDERS,
    QueryCompiler,
    SearchOptions,
    SortOrder,
    run_search,
)

if TYPE_CHECKING:  # indexing, similar papers and spelling load on first use
    from papersearch.indexing import ProgressCallback
    from papersearch.similar import SimilarBy
    from papersearch.spelling import Outcome, Speller
    from papersearch.vocabulary import Vocabulary

# What Whoosh raises when index files are missing, truncated or garbled.
_CORRUPTION = (OSError, EOFError, struct.error, pickle.UnpicklingError, ValueError, KeyError,
               IndexError, zlib.error)


def _is_corruption(exc: Exception) -> bool:
    """Whether ``exc`` is Whoosh reading damaged index files: one of ``_CORRUPTION``, or
    the bare Exception("Block tag error ...") its postings reader raises."""
    return isinstance(exc, _CORRUPTION) or (
        type(exc) is Exception and str(exc).startswith("Block tag error"))


FEW_RESULTS = 3
"""A search with fewer hits than this (or relaxed, or with ignored words) gets a
did-you-mean suggestion, when one does better (:mod:`papersearch.spelling`)."""

REBUILD_HINT = "rebuild it with: papersearch index --rebuild PATH..."


def _is_index(path: Path) -> bool:
    return path.is_dir() and any(path.glob("_MAIN_*.toc"))


class PaperIndex:
    """A papersearch index on disk. Create with :meth:`create`, open with :meth:`open`.

    ``ranking`` holds the default ranking settings (see
    :class:`papersearch.ranking.Ranking`); ``vote_weight``, if given, replaces
    its weight of votes; ``lock_timeout`` is how many seconds ``add``
    waits for another writer before raising
    :class:`~papersearch.errors.IndexLockedError`.
    """

    def __init__(self, ix: Index, path: Path, *, ranking: Ranking = DEFAULT_RANKING,
                 vote_weight: float | None = None, lock_timeout: float = 10.0) -> None:
        self._ix = ix
        self.path = path
        if vote_weight is not None:
            ranking = replace(ranking, vote_weight=vote_weight)
        self.ranking = ranking
        self.lock_timeout = lock_timeout
        self._compiler = QueryCompiler(ix.schema)
        self._local = threading.local()
        self._searchers: list[Any] = []
        self._searchers_lock = threading.Lock()
        # The vocabulary of the latest index version read, as (generation, vocabulary):
        # shared by all threads, read again only after a writer commits.
        self._vocabulary: tuple[int, Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, *, overwrite: bool = False,
               **options: Any) -> PaperIndex:
        """Create an empty index at ``path`` (a directory, made if missing).

        Refuses to replace an existing index unless ``overwrite`` is true.
        """
        path = Path(path)
        if _is_index(path):
            if not overwrite:
                raise PapersearchError(f"index {path}: already exists; open it with "
                                       "PaperIndex.open, or pass overwrite=True to replace it")
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        index = cls(windex.create_in(str(path), build_schema()), path, **options)
        index._stamp()
        return index

    def _stamp(self) -> None:
        """Write the meta document: which papersearch and schema built this index."""
        writer = self._ix.writer(timeout=self.lock_timeout, compound=False)
        writer.update_document(key=META_KEY, kind=KIND_META, version=__version__,
                               schema_version=SCHEMA_VERSION,
                               lexicon=bundled_lexicon().digest)
        writer.commit()

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, **options: Any) -> PaperIndex:
        """Open the index at ``path``; with ``create=True`` make it if there is none.

        Raises IndexNotFoundError, IndexVersionError (built by an incompatible
        papersearch) or IndexCorruptError, each saying how to recover.
        """
        path = Path(path)
        if not _is_index(path):
            if create:
                return cls.create(path, **options)
            raise IndexNotFoundError(path, "no index here; build one with: "
                                     "papersearch index PATH... (or PaperIndex.create)")
        try:
            ix = windex.open_dir(str(path))
        except EmptyIndexError as exc:
            raise IndexNotFoundError(path, f"no index here ({exc})") from exc
        except (AttributeError, ImportError, ModuleNotFoundError, TypeError) as exc:
            raise IndexVersionError(path, "made by an incompatible papersearch version "
                                    f"({exc}); {REBUILD_HINT}") from exc
        except OSError as exc:
            raise IndexCorruptError(path, f"cannot read the index ({exc}); {REBUILD_HINT}") from exc
        except Exception as exc:  # a truncated TOC raises struct/pickle errors
            raise IndexCorruptError(path, f"damaged ({type(exc).__name__}: {exc}); "
                                    f"{REBUILD_HINT}") from exc
        index = cls(ix, path, **options)
        index._check_version()
        return index

    @classmethod
    def rebuild(cls, path: str | Path, sources: str | Path | Sequence[str | Path], *,
                strict: bool = False, progress: ProgressCallback | None = None,
                workers: int | None = None, **options: Any) -> tuple[PaperIndex, AddReport]:
        """Build a fresh index from ``sources`` and put it in place of the one at ``path``.

        The new index is built beside the old one and swapped in only when
        complete, so a failure (or a damaged old index) loses nothing: the old
        directory stays as it was until the new one is ready.
        """
        path = Path(path)
        staging = path.with_name(f".{path.name}.rebuild")
        retired = path.with_name(f".{path.name}.old")
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover)
        fresh = cls.create(staging, **options)
        try:
            report = fresh.add(sources, strict=strict, progress=progress, workers=workers)
        except BaseException:
            fresh.close()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fresh.close()
        if path.exists():
            path.rename(retired)
        staging.rename(path)
        if retired.exists():
            shutil.rmtree(retired)
        return cls.open(path, **options), report

    def _check_version(self) -> None:
        meta = self._read(lambda s: s.document(key=META_KEY))
        if meta is None and self._read(lambda s: s.doc_count_all()) == 0:
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

    # -- reading ---------------------------------------------------------------------

    def _searcher(self) -> Any:
        """This thread's searcher, reopened if a writer committed since it was opened.

        Not ``Searcher.refresh()``: Whoosh 2.7's reader reuse keeps the segments
        a merge replaced next to the merged one, so after another process's merging
        commit a refreshed searcher counts documents twice.
        """
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            with self._searchers_lock:
                self._searchers.remove(searcher)
            searcher.close()
            searcher = None
        if searcher is None:
            searcher, evaluator = self._open_searcher(self.ranking)
            with self._searchers_lock:
                self._searchers.append(searcher)
            self._local.searcher, self._local.evaluator = searcher, evaluator
        return searcher

    def _open_searcher(self, ranking: Ranking) -> tuple[Any, Evaluator]:
        searcher = self._ix.searcher(weighting=VoteBlendedBM25F(ranking))
        return searcher, Evaluator(searcher)

    def _read(self, fn: Any) -> Any:
        """Run ``fn(searcher)``; damage found on the way becomes IndexCorruptError."""
        try:
            return fn(self._searcher())
        except PapersearchError:
            raise
        except Exception as exc:
            if _is_corruption(exc):
                raise self._corrupt(exc) from exc
            raise

    def _corrupt(self, exc: BaseException) -> IndexCorruptError:
        return IndexCorruptError(self.path, f"damaged or unreadable ({type(exc).__name__}: "
                                 f"{exc}); {REBUILD_HINT}")

    def search(self, query: str, *, limit: int = 10, sort: SortOrder = "relevance",
               since: dt.date | None = None, until: dt.date | None = None,
               min_votes: int | None = None, max_votes: int | None = None,
               author: str | None = None, vote_weight: float | None = None,
               ranking: Ranking | None = None, explain: bool = False, facets: bool = True,
               did_you_mean: bool = True) -> SearchResult:
        """Search papers; hits come ranked, each with a highlighted snippet.

        ``sort`` is ``relevance`` (BM25F blended with votes), ``votes`` or
        ``date`` (newest listing first). ``since``/``until`` keep papers listed
        on a day in that range (inclusive); ``min_votes``/``max_votes`` keep papers
        with votes in that range (unknown votes excluded); ``author`` keeps papers
        with an author of exactly that name (any case). ``ranking`` replaces the
        index's ranking settings for this search and ``vote_weight`` their weight of
        votes. Raises QueryError for a query it cannot serve. ``explain`` adds to each
        hit how its score was made (:class:`~papersearch.models.Explanation`).
        ``facets`` counts every match by month, author and votes
        (:class:`~papersearch.models.Facets`). ``did_you_mean``: when the query finds
        little, suggest a corrected query that finds more
        (:mod:`papersearch.spelling`).
        """
        if sort not in SORT_ORDERS:
            raise ValueError(f"sort must be one of {', '.join(SORT_ORDERS)}, not {sort!r}")
        chosen = ranking or self.ranking
        if vote_weight is not None:
            chosen = replace(chosen, vote_weight=vote_weight)
        options = SearchOptions(limit=limit, sort=sort, since=since, until=until,
                                min_votes=min_votes, max_votes=max_votes, author=author,
                                ranking=chosen, explain=explain, facets=facets)

        result: SearchResult = self._read(lambda searcher: self._run(searcher, query, options))
        if did_you_mean and (result.total < FEW_RESULTS or result.relaxed
                             or result.ignored_terms):
            counting = replace(options, limit=1, explain=False, facets=False)

            def outcome(searcher: Any, text: str) -> Outcome:
                found = self._run(searcher, text, counting)
                return (not found.relaxed and not found.ignored_terms, found.total)

            current = (not result.relaxed and not result.ignored_terms, result.total)
            suggestion = self._read(lambda searcher: self._speller(searcher).suggest(
                query, current, lambda text: outcome(searcher, text)))
            if suggestion is not None:
                result = result.model_copy(update={"did_you_mean": suggestion})
        return result

    def _run(self, searcher: Any, query: str, options: SearchOptions) -> SearchResult:
        """One search with this thread's searcher, or with one of its own when ``options``
        ask for other ranking settings (the searcher's weighting scores the postings)."""
        if options.ranking != searcher.weighting.ranking:
            own, evaluator = self._open_searcher(options.ranking)
            with own:
                return run_search(own, self._compiler, query, options, evaluator)
        return run_search(searcher, self._compiler, query, options, self._local.evaluator)

    def similar(self, arxiv_id: str, limit: int = 10, *, by: SimilarBy = "text"
                ) -> SimilarResult:
        """The ``limit`` papers most like the paper ``arxiv_id``, best first.

        Found by the paper's key Korean and English terms and their glossary
        translations (:mod:`papersearch.similar`); ``by="title"`` uses only its title's
        words. Raises PaperNotFoundError for a paper the index does not hold.
        """
        from papersearch.similar import find_similar

        wanted = arxiv_id.strip().lower()
        match = ARXIV_ID.match(wanted)
        wanted = match.group(1) if match else wanted
        result: SimilarResult | None = self._read(lambda searcher: find_similar(
            searcher, self._local.evaluator, self._compiler, wanted, limit, self.ranking, by))
        if result is None:
            raise PaperNotFoundError(arxiv_id)
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Words of the index that start with ``prefix`` (Korean or English), most used first.

        For a search box: called on every keystroke, it answers from an in-memory
        vocabulary (read on the first call after each change to the index). A
        Korean syllable still being typed counts (``강화하`` suggests ``강화학습``).
        Only the last word of ``prefix`` is completed; the words before it are kept.
        """
        head, _, last = normalize_text(prefix).rpartition(" ")
        if not last.strip():
            return []
        vocabulary = self._read(self._vocabulary_of)
        lead = f"{head} " if head.strip() else ""
        return [Suggestion(text=lead + word, papers=papers)
                for word, papers in vocabulary.complete(last, limit)]

    def _vocabulary_of(self, searcher: Any) -> Vocabulary:
        """The vocabulary of ``searcher``'s index version, read once and shared by threads."""
        from papersearch.vocabulary import Vocabulary

        reader = searcher.reader()
        generation = reader.generation()
        cached = self._vocabulary
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._vocabulary_lock:
            cached = self._vocabulary
            if cached is None or cached[0] != generation:
                cached = (generation, Vocabulary.read(reader))
                self._vocabulary = cached
            return cached[1]

    def _speller(self, searcher: Any) -> Speller:
        from papersearch.spelling import Speller

        return Speller(self._vocabulary_of(searcher), self._compiler.tokenizer())

    def get(self, arxiv_id: str) -> Paper | None:
        """The paper with this arXiv id (``2401.12070``), or None."""
        fields = self._read(lambda s: s.document(key=paper_key(arxiv_id.strip().lower())))
        return Paper.model_validate_json(fields["record"]) if fields else None

    def days(self) -> list[dt.date]:
        """Every digest day the index holds, oldest first."""
        keys: list[str] = self._read(
            lambda s: [fields["key"] for fields in s.documents(kind=KIND_DAY)])
        return sorted(dt.date.fromisoformat(key.split(":", 1)[1]) for key in keys)

    def stats(self) -> IndexStats:
        """Paper and day counts, the date range and the size on disk."""
        days = self.days()

        def collect(searcher: Any) -> IndexStats:
            papers = sum(1 for _ in searcher.document_numbers(kind=KIND_PAPER))
            meta = searcher.document(key=META_KEY) or {}
            size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
            return IndexStats(
                path=str(self.path), papers=papers, days=len(days),
                first_date=days[0] if days else None, last_date=days[-1] if days else None,
                size_bytes=size, papersearch_version=str(meta.get("version", "?")),
                schema_version=int(meta.get("schema_version", 0)),
            )
        result: IndexStats = self._read(collect)
        return result

    # -- writing ---------------------------------------------------------------------

    def add(self, paths: str | Path | Sequence[str | Path], *, strict: bool = False,
            progress: ProgressCallback | None = None,
            workers: int | None = None) -> AddReport:
        """Add digest files, or folders of them; returns what was added, updated, skipped, failed.

        Idempotent: unchanged files are skipped; a changed day file replaces
        that day's entries. Broken entries are reported (file and line) and
        skipped unless ``strict``, which raises DigestError before writing.
        ``workers`` processes analyze text beside the writer (default: 2 for a
        large add from a single-threaded program, else none).
        """
        from papersearch.indexing import add_digests

        if isinstance(paths, (str, Path)):
            paths = [paths]
        try:
            return add_digests(self._ix, list(paths), strict=strict,
                               lock_timeout=self.lock_timeout, progress=progress,
                               workers=workers)
        except PapersearchError:
            raise
        except Exception as exc:
            if _is_corruption(exc):
                raise self._corrupt(exc) from exc
            raise

    # -- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Close every searcher this object opened (in any thread) and the index."""
        with self._searchers_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._local = threading.local()
        self._vocabulary = None
        self._ix.close()

    def __enter__(self) -> PaperIndex:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PaperIndex({str(self.path)!r})"
