"""papersearch: full-text search for Korean ML paper digests.

>>> from papersearch import PaperIndex
>>> index = PaperIndex.create("index")          # or PaperIndex.open("index")
>>> report = index.add("seeds/")
>>> hits = index.search("확산 모델", limit=10)
>>> hits[0].arxiv_id, hits[0].title, hits[0].score, hits[0].votes
>>> hits.facets.months[0], hits.did_you_mean     # counts by month/author/votes; a fix
>>> index.similar(hits[0].arxiv_id, limit=5)     # its nearest papers
>>> index.suggest("강화")                         # words for a search box, most used first
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papersearch.errors import (
        DigestError,
        IndexCorruptError,
        IndexLockedError,
        IndexNotFoundError,
        IndexUnavailableError,
        IndexUntrustedError,
        IndexVersionError,
        PaperIndexError,
        PaperNotFoundError,
        PapersearchError,
        QueryError,
    )
    from papersearch.ingest.digest import parse_digest
    from papersearch.models import (
        AddReport,
        Bullet,
        Digest,
        DigestEntry,
        FacetCount,
        Facets,
        FileReport,
        Hit,
        IndexStats,
        Paper,
        ParseIssue,
        SearchResult,
        SimilarResult,
        Suggestion,
        VoteBucket,
    )
    from papersearch.paperindex import PaperIndex

# Loaded on first use, so that `papersearch query` does not import the digest parser
# and the indexer (and a library user pays only for what they touch).
_EXPORTS = {
    "parse_digest": "papersearch.ingest.digest",
    "DigestError": "papersearch.errors",
    "IndexCorruptError": "papersearch.errors",
    "IndexLockedError": "papersearch.errors",
    "IndexNotFoundError": "papersearch.errors",
    "IndexUnavailableError": "papersearch.errors",
    "IndexUntrustedError": "papersearch.errors",
    "IndexVersionError": "papersearch.errors",
    "PaperIndexError": "papersearch.errors",
    "PaperNotFoundError": "papersearch.errors",
    "PapersearchError": "papersearch.errors",
    "QueryError": "papersearch.errors",
    "AddReport": "papersearch.models",
    "Bullet": "papersearch.models",
    "Digest": "papersearch.models",
    "DigestEntry": "papersearch.models",
    "FacetCount": "papersearch.models",
    "Facets": "papersearch.models",
    "FileReport": "papersearch.models",
    "Hit": "papersearch.models",
    "IndexStats": "papersearch.models",
    "Paper": "papersearch.models",
    "ParseIssue": "papersearch.models",
    "SearchResult": "papersearch.models",
    "SimilarResult": "papersearch.models",
    "Suggestion": "papersearch.models",
    "VoteBucket": "papersearch.models",
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
    "FacetCount",
    "Facets",
    "FileReport",
    "Hit",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "IndexUnavailableError",
    "IndexUntrustedError",
    "IndexVersionError",
    "Paper",
    "PaperIndex",
    "PaperIndexError",
    "PaperNotFoundError",
    "PapersearchError",
    "ParseIssue",
    "QueryError",
    "SearchResult",
    "SimilarResult",
    "Suggestion",
    "VoteBucket",
    "__version__",
    "parse_digest",
]
