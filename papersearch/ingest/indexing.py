"""Indexing: adding digest files to an index, incrementally and idempotently.

A digest file stands for one day. Adding it compares its hash with the day
already indexed: the same content changes nothing; new or changed content
replaces that day's entries, and only the papers that day lists (now or
before) are re-merged from the days that list them. A paper that no day lists
any more is deleted. Days are written in commits of ``COMMIT_EVERY``; each
commit is atomic (Whoosh renames its table of contents into place), so a
failure or a kill part-way leaves the last commit intact, and running the same
add again skips the days already committed.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter
from whoosh.index import Index, LockError

from papersearch.analysis import (
    NAME_WORD,
    PreTokenized,
    analyze,
    glossary,
    index_tokens_and_words,
)
from papersearch.errors import AddInterrupted, DigestError, IndexLockedError
from papersearch.ingest.digest import find_digests, parse_digest
from papersearch.models import AddReport, Digest, DigestEntry, FileReport, Paper, ParseIssue
from papersearch.schema import KIND_DAY, KIND_PAPER, day_key, day_number, day_of_key, paper_key

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, path)`` after each file is written (committed)."""
PhaseCallback = Callable[[str], None]
"""Called with a line naming each phase of an add as it starts (the final merge, the
longest step of a large add, among them)."""

_ENTRIES = TypeAdapter(list[DigestEntry])


def merge_entries(entries: Sequence[DigestEntry]) -> Paper:
    """Merge one paper's listings (any order) into a :class:`Paper`.

    The latest listing gives the title and text; votes, authors, bullets and
    media come from the latest listing that has them; every date is kept.
    """
    ordered = sorted(entries, key=lambda e: (e.date, e.line))
    latest = ordered[-1]

    def latest_with(attr: str) -> Any:
        for entry in reversed(ordered):
            value = getattr(entry, attr)
            if value:
                return value
        return getattr(latest, attr)

    votes = next((e.votes for e in reversed(ordered) if e.votes is not None), None)
    titles: list[str] = []
    for entry in reversed(ordered):
        if entry.title != latest.title and entry.title not in titles:
            titles.append(entry.title)
    return Paper(
        arxiv_id=latest.arxiv_id, title=latest.title, url=latest.url, votes=votes,
        dates=sorted({e.date for e in ordered}), authors=latest_with("authors"),
        bullets=latest_with("bullets"), image_url=latest_with("image_url"),
        video_url=latest_with("video_url"), other_titles=titles,
    )


def paper_document(paper: Paper, days: Iterable[str]) -> dict[str, Any]:
    """The Whoosh fields of a paper document."""
    title = "\n".join([paper.title, *paper.other_titles])
    return {
        "key": paper_key(paper.arxiv_id),
        "kind": KIND_PAPER,
        "arxiv_id": paper.arxiv_id,
        "title": title,
        "summary": paper.summary,
        "authors": "\n".join(paper.authors),
        "author_list": "\n".join(paper.authors).encode("utf-8"),
        "dates": ",".join(d.isoformat() for d in paper.dates),
        "votes": paper.votes if paper.votes is not None else -1,
        "first_date": day_number(paper.dates[0]),
        "last_date": day_number(paper.dates[-1]),
        "record": paper.model_dump_json(),
        "days": ",".join(sorted(days)),
    }


@dataclass
class PendingPaper:
    """A paper document on its way to the writer, with what writing it needs besides its
    Whoosh fields."""

    fields: dict[str, Any]
    labels: tuple[str, ...]
    """Its bullet labels (``What's New``): text of the summary, not words of the paper."""
    new: bool
    """No older document of it to replace (``add_document`` skips the key look-up)."""


def day_document(digest: Digest) -> dict[str, Any]:
    """The Whoosh fields of a day document (no searchable text)."""
    return {
        "key": day_key(digest.day.isoformat()),
        "kind": KIND_DAY,
        "record": _ENTRIES.dump_json(digest.entries).decode("utf-8"),
        "sha256": digest.sha256,
        "source": _source(digest),
    }


