"""Searching: from a compiled plan to ranked, highlighted hits.

:func:`run_search` runs the plan of :mod:`papersearch.search.compiler` with the
scorer of :mod:`papersearch.search.scoring`: papers matching the whole query first,
then (when they are too few) papers matching part of it, marked ``partial``.
Filters (dates, votes, author) restrict without scoring; facets count every match.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from whoosh import query as wq

from papersearch.models import Facets, Hit, Paper, SearchOptions, SearchResult
from papersearch.schema import KIND_PAPER
from papersearch.search.bm25f import FieldsTerm
from papersearch.search.compiler import (
    QueryCompiler,
    glossary_of,
    plan,
)
from papersearch.search.explain import explain as _explain
from papersearch.search.facets import count_facets
from papersearch.search.highlight import SpanCache, best_snippet, clip_spans, posting_spans
from papersearch.search.querytree import positive_leaves
from papersearch.search.ranking import Ranking, vote_factor
from papersearch.search.scoring import Evaluator

MAX_EXPLAINED = 20
"""Hits explained by ``explain``: each replays the query's matchers on one paper (tens of
milliseconds for a long query), so a thousand would take a minute."""


def run_search(searcher: Any, compiler: QueryCompiler, text: str, options: SearchOptions,
               ranking: Ranking, evaluator: Evaluator | None = None) -> SearchResult:
    """Search with an open searcher and build hits.

    Clauses that match no paper at all are dropped first (reported as ignored).
    Papers matching the whole query (every word, or most of a long one) come first;
    when they are fewer than ``offset + limit``, the papers matching part of it follow, ranked
    by how much of the query they cover times their score (each such hit is marked
    ``partial``, and a note says so), so a long description never comes back empty
    for lack of a threshold. ``total`` counts the papers matching the whole query
    (or, when there are none and the result is ``relaxed``, those matching part of
    it); ``partial`` counts the papers matching only part. ``ranking`` holds the
    settings resolved for this search (``options.vote_weight`` applied); a query of many
    words weighs votes more (:meth:`Ranking.for_words`). ``evaluator``
    (one per searcher) scores the queries and keeps scored postings between searches.
    ``offset`` skips that many hits of this order (full matches, then partial ones), so
    pages never overlap or skip; hits and explanations are built for the page only.
    """
    evaluator = evaluator or Evaluator(searcher)
    compiled = plan(compiler, text, ranking, glossary_of(searcher, evaluator, compiler))
    filt = evaluator.columns.matching(options.since, options.until, options.min_votes,
                                      options.max_votes, options.author)
    if filt is not None and not filt:
        return SearchResult(query=text, total=0, hits=[], notes=compiled.notes,
                            facets=Facets() if options.facets else None)
    vote_weight = ranking.vote_weight
    end = options.offset + options.limit  # hits ranked, of which the page is the last limit
    query = compiled.strict()
    if query is None:
        # No words to search for (an empty query, or only symbols and stop words): with
        # filters, the newest papers that pass them; without, nothing (not every paper).
        notes = list(compiled.notes)
        if filt is None:
            notes.append("no words to search for" + (f" in {text!r}" if text.strip() else ""))
            return SearchResult(query=text, total=0, hits=[], notes=notes,
                                facets=Facets() if options.facets else None)
        notes.append("no words to search for: the newest papers that pass the filters")
        newest = evaluator.top(wq.Term("kind", KIND_PAPER), end, vote_weight, filt,
                               "votes" if options.sort == "votes" else "date")
        return SearchResult(query=text, total=newest.total, notes=notes, offset=options.offset,
                            next_offset=end if newest.total > end else None,
                            hits=build_hits(searcher, evaluator, wq.NullQuery,
                                            newest.top[options.offset:], ranking),
                            facets=count_facets(evaluator.columns, newest.matched)
                            if options.facets else None)
    # a long description weighs votes more (Ranking.for_words): the words the user typed,
    # found in the index or not, say how much of a paper they describe
    ranking = ranking.for_words(len(compiled.positives))
    vote_weight = ranking.vote_weight
    ignored: list[str] = []
    if len(compiled.positives) > 1:
        compiled, ignored = compiled.without_dead(evaluator)
        query = compiled.strict() or query
    notes = list(compiled.notes)

    # One more than the page is ranked, to know whether another page follows.
    full = evaluator.top(query, end + 1, vote_weight, filt, options.sort)
    explained = MAX_EXPLAINED if options.explain else 0
    hits = build_hits(searcher, evaluator, query, full.top[options.offset:end], ranking,
                      explain=explained)
    partial = compiled.partial()
    partial_count, matched, ranked = 0, full.matched, len(full.top)
    if partial is not None and len(full.top) <= end:
        more = evaluator.top(partial, end + 1 - len(full.top), vote_weight, filt,
                             options.sort, exclude=full.matched)
        partial_count = more.total
        ranked += len(more.top)
        page = more.top[max(0, options.offset - len(full.top)):end - len(full.top)]
        hits += build_hits(searcher, evaluator, partial, page, ranking,
                           explain=max(0, explained - len(hits)),
                           partial={d for d, _ in page})
        if not full.total:
            matched = more.matched
        if page:
            notes.append(f"{_papers(full.total)} the whole query; {partial_count} more "
                         "match part of it and follow")
    if options.explain and len(hits) > MAX_EXPLAINED:
        notes.append(f"explanations for the first {MAX_EXPLAINED} hits only")
    relaxed = not full.total and partial_count > 0
    return SearchResult(query=text, total=partial_count if relaxed else full.total, hits=hits,
                        offset=options.offset, next_offset=end if ranked > end else None,
                        relaxed=relaxed, partial=partial_count, ignored_terms=ignored,
                        notes=notes,
                        facets=count_facets(evaluator.columns, matched)
                        if options.facets else None)


def _papers(count: int) -> str:
    return "1 paper matches" if count == 1 else f"{count} papers match"


def build_hits(searcher: Any, evaluator: Evaluator, query: wq.Query,
               top: list[tuple[int, float]], ranking: Ranking, explain: int = 0,
               partial: Collection[int] = ()) -> list[Hit]:
    """Hits for ranked ``(docnum, final score)`` pairs, highlighted with ``query``'s terms;
    those in ``partial`` match only part of the query; the first ``explain`` carry an
    explanation of their score."""
    terms = highlight_terms(query)
    reader = searcher.reader()
    docnums = [docnum for docnum, _ in top]
    known: SpanCache = evaluator.derived("spans", dict)
    in_titles = posting_spans(reader, docnums, "title", terms, evaluator.contains, known)
    in_summaries = posting_spans(reader, docnums, "summary", terms, evaluator.contains, known)
    hits: list[Hit] = []
    for docnum, score in top:
        paper = Paper.model_validate_json(searcher.stored_fields(docnum)["record"])
        factor = vote_factor(paper.votes, ranking.vote_weight)
        title_spans = clip_spans(in_titles[docnum], 0, len(paper.title))
        snippet, spans = best_snippet(paper.summary, in_summaries[docnum])
        hits.append(Hit(
            arxiv_id=paper.arxiv_id, title=paper.title, url=paper.url, votes=paper.votes,
            dates=paper.dates, authors=paper.authors,
            score=score, text_score=score / factor, vote_factor=factor, snippet=snippet,
            snippet_highlights=spans, title_highlights=title_spans,
            partial=docnum in partial,
            explanation=_explain(searcher, query, docnum, paper.votes, ranking)
            if len(hits) < explain and query is not wq.NullQuery else None,
        ))
    return hits


def highlight_terms(q: wq.Query) -> set[str]:
    """The title and summary terms a query looks for (not those it excludes)."""
    terms: set[str] = set()
    for leaf in positive_leaves(q):
        if isinstance(leaf, FieldsTerm):
            if {"title", "summary"} & set(leaf.fieldnames):
                terms.add(leaf.text)
        elif leaf.fieldname in {"title", "summary"}:
            terms.update(leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text])
    return terms
