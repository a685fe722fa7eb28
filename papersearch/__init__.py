"""papersearch: full-text search for Korean ML paper digests.

>>> from papersearch import PaperIndex
>>> index = PaperIndex.create("index")          # or PaperIndex.open("index")
>>> report = index.add("seeds/")
>>> hits = index.search("확산 모델", limit=10)
>>> hits[0].arxiv_id, hits[0].title, hits[0].score, hits[0].votes
"""

from __future__ import annotations

__version__ = "0.1.0"

from papersearch.digest import parse_digest  # noqa: E402
from papersearch.errors import (  # noqa: E402
    DigestError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    PapersearchError,
    QueryError,
)
from papersearch.models import (  # noqa: E402
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
from papersearch.paperindex import PaperIndex  # noqa: E402

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
    "ParseIssue",
    "PapersearchError",
    "QueryError",
    "SearchResult",
    "__version__",
    "parse_digest",
]