def digest_files(paths: Iterable[str | Path], empty: list[ParseIssue] | None = None
                 ) -> list[Path]:
    """Every digest file under ``paths``, each once, in the order found; a warning for
    each folder that has none goes to ``empty``."""
    files: dict[Path, None] = {}
    for path in paths:
        found = find_digests(path)
        if not found and empty is not None:
            empty.append(ParseIssue(path=str(path), line=0, severity="warning",
                                    message="no digest files (**/*.md) in this folder"))
        for file in found:
            files.setdefault(file, None)
    return list(files)


def parse_files(files: Sequence[Path], *, strict: bool
                ) -> tuple[list[Digest], list[FileReport], list[ParseIssue]]:
    """Parse digest files; unreadable files become failed reports.

    In strict mode the first problem raises :class:`DigestError`.
    """
    digests: list[Digest] = []
    failed: list[FileReport] = []
    issues: list[ParseIssue] = []
    for file in files:
        try:
            digest = parse_digest(file, strict=strict)
        except DigestError as exc:
            if strict:
                raise
            failed.append(FileReport(path=str(file), status="failed", message=exc.message))
            issues.append(ParseIssue(path=str(file), line=exc.line or 0, severity="error",
                                     message=exc.message))
        else:
            digests.append(digest)
            issues.extend(digest.issues)
    return digests, failed, issues


