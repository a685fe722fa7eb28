"""Highlighting: which characters of a title or summary matched the query.

The title and summary fields store each term's character offsets in their
postings (Whoosh ``chars=True``), so a hit's matches are read from the index
instead of running MeCab over the text again at query time. The offsets are
those the analyzer saw, morpheme by morpheme: in ``탐지하는`` only ``탐지`` is
marked, and ``GPT-4V`` is marked whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

from papersearch.models import Span

SNIPPET_CHARS = 220


SpanCache = MutableMapping[tuple[str, str, int], list[Span]]
"""Spans read before, by (field, term, document): a server sees the same papers again."""
MAX_CACHED_SPANS = 50_000


def posting_spans(reader: Any, docnums: Iterable[int], fieldname: str, terms: Iterable[str],
                  contains: Callable[[str, str, int], bool] | None = None,
                  cache: SpanCache | None = None) -> dict[int, list[Span]]:
    """Character spans of ``terms`` in a field of each of ``docnums``, read from the postings.

    One pass over each term's postings for all the documents (in document order),
    not one per document. ``contains(field, term, docnum)``, when given, says
    cheaply whether a document has a term, so postings that cannot help are not
    decoded. ``cache`` (one per searcher) keeps what was read: skipping through a
    common term's postings to ten documents was half the time of a search.
    """
    found: dict[int, list[Span]] = {d: [] for d in docnums}
    ordered = sorted(found)
    for term in terms:
        wanted = []
        for docnum in ordered:
            known = cache.get((fieldname, term, docnum)) if cache is not None else None
            if known is not None:
                found[docnum].extend(known)
            elif contains is None or contains(fieldname, term, docnum):
                wanted.append(docnum)
        if not wanted or (fieldname, term) not in reader:
            continue
        matcher = reader.postings(fieldname, term)
        for docnum in wanted:
            if not matcher.is_active():
                break
            matcher.skip_to(docnum)
            spans: list[Span] = []
            if matcher.is_active() and matcher.id() == docnum:
                spans = [(start, end) for _, start, end in matcher.value_as("characters")]
                found[docnum].extend(spans)
            if cache is not None:
                if len(cache) >= MAX_CACHED_SPANS:
                    cache.clear()
                cache[(fieldname, term, docnum)] = spans
    return {d: merge_spans(spans) for d, spans in found.items()}


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def clip_spans(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans inside ``[start, end)``, re-based to ``start``."""
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]


def best_snippet(text: str, spans: list[Span], width: int = SNIPPET_CHARS
                 ) -> tuple[str, list[Span]]:
    """The line of ``text`` holding most distinct matched words, cut to ``width``.

    ``spans`` are match offsets in the whole text. Ties go to the earlier line
    (the digest's lead bullet). A cut line is centred on its first match and
    marked with ``…``; the returned spans are offsets in the returned snippet.
    """
    best: tuple[int, int, int] | None = None  # (-distinct words, line start, line end)
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        words = {text[s:e].lower() for s, e in spans if s >= start and e <= end}
        candidate = (-len(words), start, end)
        if best is None or candidate < best:
            best = candidate
        start = end + 1
    if best is None:
        return "", []
    _, line_start, line_end = best
    return window(text[line_start:line_end], clip_spans(spans, line_start, line_end), width)


def window(text: str, spans: list[Span], width: int) -> tuple[str, list[Span]]:
    """Cut ``text`` to about ``width`` characters around its first span."""
    if len(text) <= width:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    kept = [(s + len(prefix), e + len(prefix)) for s, e in clip_spans(spans, start, end)]
    return prefix + text[start:end] + suffix, kept


def mark(text: str, spans: list[Span], before: str = "[", after: str = "]") -> str:
    """Wrap each span of ``text`` in ``before``/``after`` (for plain-text output)."""
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        out.append(text[cursor:start])
        out.append(before + text[start:end] + after)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
