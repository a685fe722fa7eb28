"""The corpus's papers as plain dicts, what the benchmarks' other systems index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def papers_of(corpus: Path) -> Iterator[dict[str, Any]]:
    """The merged papers of a corpus: id, title (with other spellings), summary, authors,
    votes (-1 when unknown) and the last listing day as YYYYMMDD."""
    from papersearch.ingest.digest import find_digests, parse_digest
    from papersearch.ingest.indexing import merge_entries

    by_id: dict[str, list[Any]] = {}
    for file in find_digests(corpus):
        for entry in parse_digest(file).entries:
            by_id.setdefault(entry.arxiv_id, []).append(entry)
    for entries in by_id.values():
        paper = merge_entries(entries)
        yield {"id": paper.arxiv_id, "title": "\n".join([paper.title, *paper.other_titles]),
               "summary": paper.summary, "authors": "\n".join(paper.authors),
               "votes": paper.votes if paper.votes is not None else -1,
               "last": int(paper.dates[-1].strftime("%Y%m%d"))}