class _DayStore:
    """The entries of each day: those changed in this batch, else as indexed."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.changed: dict[str, list[DigestEntry]] = {}
        self._loaded: dict[str, list[DigestEntry]] = {}

    def stored(self, day: str) -> dict[str, Any] | None:
        fields: dict[str, Any] | None = self.searcher.document(key=day_key(day))
        return fields

    def entries(self, day: str) -> list[DigestEntry]:
        if day in self.changed:
            return self.changed[day]
        if day not in self._loaded:
            fields = self.stored(day)
            self._loaded[day] = _ENTRIES.validate_json(fields["record"]) if fields else []
        return self._loaded[day]


COMMIT_EVERY = 50
"""Days written per commit: a killed run keeps what it committed, and a rerun skips it."""


def add_digests(ix: Index, paths: Sequence[str | Path], *, strict: bool = False,
                lock_timeout: float = 0.0, progress: ProgressCallback | None = None,
                commit_every: int = COMMIT_EVERY, workers: int | None = None,
                phase: PhaseCallback | None = None) -> AddReport:
    """Add digest files or folders to ``ix``; see the module docstring.

    Files are parsed and written ``commit_every`` at a time, so memory holds one
    batch of digests, not the whole add (at 54,870 papers, parsing every file
    first held over a gigabyte). In strict mode every file is parsed once first,
    so a broken one fails the add before anything is written. ``workers``
    analysis processes run beside the writer (default: up to 2 for an add of
    at least PARALLEL_MIN_PAPERS papers; 0 analyzes in-process).
    """
    issues: list[ParseIssue] = []
    files = digest_files(paths, issues)
    if strict:
        for file in files:
            parse_digest(file, strict=True)  # raises DigestError, naming file and line
    reports: list[FileReport] = []
    failures: list[FileReport] = []
    added = updated = removed = 0
    step = max(commit_every, 1)
    starts = range(0, max(len(files), 1), step)
    pool: Executor | None = None
    unmerged = False  # a commit left its segment for the last one to merge
    tell = phase or (lambda _: None)
    try:
        tell(f"reading, analysing and writing {len(files)} files, {step} per commit")
        for start in starts:
            batch = files[start:start + step]
            digests, failed, found = parse_files(batch, strict=strict)
            failures += failed
            issues += found
            if start == 0:
                # the first batch's papers per file, times the files: the add's size
                papers = sum(len(d.entries) for d in digests) * len(files) // max(len(batch), 1)
                pool = _worker_pool(workers, papers, ix.schema["summary"].analyzer)
            # A multi-commit add leaves its segments unmerged until its last commit,
            # which merges everything into one: merging after every commit rewrote
            # the growing index again and again, and each segment costs every later
            # search a matcher per query term.
            last = start == starts[-1]
            merge: Literal["merge", "none", "optimize"] = (
                "merge" if len(starts) == 1 else "optimize" if last else "none")
            if merge == "optimize":
                tell("writing the last files and merging every segment into one")
            part = _write_batch(ix, digests, lock_timeout, merge, pool)
            committed = any(f.status in {"added", "updated"} for f in part.files)
            if committed:
                unmerged = merge == "none"
            reports += part.files
            added += part.papers_added
            updated += part.papers_updated
            removed += part.papers_removed
            del digests
            if progress is not None:  # after the batch is written (and committed)
                for done, file in enumerate(batch, start=start + 1):
                    progress(done, len(files), str(file))
        if unmerged:  # the last batch had nothing to write, so nothing merged the others
            tell("merging every segment into one")
            _merge_segments(ix, lock_timeout)
    except KeyboardInterrupt as exc:
        # What the finished commits hold stays: say so, so the caller can report it.
        raise AddInterrupted(AddReport(
            files=reports + failures, issues=issues, papers_added=added,
            papers_updated=updated, papers_removed=removed)) from exc
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return AddReport(files=reports + failures, issues=issues, papers_added=added,
                     papers_updated=updated, papers_removed=removed)


def prune_days(ix: Index, folders: Sequence[Path], *, lock_timeout: float = 0.0,
               present: Collection[dt.date] = ()) -> AddReport:
    """Remove the days whose digest file, once read from inside one of ``folders``, is gone.

    The routine it serves: ``git pull`` in a checkout of the digests, then index it
    again; a day file deleted upstream takes its day out of the index, and its papers
    that no other day lists with it. Left alone: days read from elsewhere, a day whose
    file still exists, a day in ``present`` (read by the add just before, from wherever:
    a file moved or renamed keeps its day), and a day whose place an older papersearch
    kept as a relative path (it cannot be placed; indexing its folder again records the
    place of every file still there).
    """
    roots = [Path(f).resolve() for f in folders if Path(f).is_dir()]
    if not roots:
        return AddReport()
    keep = {day.isoformat() for day in present}
    with ix.searcher() as searcher:
        gone = []
        for fields in searcher.documents(kind=KIND_DAY):
            source = Path(str(fields.get("source", "")))
            day = day_of_key(str(fields["key"]))
            if not source.is_absolute() or day in keep:
                continue
            if any(source.is_relative_to(root) for root in roots) and not source.exists():
                gone.append((day, source))
    if not gone:
        return AddReport()
    writer = _open_writer(ix, lock_timeout)
    searcher = writer.searcher()
    try:
        days = _DayStore(searcher)
        affected: set[str] = set()
        files = []
        for day, source in gone:
            entries = days.entries(day)
            affected.update(e.arxiv_id for e in entries)
            days.changed[day] = []
            writer.delete_by_term("key", day_key(day))
            files.append(FileReport(path=str(source), status="removed",
                                    day=dt.date.fromisoformat(day), papers=len(entries)))
        added, updated, removed = _remerge(writer, searcher, days, affected)
    except BaseException:
        searcher.close()
        writer.cancel()
        raise
    searcher.close()
    writer.commit(merge=True)
    gc.collect()
    return AddReport(files=files, papers_added=added, papers_updated=updated,
                     papers_removed=removed)


COMPOUND_UP_TO = 200
"""Papers a commit to an index that has papers may write and still be one compound file
(a few days added, see :func:`_open_writer`); a first build, a larger batch and the final
merge write separate files."""


def _has_papers(ix: Index) -> bool:
    with ix.reader() as reader:
        return bool(reader.doc_frequency("kind", KIND_PAPER))


def _open_writer(ix: Index, lock_timeout: float, compound: bool = False) -> Any:
    """A writer, waiting up to ``lock_timeout`` for another one to finish.

    ``compound=False`` (large writes): segments stay as separate files. Whoosh reads a
    subfile of a compound segment by copying it into memory, which made every cold open
    pay for the whole terms table (30 ms at 5,487 papers, ten times that at 54,870).
    ``compound=True`` (a few days): one file, mapped into memory and closed at open, so
    a small segment costs a reading process no open file and no file a merge can pull
    away from it (a server reading while days are added kept ~10 files per small
    segment per searcher open, and ran out of them under ``ulimit -n 256``).
    """
    try:
        return ix.writer(timeout=lock_timeout, delay=0.05, limitmb=256, compound=compound)
    except LockError as exc:
        raise IndexLockedError(ix.storage.folder, "another process is writing to this index "
                               f"(waited {lock_timeout:g} s for its lock)") from exc


def _merge_segments(ix: Index, lock_timeout: float) -> None:
    """Merge every segment into one (a commit that writes nothing else)."""
    _open_writer(ix, lock_timeout).commit(optimize=True)
    gc.collect()


def _write_batch(ix: Index, digests: list[Digest], lock_timeout: float,
                 merge: Literal["merge", "none", "optimize"] = "merge",
                 pool: Executor | None = None) -> AddReport:
    """Write some days in one commit (or none, when nothing changed)."""
    if _all_unchanged(ix, digests):
        # Nothing to write: do not take the lock or start a segment at all.
        return AddReport(files=[_file_report(d, "unchanged") for d in digests])
    small = (sum(len(d.entries) for d in digests) <= COMPOUND_UP_TO and merge != "optimize"
             and _has_papers(ix))
    writer = _open_writer(ix, lock_timeout, compound=small)
    try:
        report, moved = _apply(writer, digests, pool)
    except BaseException:
        writer.cancel()
        raise
    if moved or any(f.status in {"added", "updated"} for f in report.files):
        writer.commit(merge=merge != "none", optimize=merge == "optimize")
    else:
        writer.cancel()  # another writer got there first: nothing left to change
    # Whoosh's readers and writers sit in reference cycles that hold their segment
    # files open and mapped until the cyclic collector runs; over a large add the
    # mapped pages of long-deleted segments grew resident memory by ~100 MB a batch.
    gc.collect()
    return report


def _is_indexed(stored_day: dict[str, Any] | None, digest: Digest) -> bool:
    """Whether the stored day document holds exactly this digest's content."""
    return stored_day is not None and stored_day.get("sha256") == digest.sha256


