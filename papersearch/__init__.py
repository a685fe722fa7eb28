"""papersearch: full-text search for Korean ML paper digests.

>>> from papersearch import PaperIndex
>>> index = PaperIndex.create("index")          # or PaperIndex.open("index")
>>> report = index.add("seeds/")
>>> hits = index.search("확산 모델", limit=10)
>>> hits[0].arxiv_id, hits[0].title, hits[0].score, hits[0].votes
"""

from __future__ import annotations

__version__ = "0.1.0"

from papersearch.digest import parse_digest
from papersearch.errors import (
    DigestError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    PapersearchError,
    QueryError,
)
from papersearch.models import (
    AddReport,
    Bullet,
    Digest,
    DigestEntry,
    FileReport,
    Hit,
    IndexStats,
    Paper,
    ParseIssue,
    SearchResult,
)
from papersearch.paperindex import PaperIndex

__all__ = [
    "AddReport",
    "Bullet",
    "Digest",
    "DigestEntry",
    "DigestError",
    "FileReport",
    "Hit",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "IndexVersionError",
    "Paper",
    "PaperIndex",
    "PapersearchError",
    "ParseIssue",
    "QueryError",
    "SearchResult",
    "__version__",
    "parse_digest",
]
