"""papersearch: full-text search for Korean ML paper digests.

>>> from papersearch import PaperIndex
>>> index = PaperIndex.create("index")          # or PaperIndex.open("index")
>>> report = index.add("seeds/")
>>> hits = index.search("확산 모델", limit=10)
>>> hits[0].arxiv_id, hits[0].title, hits[0].score, hits[0].votes
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Loaded on first use, so that `papersearch query` does not import the digest parser
# and the indexer (and a library user pays only for what they touch).
_EXPORTS = {
    "parse_digest": "papersearch.digest",
    "DigestError": "papersearch.errors",
    "IndexCorruptError": "papersearch.errors",
    "IndexLockedError": "papersearch.errors",
    "IndexNotFoundError": "papersearch.errors",
    "IndexVersionError": "papersearch.errors",
    "PapersearchError": "papersearch.errors",
    "QueryError": "papersearch.errors",
    "AddReport": "papersearch.models",
    "Bullet": "papersearch.models",
    "Digest": "papersearch.models",
    "DigestEntry": "papersearch.models",
    "FileReport": "papersearch.models",
    "Hit": "papersearch.models",
    "IndexStats": "papersearch.models",
    "Paper": "papersearch.models",
    "ParseIssue": "papersearch.models",
    "SearchResult": "papersearch.models",
    "PaperIndex": "papersearch.paperindex",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'papersearch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