def _file_report(digest: Digest, status: Literal["added", "updated", "unchanged"]
                 ) -> FileReport:
    return FileReport(path=digest.path, status=status, day=digest.day,
                      papers=len(digest.entries))


def _source(digest: Digest) -> str:
    """Where a day was read from, as its day document keeps it: absolute, so that
    ``--prune`` can tell a file gone from a folder whatever the working directory."""
    return str(Path(digest.path).resolve())


def _moved(stored_day: dict[str, Any] | None, digest: Digest) -> bool:
    """Whether an indexed day's file is now read from another place (moved, renamed, or
    a copy in another folder; or a relative path kept by an older papersearch)."""
    return stored_day is not None and stored_day.get("source") != _source(digest)


def _all_unchanged(ix: Index, digests: list[Digest]) -> bool:
    with ix.searcher() as searcher:
        return all(_is_indexed(stored := searcher.document(key=day_key(d.day.isoformat())), d)
                   and not _moved(stored, d) for d in digests)


def _apply(writer: Any, digests: list[Digest], pool: Executor | None = None
           ) -> tuple[AddReport, bool]:
    """Write ``digests`` with ``writer``: the report, and whether anything was written
    (a moved day's new place alone is written too)."""
    searcher = writer.searcher()
    moved = False
    try:
        days = _DayStore(searcher)
        files: list[FileReport] = []
        affected: set[str] = set()
        for digest in digests:
            day = digest.day.isoformat()
            stored = days.stored(day)
            previous = days.changed.get(day)
            if previous is None and _is_indexed(stored, digest):
                if _moved(stored, digest):  # same content, new place: note the place
                    writer.update_document(**day_document(digest))
                    moved = True
                files.append(_file_report(digest, "unchanged"))
                continue
            before = previous if previous is not None else days.entries(day)
            affected.update(e.arxiv_id for e in before)
            affected.update(e.arxiv_id for e in digest.entries)
            days.changed[day] = digest.entries
            writer.update_document(**day_document(digest))
            files.append(_file_report(
                digest, "updated" if stored is not None or previous is not None else "added"))
        added, updated, removed = _remerge(writer, searcher, days, affected, pool)
    finally:
        searcher.close()
    return AddReport(files=files, papers_added=added, papers_updated=updated,
                     papers_removed=removed), moved


