"""Similar papers: a paper's most telling terms, searched for in every other paper.

A paper's key terms are the words of its title and summary weighted by how often
it uses them (a title word counts ``title_boost`` times) and how rare they are in
the index (idf): ``확산``, ``denoising``, ``ControlNet`` tell more than ``모델``. Terms
only this paper uses, or more than a fifth of all papers, find no neighbours and
are left out, and so are numbers and lone Hangul syllables. Each key term also
brings its glossary translations at ``Ranking.expansion_weight`` (``강화학습``
finds ``reinforcement learning``), so a Korean summary meets an English title.
Neighbours are ranked like search hits: BM25F over the weighted terms, blended
with votes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from whoosh import query as wq

from papersearch.analysis.hangul import is_hangul
from papersearch.models import Paper, SimilarResult
from papersearch.schema import paper_key
from papersearch.search.compiler import QueryCompiler, glossary_of
from papersearch.search.expansion import Glossary
from papersearch.search.ranking import Ranking
from papersearch.search.scoring import Evaluator
from papersearch.search.searching import build_hits

KEY_TERMS = 40
"""Terms a paper is searched by. On the discovery benchmark (same-topic pair recall@10),
10 terms gave 0.313, 25 gave 0.338 and 40 gave 0.350, each step costing time."""
MAX_SHARE = 0.2
"""A term in more than this share of papers says little about a topic (모델, model)."""

SimilarBy = Literal["text", "title"]


def key_terms(searcher: Any, compiler: QueryCompiler, paper: Paper, ranking: Ranking,
              by: SimilarBy = "text", limit: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The paper's ``limit`` most telling terms with their tf-idf weights, best first.

    ``by="title"`` uses the title alone (the baseline the benchmark compares with).
    """
    reader = searcher.reader()
    papers = max(1, reader.doc_frequency("kind", "paper"))
    counts: dict[str, float] = {}
    for title in [paper.title, *paper.other_titles]:
        for _, term in compiler.analyze("title", title):
            counts[term] = counts.get(term, 0.0) + ranking.title_boost
    if by == "text":
        for _, term in compiler.analyze("summary", paper.summary):
            counts[term] = counts.get(term, 0.0) + 1.0
    weighted = []
    for term, count in counts.items():
        if not _telling(term):
            continue
        df = max(reader.doc_frequency("title", term), reader.doc_frequency("summary", term))
        if df <= 1 or df > papers * MAX_SHARE:
            continue
        weighted.append((term, (1 + math.log(count)) * math.log(papers / df)))
    weighted.sort(key=lambda item: (-item[1], item[0]))
    return weighted[:limit]


def _telling(term: str) -> bool:
    """Whether a term can say what a paper is about: not a number, not one Hangul syllable
    (율, 수: pieces of decompounded words)."""
    if not any(ch.isalpha() for ch in term):
        return False
    return not (len(term) == 1 and is_hangul(term))


def similar_query(terms: Sequence[tuple[str, float]], ranking: Ranking,
                  lookup: Glossary | None = None) -> wq.Query:
    """Any of the terms in title or summary, each boosted by its weight (translations less)."""
    top = max((w for _, w in terms), default=1.0)
    clauses: list[wq.Query] = []
    for term, weight in terms:
        share = weight / top
        translations = lookup.translations((term,)) if lookup is not None else []
        for text, factor in [(term, 1.0), *((t[0], ranking.expansion_weight)
                                            for t in translations if len(t) == 1)]:
            for fieldname in ("title", "summary"):
                clauses.append(wq.Term(fieldname, text,
                                       boost=share * factor * ranking.boost(fieldname)))
    return wq.Or(clauses) if clauses else wq.NullQuery


def find_similar(searcher: Any, evaluator: Evaluator, compiler: QueryCompiler, arxiv_id: str,
                 limit: int, ranking: Ranking, by: SimilarBy = "text") -> SimilarResult | None:
    """The ``limit`` papers most like ``arxiv_id``'s, or None when the index lacks it."""
    docnum = searcher.document_number(key=paper_key(arxiv_id))
    if docnum is None:
        return None
    paper = Paper.model_validate_json(searcher.stored_fields(docnum)["record"])
    terms = key_terms(searcher, compiler, paper, ranking, by)
    lookup = glossary_of(searcher, evaluator, compiler) if by == "text" else None
    query = similar_query(terms, ranking, lookup)
    ranked = evaluator.top(query, limit + 1, ranking.vote_weight)
    top = [(d, s) for d, s in ranked.top if d != docnum][:limit]
    return SimilarResult(arxiv_id=paper.arxiv_id, title=paper.title,
                         terms=[t for t, _ in terms],
                         hits=build_hits(searcher, evaluator, query, top, ranking))
