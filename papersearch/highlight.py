"""Highlighting: which characters of a title or summary matched the query.

The stored text is analyzed again with the field's own analyzer (in index
mode, with character offsets), and every token whose term the query used is
marked. Works on morphemes, so in ``탐지하는`` only ``탐지`` lights up.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.analysis import Analyzer

from papersearch.models import Span

SNIPPET_CHARS = 220


def match_spans(analyzer: Analyzer, text: str, terms: set[str]) -> list[Span]:
    """Character spans of ``text`` whose tokens are in ``terms``, merged and sorted."""
    if not terms or not text:
        return []
    spans = [
        (t.startchar, t.endchar)
        for t in analyzer(text, chars=True, mode="index")
        if not t.stopped and t.text in terms
    ]
    return merge_spans(spans)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_JOINERS = str.maketrans("", "", "-_/+×·'’")


def _rough_count(line: str, terms: set[str]) -> int:
    """How many terms occur in ``line`` as plain substrings: a cheap first pass."""
    lowered = line.lower()
    joined = lowered.translate(_JOINERS)
    return sum(1 for t in terms if t in lowered or t in joined)


def best_snippet(analyzer: Analyzer, lines: list[str], terms: set[str],
                 width: int = SNIPPET_CHARS, candidates: int = 2) -> tuple[str, list[Span]]:
    """The summary line that matches most distinct query terms, cut to ``width``.

    Lines are first ranked by a substring count (terms are stems, so this is
    close but not exact); only the best ``candidates`` are analyzed to find the
    true matches. Ties go to the earlier line (the digest's lead bullet). A
    cut line is centred on its first match and marked with ``…``; spans are
    re-based on the returned text.
    """
    if not lines:
        return "", []
    ranked = sorted(range(len(lines)), key=lambda i: (-_rough_count(lines[i], terms), i))
    best_line, best_spans, best_count = lines[0], [], -1
    for i in sorted(ranked[:candidates]):
        spans = match_spans(analyzer, lines[i], terms)
        count = len({lines[i][s:e].lower() for s, e in spans})
        if count > best_count:
            best_line, best_spans, best_count = lines[i], spans, count
    return _window(best_line, best_spans, width)


def _window(text: str, spans: list[Span], width: int) -> tuple[str, list[Span]]:
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
    shift = len(prefix) - start
    kept = [(max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start]
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