def _remerge(writer: Any, searcher: Any, days: _DayStore, affected: set[str],
             pool: Executor | None = None) -> tuple[int, int, int]:
    """Rewrite the documents of ``affected`` papers from the days that list them."""
    listed: dict[str, dict[str, DigestEntry]] = {}
    for day, entries in days.changed.items():
        for entry in entries:
            listed.setdefault(entry.arxiv_id, {})[day] = entry
    added = updated = removed = 0
    documents: list[PendingPaper] = []
    for arxiv_id in sorted(affected):
        existing = searcher.document(key=paper_key(arxiv_id))
        by_day = dict(listed.get(arxiv_id, {}))
        if existing is not None:
            for day in filter(None, str(existing.get("days", "")).split(",")):
                if day in days.changed or day in by_day:
                    continue
                for entry in days.entries(day):
                    if entry.arxiv_id == arxiv_id:
                        by_day[day] = entry
        if not by_day:
            if existing is not None:
                writer.delete_by_term("key", paper_key(arxiv_id))
                removed += 1
            continue
        paper = merge_entries(list(by_day.values()))
        document = paper_document(paper, by_day)
        if existing is None:
            added += 1
        elif any(existing.get(f) != document[f] for f in ("record", "days")):
            updated += 1
        else:
            continue
        labels = tuple(b.label for b in paper.bullets if b.label)
        documents.append(PendingPaper(document, labels, new=existing is None))
    for pending in _pretokenized(documents, pool, writer.schema["summary"].analyzer):
        # A paper new to the index has no older document to delete: add_document
        # skips update_document's look-up of the key in every segment.
        (writer.add_document if pending.new else writer.update_document)(**pending.fields)
    return added, updated, removed


# -- analysis in worker processes ----------------------------------------------------------

PARALLEL_MIN_PAPERS = 300
"""Below this many papers in one add, worker start-up costs more than it saves."""
_CHUNK_PAPERS = 64
_ANALYZED_FIELDS = ("title", "summary")


def _analyze_chunk(texts: list[tuple[str, str, tuple[str, ...]]], analyzer: Any = None
                   ) -> list[tuple[Any, Any, str, list[str]]]:
    """The index tokens of (title, summary, labels), the summary's glossary, and the
    paper's surface words, with the schema's ``analyzer`` (in a worker: the one it was
    started with)."""
    if analyzer is None:
        analyzer = _worker_analyzer[0]
    analyzed = []
    for title, summary, labels in texts:
        title_tokens, title_words = index_tokens_and_words(analyzer, title)
        summary_tokens, summary_words = index_tokens_and_words(
            analyzer, summary, label_spans(summary, labels))
        analyzed.append((title_tokens, summary_tokens, glossary_field(analyzer, summary),
                         title_words + summary_words))
    return analyzed


