"""Exceptions papersearch raises: each names what went wrong and where.

Every error a user can cause derives from :class:`PapersearchError`, so an
embedding application can catch one type; the CLI turns them into a message
and a non-zero exit instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papersearch.models import AddReport


class PapersearchError(Exception):
    """Base class of every error papersearch raises on purpose."""


class DigestError(PapersearchError):
    """A digest file could not be read, or (in strict mode) held a malformed entry."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class QueryError(PapersearchError):
    """A query was refused; the message quotes (a prefix of) the query."""

    def __init__(self, query: str, message: str) -> None:
        self.query = query
        self.message = message
        shown = query if len(query) <= 60 else query[:57] + "..."
        super().__init__(f"query {shown!r}: {message}")


class PaperNotFoundError(PapersearchError):
    """An operation named a paper the index does not hold."""

    def __init__(self, arxiv_id: str) -> None:
        self.arxiv_id = arxiv_id
        super().__init__(f"paper {arxiv_id!r}: not in the index")


class AddInterrupted(KeyboardInterrupt):
    """An add was interrupted (Ctrl+C); ``report`` holds what its finished commits hold,
    which stays in the index (``kept``), or, for a rebuild, nothing: the half-built index
    is discarded and the old one is as it was (``kept`` false). A KeyboardInterrupt, so it
    stops a program like one."""

    def __init__(self, report: AddReport, kept: bool = True) -> None:
        self.report = report
        self.kept = kept
        super().__init__("interrupted")


class PaperIndexError(PapersearchError):
    """Base class of errors about an index directory: missing, too new or old, locked,
    damaged, untrusted or unavailable. Each names the directory and the way out."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"index {self.path}: {message}")


class IndexNotFoundError(PaperIndexError):
    """No papersearch index exists at the given directory."""


class IndexVersionError(PaperIndexError):
    """The index was built by an incompatible papersearch version or schema."""


class IndexLockedError(PaperIndexError):
    """Another writer held the index lock for longer than the timeout."""


class IndexCorruptError(PaperIndexError):
    """The index files are damaged (a segment is missing or truncated)."""


class IndexUntrustedError(PaperIndexError):
    """The index could have been written by another user; opening it would run its code."""


class IndexUnavailableError(PaperIndexError):
    """The index cannot be read or written now for a reason outside it: too many open
    files, no space left, no permission. Rebuilding would not help; the message says what
    would."""


IndexError_ = PaperIndexError
"""The earlier name of :class:`PaperIndexError`, kept for code that catches it."""


__all__ = [
    "AddInterrupted",
    "DigestError",
    "IndexCorruptError",
    "IndexError_",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexUnavailableError",
    "IndexUntrustedError",
    "IndexVersionError",
    "PaperIndexError",
    "PaperNotFoundError",
    "PapersearchError",
    "QueryError",
]