def label_spans(summary: str, labels: Iterable[str]) -> list[tuple[int, int]]:
    """Where bullet labels (``What's New: ...``) stand in a summary: not the paper's words."""
    spans = []
    for label in set(labels):
        for match in re.finditer(rf"(?m)^{re.escape(label)}: ", summary):
            spans.append((match.start(), match.end()))
    return spans


def words_column(words: list[str], authors: str) -> bytes:
    """The ``words`` column of a paper: its distinct words and its authors' name words
    of two letters or more (``goldstein``: an author typed with a typo is corrected too),
    space separated."""
    names = [w.lower() for w in NAME_WORD.findall(authors) if len(w) >= 2 and w.isalpha()]
    return " ".join(dict.fromkeys(words + names)).encode("utf-8")



def glossary_field(analyzer: Any, summary: str) -> str:
    """The ``glossary`` field of a paper: the term pairs its summary glosses."""
    return glossary.encode(glossary.mine_pairs(summary, lambda text: analyze(analyzer, text)))


def _pretokenized(documents: list[PendingPaper], pool: Executor | None,
                  analyzer: Any = None) -> Iterator[PendingPaper]:
    """The documents, with title and summary analyzed by ``pool``, or in-process with the
    schema's ``analyzer`` when there is none.

    Yields each chunk as soon as its analysis is back, so the main process
    writes while the workers analyze (MeCab and the filter chain are most of
    indexing's time; Whoosh's writer is the rest). Either way the tokens come
    from one MeCab pass that also yields the surface words, and Whoosh replays them.
    """
    chunks = [documents[i:i + _CHUNK_PAPERS] for i in range(0, len(documents), _CHUNK_PAPERS)]
    texts = [[(d.fields["title"], d.fields["summary"], d.labels) for d in chunk]
             for chunk in chunks]
    results: Iterable[list[tuple[Any, Any, str, list[str]]]] = (
        pool.map(_analyze_chunk, texts) if pool is not None
        else (_analyze_chunk(text, analyzer) for text in texts))
    for chunk, analyzed in zip(chunks, results, strict=True):
        for pending, (*tokens, glossary_text, words) in zip(chunk, analyzed, strict=True):
            document = pending.fields
            document["glossary"] = glossary_text
            document["words"] = words_column(words, document["authors"])
            for fieldname, field_tokens in zip(_ANALYZED_FIELDS, tokens, strict=True):
                document[f"_stored_{fieldname}"] = document[fieldname]
                document[fieldname] = PreTokenized(document[fieldname], field_tokens)
            yield pending


def _worker_pool(workers: int | None, papers: int, analyzer: Any) -> Executor | None:
    """A pool of analysis processes for a large add, or None to analyze in-process.
    Each worker analyzes with ``analyzer``, the index's own chain (handed over once, at
    the fork, so its caches last for the whole add)."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if papers >= PARALLEL_MIN_PAPERS else 0
    # fork only: spawn and forkserver re-import the caller's __main__, which breaks
    # scripts run from stdin or without a main guard. Forking is safe only while
    # this is the sole thread (another thread may hold a lock the child inherits),
    # so a threaded embedding application analyzes in-process instead.
    if (workers < 1 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(), analyzer))


_worker_analyzer: list[Any] = []
"""In an analysis worker process only: the chain it analyzes with (set at its start)."""


def _start_worker(parent: int, analyzer: Any) -> None:
    """In a worker: keep the index's chain, and exit when the indexing process is gone.

    Ctrl+C signals the whole process group; the indexing process handles it (stops,
    keeps what it committed), so a worker ignores it rather than print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_analyzer[:] = [analyzer]
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the indexing process is gone (killed, say).

    Forked workers hold both ends of the pool's pipes, so they would never see
    the parent close them and would wait forever as orphans.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="papersearch-parent-watch").start()
